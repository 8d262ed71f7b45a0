import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { StackConfigError } from "../../config/problems";
import { readStackFile } from "../../config/load";
import { PlanMocks } from "../../plan/mocks";
import { planOffline, type OfflinePlan } from "../../plan/offline";
import { planJson, planText } from "../../plan/report";
import { runProgram, type RecordedResource } from "../../plan/run";
import { deployServekit } from "../../program";
import {
  changedResourceNames,
  manifestsOfKind,
  planStack,
  releaseOfChart,
  resourcesOf,
  stackNames,
  waitsFor,
} from "../support/plans";
import { stackValues, TEST_SECRETS } from "../support/stack";

const ANY_IPV4 = "0.0.0.0/0";
const plans = new Map<string, OfflinePlan>();

beforeAll(async () => {
  for (const stack of stackNames()) plans.set(stack, await planStack(stack));
});

/** Everything a plan shows a person or a tool: manifests, JSON, report, outputs, warnings. */
function renderedText(plan: OfflinePlan): string {
  return [
    ...plan.manifests.map((manifest) => stringify(manifest)),
    JSON.stringify(planJson(plan)),
    planText(plan),
  ].join("\n");
}

/** CIDR ranges that each ingress rule, load balancer and API endpoint admits. */
function ingressRanges(plan: OfflinePlan): { where: string; cidrs: string[] }[] {
  const found: { where: string; cidrs: string[] }[] = [];
  const add = (resource: RecordedResource, cidrs: unknown) =>
    found.push({ where: `${resource.type} ${resource.name}`, cidrs: (cidrs as string[]) ?? [] });
  for (const resource of plan.run.resources) {
    const inputs = resource.inputs as Record<string, any>;
    if (resource.type === "aws:ec2/securityGroup:SecurityGroup") {
      for (const rule of inputs.ingress ?? []) add(resource, rule.cidrBlocks);
    }
    if (resource.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
      add(resource, inputs.cidrIpv4 ? [inputs.cidrIpv4] : []);
    }
    if (
      resource.type === "aws:ec2/securityGroupRule:SecurityGroupRule" &&
      inputs.type === "ingress"
    ) {
      add(resource, inputs.cidrBlocks);
    }
    if (resource.type === "aws:eks/cluster:Cluster")
      add(resource, inputs.vpcConfig?.publicAccessCidrs);
    if (resource.type === "kubernetes:core/v1:Service")
      add(resource, inputs.spec?.loadBalancerSourceRanges);
  }
  return found;
}

describe("secrets", () => {
  it.each(stackNames())("never appear in what %s renders", (stack) => {
    const plan = plans.get(stack) as OfflinePlan;
    const text = renderedText(plan);
    for (const secret of Object.values(TEST_SECRETS)) expect(text).not.toContain(secret);
  });

  it.each(stackNames())("reach only Kubernetes Secrets in %s", (stack) => {
    const plan = plans.get(stack) as OfflinePlan;
    const holders = plan.run.resources.filter((resource) =>
      Object.values(TEST_SECRETS).some((secret) =>
        JSON.stringify(resource.inputs).includes(secret),
      ),
    );
    expect(holders.map((resource) => resource.type)).toEqual([
      "kubernetes:core/v1:Secret",
      "kubernetes:core/v1:Secret",
    ]);
  });

  it("are secret stack outputs", () => {
    const outputs = (plans.get("maverick-prod") as OfflinePlan).run.outputs;
    expect(outputs.apiKey).toBe("[secret]");
    expect(outputs.kubeconfig).toBe("[secret]");
  });

  it("generates an API key when none is set", async () => {
    const withKey = plans.get("maverick-prod") as OfflinePlan;
    expect(resourcesOf(withKey, "random:index/randomPassword:RandomPassword")).toHaveLength(0);

    const result = await planOffline({
      configFile: "stacks/Pulumi.maverick-prod.yaml",
      outDir: null,
      secrets: { hfToken: TEST_SECRETS.hfToken },
    });
    expect(result.ok).toBe(true);
    const withoutKey = result.ok ? result.plan : undefined;
    const generated = resourcesOf(
      withoutKey as OfflinePlan,
      "random:index/randomPassword:RandomPassword",
    );
    expect(generated.map((resource) => resource.inputs.length)).toEqual([48]);
    expect(withoutKey?.run.outputs.apiKey).toBe("[secret]");
    const apiKeySecret = manifestsOfKind(withoutKey as OfflinePlan, "Secret").find((secret) =>
      String(secret.metadata.name).includes("api-key"),
    );
    expect(apiKeySecret).toBeDefined();

    // The Secret exists with or without a key, so check that it contains the generated password.
    const apiKeySecretResource = resourcesOf(
      withoutKey as OfflinePlan,
      "kubernetes:core/v1:Secret",
    ).find((secret) => (secret.inputs as any).metadata.name === "vllm-api-key");
    const mockedPassword = `plan-generated-${generated[0].name}`;
    expect((apiKeySecretResource?.inputs as any).stringData).toEqual({ token: mockedPassword });
    const suppliedSecret = resourcesOf(withKey, "kubernetes:core/v1:Secret").find(
      (secret) => (secret.inputs as any).metadata.name === "vllm-api-key",
    );
    expect((suppliedSecret?.inputs as any).stringData).toEqual({ token: TEST_SECRETS.apiKey });
  });
});

describe("ingress ranges", () => {
  it.each(stackNames())("exclude the whole internet in %s", (stack) => {
    const ranges = ingressRanges(plans.get(stack) as OfflinePlan);
    // The EKS API endpoint and the Service always admit some range, so none found means the
    // scan matched nothing.
    expect(ranges.flatMap((range) => range.cidrs).length).toBeGreaterThan(0);
    for (const range of ranges) {
      expect(range.cidrs, range.where).not.toContain(ANY_IPV4);
    }
  });

  it("follow an explicit public endpoint", async () => {
    const plan = await planStack("scout-prod", {
      loadBalancer: { scheme: "internet-facing", sourceRanges: [ANY_IPV4] },
    });
    const service = resourcesOf(plan, "kubernetes:core/v1:Service")[0];
    expect((service.inputs as any).spec.loadBalancerSourceRanges).toEqual([ANY_IPV4]);
    expect(plan.warnings.join("\n")).toContain("internet-facing");
  });

  it("limit the API endpoint to the stack's ranges", () => {
    const cluster = resourcesOf(
      plans.get("maverick-prod") as OfflinePlan,
      "aws:eks/cluster:Cluster",
    )[0];
    expect((cluster.inputs as any).vpcConfig.publicAccessCidrs).toEqual(["198.51.100.7/32"]);
  });
});

describe("resource graph", () => {
  it.each(stackNames())("deletes the Service first in %s", (stack) => {
    const plan = plans.get(stack) as OfflinePlan;
    const service = resourcesOf(plan, "kubernetes:core/v1:Service")[0];
    const controller = releaseOfChart(plan, "aws-load-balancer-controller");
    const gpuGroup = resourcesOf(plan, "aws:eks/nodeGroup:NodeGroup").find(
      (group) => group.name !== "servekit-system-node-group",
    ) as RecordedResource;
    expect(waitsFor(plan, service, controller)).toBe(true);
    expect(waitsFor(plan, service, gpuGroup)).toBe(true);
  });

  it("orders custom resources after their CRDs", () => {
    const plan = plans.get("maverick-bf16-multinode") as OfflinePlan;
    const scaledObject = resourcesOf(plan, "kubernetes:keda.sh/v1alpha1:ScaledObject")[0];
    const lws = resourcesOf(plan, "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")[0];
    expect(waitsFor(plan, scaledObject, releaseOfChart(plan, "keda"))).toBe(true);
    expect(waitsFor(plan, lws, releaseOfChart(plan, "lws"))).toBe(true);
  });
});

describe("repeatability", () => {
  it.each(stackNames())("plans %s identically twice", async (stack) => {
    const again = await planStack(stack);
    const first = plans.get(stack) as OfflinePlan;
    expect(JSON.stringify(planJson(again))).toBe(JSON.stringify(planJson(first)));
    expect(again.run.resources).toEqual(first.run.resources);
    expect(again.manifests).toEqual(first.manifests);
  });
});

describe("invalid stack", () => {
  it("registers zero resources", async () => {
    const mocks = new PlanMocks("us-east-1");
    const input = {
      stackName: "invalid",
      values: stackValues({ model: "llama-4-maverick", quantization: "fp8", gpu: "a100-80gb" }),
      secrets: { ...TEST_SECRETS },
      otherNamespaces: {},
    };
    await expect(runProgram(input, deployServekit, mocks)).rejects.toThrow(StackConfigError);
    const registered = mocks.resources.filter(
      (resource) => resource.type !== "pulumi:pulumi:Stack",
    );
    expect(registered).toEqual([]);
  });

  it("gives preview the plan's messages", async () => {
    const input = {
      stackName: "invalid",
      values: stackValues({ tensorParallelSize: 16, gpu: "h100-80gb" }),
      secrets: { ...TEST_SECRETS },
      otherNamespaces: {},
    };
    const error = await runProgram(input, deployServekit).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StackConfigError);
    const paths = (error as StackConfigError).problems.map((problem) => problem.path);
    expect(paths).toContain("tensorParallelSize");
    expect((error as StackConfigError).message).toContain("40 attention heads");
  });
});

describe("plan and preview", () => {
  const badStacks: Record<string, unknown>[] = [
    { model: "llama-4-behemoth" },
    { tensorParallelSize: 16 },
    { model: "llama-4-maverick", quantization: "fp8", gpu: "a100-80gb" },
    { replicas: { min: 3, max: 2 } },
    { loadBalancer: { scheme: "internet-facing" } },
    { maxModelLength: 8192 },
  ];

  it.each(badStacks)("give the same problems for %j", async (overrides) => {
    const offline = await planOffline({
      configFile: "stacks/Pulumi.scout-int4-dev.yaml",
      outDir: null,
      secrets: { ...TEST_SECRETS },
      overrides,
    });
    expect(offline.ok).toBe(false);
    const values = { ...readStackFile("stacks/Pulumi.scout-int4-dev.yaml").values, ...overrides };
    const input = {
      stackName: "preview",
      values,
      secrets: { ...TEST_SECRETS },
      otherNamespaces: {},
    };
    const error = await runProgram(input, deployServekit).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems).toEqual(offline.ok ? [] : offline.problems);
  });
});

describe("manifests", () => {
  it("redact Secret data", () => {
    const secrets = manifestsOfKind(plans.get("scout-prod") as OfflinePlan, "Secret");
    expect(secrets.map((secret) => secret.metadata.name).sort()).toEqual([
      "hf-token",
      "vllm-api-key",
    ]);
    for (const secret of secrets) {
      const values = Object.values((secret.data ?? secret.stringData) as Record<string, string>);
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) expect(value).toContain("redacted");
    }
  });
});

/** Returns a plan's resource URNs in a stable order. */
function urnsOf(plan: OfflinePlan): string[] {
  return plan.run.resources.map((resource) => resource.urn).sort();
}

describe("quantization edit", () => {
  it("changes only the GPU pool and the workload", async () => {
    const before = plans.get("maverick-prod") as OfflinePlan;
    const after = await planStack("maverick-prod", { quantization: "int4" });
    expect(urnsOf(after)).toEqual(urnsOf(before));
    // INT4 halves the replica to 4 GPUs, so two pods share a node: the pool's sizes, the root
    // volume for two caches and its autoscaler tag change with the Deployment, nothing else.
    expect(changedResourceNames(before, after)).toEqual([
      "servekit-llama-4-maverick-asg-tag-resources-ephemeral-storage",
      "servekit-llama-4-maverick-deployment",
      "servekit-llama-4-maverick-launch-template",
      "servekit-llama-4-maverick-node-group",
    ]);
  });

  it.each([
    ["vllmImage", { vllmImage: "vllm/vllm-openai:v0.30.0" }],
    ["maxModelLen", { maxModelLen: 262_144 }],
  ])("changes only the workload for %s", async (_key, overrides) => {
    const before = plans.get("maverick-prod") as OfflinePlan;
    const after = await planStack("maverick-prod", overrides);
    expect(urnsOf(after)).toEqual(urnsOf(before));
    expect(changedResourceNames(before, after)).toEqual(["servekit-llama-4-maverick-deployment"]);
  });

  it("serves the INT4 checkpoint on four GPUs", async () => {
    const after = await planStack("maverick-prod", { quantization: "int4" });
    const deployment = manifestsOfKind(after, "Deployment")[0] as any;
    const args: string[] = deployment.spec.template.spec.containers[0].args;
    expect(args[0]).toBe("RedHatAI/Llama-4-Maverick-17B-128E-Instruct-quantized.w4a16");
    expect(args[args.indexOf("--tensor-parallel-size") + 1]).toBe("4");
  });

  it("replaces the GPU node group without a fixed name", () => {
    const plan = plans.get("maverick-prod") as OfflinePlan;
    const group = resourcesOf(plan, "aws:eks/nodeGroup:NodeGroup").find(
      (resource) => resource.name === "servekit-llama-4-maverick-node-group",
    ) as RecordedResource;
    // Without a fixed nodeGroupName Pulumi can create the new group before deleting the old one.
    expect(group.inputs.nodeGroupName).toBeUndefined();
  });
});

describe("region", () => {
  it("is required by plan and preview", async () => {
    const dir = mkdtempSync(join(tmpdir(), "servekit-region-"));
    const file = join(dir, "Pulumi.no-region.yaml");
    const config = Object.entries(stackValues()).map(([key, value]) => [`servekit:${key}`, value]);
    writeFileSync(file, stringify({ config: Object.fromEntries(config) }));
    const offline = await planOffline({
      configFile: file,
      outDir: null,
      secrets: { ...TEST_SECRETS },
    });
    expect(offline.ok).toBe(false);
    const problem = offline.ok ? undefined : offline.problems.find((p) => p.path === "aws:region");
    expect(problem?.message).toContain("pulumi config set aws:region us-east-1");
  });

  it("warns that prices are for us-east-1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "servekit-region-"));
    const file = join(dir, "Pulumi.eu.yaml");
    const config = Object.entries(stackValues()).map(([key, value]) => [`servekit:${key}`, value]);
    writeFileSync(
      file,
      stringify({ config: { "aws:region": "eu-west-1", ...Object.fromEntries(config) } }),
    );
    const offline = await planOffline({
      configFile: file,
      outDir: null,
      secrets: { ...TEST_SECRETS },
    });
    expect(offline.ok).toBe(true);
    const warnings = offline.ok ? offline.plan.warnings.join("\n") : "";
    expect(warnings).toContain("us-east-1 on-demand prices");
    expect(warnings).toContain("eu-west-1");
  });
});

describe("encrypted secrets", () => {
  it("plan with a placeholder and a warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "servekit-secure-"));
    const file = join(dir, "Pulumi.secure.yaml");
    const config = Object.entries(stackValues()).map(([key, value]) => [`servekit:${key}`, value]);
    const encrypted = { secure: "v1:c2VjcmV0LXZhbHVlLW5vdC1yZWFkYWJsZQ==" };
    writeFileSync(
      file,
      stringify({
        config: {
          "aws:region": "us-east-1",
          ...Object.fromEntries(config),
          "servekit:hfToken": encrypted,
          "servekit:apiKey": encrypted,
        },
      }),
    );
    const offline = await planOffline({ configFile: file, outDir: null });
    expect(offline.ok).toBe(true);
    const plan = offline.ok ? offline.plan : undefined;
    const warnings = plan?.warnings.join("\n") ?? "";
    expect(warnings).toContain("servekit:hfToken is encrypted in the stack file");
    expect(warnings).toContain("servekit:apiKey is encrypted in the stack file");
    // A key the stack supplies replaces the generated one.
    expect(resourcesOf(plan as OfflinePlan, "random:index/randomPassword:RandomPassword")).toEqual(
      [],
    );

    const secretTokens = Object.fromEntries(
      resourcesOf(plan as OfflinePlan, "kubernetes:core/v1:Secret").map((secret) => [
        (secret.inputs as any).metadata.name,
        (secret.inputs as any).stringData.token,
      ]),
    );
    expect(secretTokens).toEqual({
      "hf-token": "plan-placeholder-hfToken",
      "vllm-api-key": "plan-placeholder-apiKey",
    });
  });

  it("reject encryption of a plain setting", () => {
    const dir = mkdtempSync(join(tmpdir(), "servekit-secure-"));
    const file = join(dir, "Pulumi.secure.yaml");
    writeFileSync(file, stringify({ config: { "servekit:model": { secure: "v1:abc" } } }));
    const problem = readStackFile(file).problems.find((p) => p.path === "model");
    expect(problem?.message).toContain("only hfToken and apiKey are secrets");
  });
});
