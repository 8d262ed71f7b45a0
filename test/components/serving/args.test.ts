import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { VllmService, type VllmServiceArgs } from "../../../components/serving";
import { argumentProblems, riskWarnings } from "../../../components/serving/args";
import type { SizingPlan } from "../../../sizing/types";
import {
  maverickBf16MultiNodePlan,
  maverickFp8Plan,
  servingConfig,
  TEST_PROMETHEUS_URL,
  TEST_VPC_CIDR,
} from "./fixtures";

/** Stand-in for a resource the checks never touch; they run before anything is registered. */
const UNUSED = {} as pulumi.Resource;

function argsFor(plan: SizingPlan, values: Record<string, unknown> = {}): VllmServiceArgs {
  return {
    plan,
    config: servingConfig({ plan, values }),
    provider: {} as k8s.Provider,
    hfToken: "unused",
    apiKey: "unused",
    nodeSelector: {},
    efaInterfaces: 0,
    vpcCidr: TEST_VPC_CIDR,
    prometheusServerUrl: TEST_PROMETHEUS_URL,
    dependsOn: { gpuNodePool: UNUSED, loadBalancerController: UNUSED, keda: UNUSED },
  };
}

describe("argumentProblems", () => {
  it("accepts a single-node plan", () => {
    expect(argumentProblems(argsFor(maverickFp8Plan()))).toEqual([]);
  });

  it("rejects a fractional gpu count", () => {
    const plan = maverickFp8Plan({ parallelism: { gpusPerPod: 0.5 } });
    expect(argumentProblems(argsFor(plan))).toEqual([
      "plan.parallelism.gpusPerPod must be a positive whole number of GPUs; got 0.5",
    ]);
  });

  it("rejects zero gpus", () => {
    const plan = maverickFp8Plan({ parallelism: { gpusPerPod: 0 } });
    expect(argumentProblems(argsFor(plan))).toHaveLength(1);
  });

  it("multi-node needs the lws release", () => {
    const problems = argumentProblems(argsFor(maverickBf16MultiNodePlan()));
    expect(problems).toEqual([
      "a replica of 2 nodes runs as a LeaderWorkerSet; pass the LeaderWorkerSet controller's " +
        "release as dependsOn.lws",
    ]);
  });

  it("multi-node pods take whole nodes", () => {
    const plan = maverickBf16MultiNodePlan({ parallelism: { gpusPerPod: 4 } });
    const args = { ...argsFor(plan), dependsOn: { ...argsFor(plan).dependsOn, lws: UNUSED } };
    expect(argumentProblems(args)).toEqual([
      "a replica of 2 nodes needs every GPU of each node, 8 per pod; the plan gives 4",
    ]);
  });

  it("rejects a negative efa count", () => {
    const args = { ...argsFor(maverickFp8Plan()), efaInterfaces: -1 };
    expect(argumentProblems(args)).toEqual([
      "efaInterfaces must be a whole number of 0 or more; got -1",
    ]);
  });

  it("constructor throws every problem", () => {
    const plan = maverickBf16MultiNodePlan({ parallelism: { gpusPerPod: 0.5 } });
    expect(() => new VllmService("llama-4-maverick", argsFor(plan))).toThrow(
      /gpusPerPod must be a positive whole[\s\S]*dependsOn\.lws/,
    );
  });
});

describe("riskWarnings", () => {
  it("internal stack has none", () => {
    expect(riskWarnings(argsFor(maverickFp8Plan()))).toEqual([]);
  });

  it("internet-facing warns with the ranges", () => {
    const values = {
      loadBalancer: { scheme: "internet-facing", sourceRanges: ["203.0.113.0/24"] },
    };
    const warnings = riskWarnings(argsFor(maverickFp8Plan(), values));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("203.0.113.0/24");
    expect(warnings[0]).toContain("set loadBalancer.scheme to internal");
    expect(warnings[1]).toContain("plain HTTP");
  });

  it("internet-facing with TLS has no HTTP warning", () => {
    const values = {
      loadBalancer: {
        scheme: "internet-facing",
        sourceRanges: ["203.0.113.0/24"],
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
      },
    };
    const warnings = riskWarnings(argsFor(maverickFp8Plan(), values));
    expect(warnings).toHaveLength(1);
    expect(warnings.join(" ")).not.toContain("plain HTTP");
  });

  it("open range warns", () => {
    const values = { loadBalancer: { scheme: "internet-facing", sourceRanges: ["0.0.0.0/0"] } };
    const warnings = riskWarnings(argsFor(maverickFp8Plan(), values));
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toMatch(/^loadBalancer.sourceRanges contains 0.0.0.0\/0/);
  });

  it("multi-node without efa warns about tcp", () => {
    const warnings = riskWarnings(argsFor(maverickBf16MultiNodePlan()));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("no EFA interfaces");
  });

  it("efa with the upstream image warns", () => {
    const args = { ...argsFor(maverickBf16MultiNodePlan()), efaInterfaces: 32 };
    const warnings = riskWarnings(args);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("may lack the AWS EFA libraries");
  });

  it("efa with a custom image is quiet", () => {
    const values = { vllmImage: "123456789012.dkr.ecr.us-east-1.amazonaws.com/vllm-efa:v0.31.0" };
    const args = { ...argsFor(maverickBf16MultiNodePlan(), values), efaInterfaces: 32 };
    expect(riskWarnings(args)).toEqual([]);
  });
});
