import { beforeAll, describe, expect, it } from "vitest";
import type { OfflinePlan } from "../../plan/offline";
import { validateManifest } from "../../plan/validate";
import {
  manifestsOfKind,
  planStack,
  releaseOfChart,
  resourcesOf,
  stackNames,
} from "../support/plans";

const plans = new Map<string, OfflinePlan>();

beforeAll(async () => {
  for (const stack of stackNames()) plans.set(stack, await planStack(stack));
});

describe.each(stackNames())("stack %s", (stack) => {
  const plan = () => plans.get(stack) as OfflinePlan;

  it("passes schema validation", () => {
    expect(plan().manifests.length).toBeGreaterThan(5);
    expect(plan().manifestErrors).toEqual([]);
  });

  it("creates the network and cluster", () => {
    expect(resourcesOf(plan(), "aws:ec2/vpc:Vpc")).toHaveLength(1);
    expect(resourcesOf(plan(), "aws:eks/cluster:Cluster")).toHaveLength(1);
    const nodeGroups = resourcesOf(plan(), "aws:eks/nodeGroup:NodeGroup");
    expect(nodeGroups.map((group) => group.name).sort()).toEqual([
      `servekit-${plan().sizing.model.name}-node-group`,
      "servekit-system-node-group",
    ]);
  });

  it("installs the five add-ons", () => {
    for (const chart of [
      "nvidia-device-plugin",
      "keda",
      "prometheus",
      "aws-load-balancer-controller",
      "cluster-autoscaler",
    ]) {
      expect(releaseOfChart(plan(), chart).inputs.version).toMatch(/^v?\d+\.\d+\.\d+$/);
    }
  });

  it("serves through a load balancer", () => {
    const workloads = [
      ...manifestsOfKind(plan(), "Deployment"),
      ...manifestsOfKind(plan(), "LeaderWorkerSet"),
    ];
    expect(workloads).toHaveLength(1);
    const services = manifestsOfKind(plan(), "Service");
    expect(services).toHaveLength(1);
    expect((services[0].spec as { type: string }).type).toBe("LoadBalancer");
    expect(manifestsOfKind(plan(), "ScaledObject")).toHaveLength(1);
  });
});

describe("wiring between components", () => {
  it("admits Prometheus to the vLLM port", () => {
    const plan = plans.get("maverick-prod") as OfflinePlan;
    const policy = manifestsOfKind(plan, "NetworkPolicy")[0] as any;
    const namespaces = policy.spec.ingress.flatMap((rule: any) =>
      rule.from
        .map((peer: any) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"])
        .filter(Boolean),
    );
    const prometheus = releaseOfChart(plan, "prometheus").inputs.namespace;
    expect(namespaces).toContain(prometheus);
  });

  it("exports the VPC for destroy checks", () => {
    expect((plans.get("maverick-prod") as OfflinePlan).run.outputs.vpcId).toBe("servekit-vpc-id");
  });
});

describe("schema validation", () => {
  it("rejects a broken Deployment", async () => {
    const deployment = manifestsOfKind(plans.get("maverick-prod") as OfflinePlan, "Deployment")[0];
    const broken = { ...deployment, spec: { ...(deployment.spec as object), replicas: "two" } };
    const errors = await validateManifest(broken);
    expect(errors.join(" ")).toContain("replicas");
  });

  it("rejects a kind without a schema", async () => {
    const errors = await validateManifest({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: {},
    });
    expect(errors).toEqual(["no schema is known for example.com/v1 Widget"]);
  });
});
