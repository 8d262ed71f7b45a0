import { describe, expect, it } from "vitest";
import { regionProblems } from "../../config/load";
import { parseStackConfig } from "../../config/parse";
import { planDeployment } from "../../sizing/planner";
import type { ConfigProblem } from "../../config/problems";
import { stackValues } from "../support/stack";

/** Runs the checks a stack meets before any resource exists: schema, cross-key and sizing. */
function problemsOf(values: Record<string, unknown>): ConfigProblem[] {
  const parsed = parseStackConfig(values);
  if (!parsed.ok) return parsed.problems;
  const sized = planDeployment(parsed.config);
  return sized.ok ? [] : sized.problems;
}

interface BadStack {
  name: string;
  overrides: Record<string, unknown>;
  path: string;
  /** Fragments the message must contain: the value given, what is allowed, what to change. */
  message: (string | RegExp)[];
}

const BAD_STACKS: BadStack[] = [
  // Types.
  {
    name: "model as number",
    overrides: { model: 4 },
    path: "model",
    message: ["llama-4-scout", "got 4"],
  },
  {
    name: "quantization missing",
    overrides: { quantization: undefined },
    path: "quantization",
    message: ["required"],
  },
  { name: "model missing", overrides: { model: undefined }, path: "model", message: ["required"] },
  {
    name: "TP as string",
    overrides: { tensorParallelSize: "2" },
    path: "tensorParallelSize",
    message: ['the string "2"', "pulumi config set --type int servekit:tensorParallelSize 2"],
  },
  {
    name: "TP fractional",
    overrides: { tensorParallelSize: 0.5 },
    path: "tensorParallelSize",
    message: ["whole number", "0.5"],
  },
  {
    name: "TP zero",
    overrides: { tensorParallelSize: 0 },
    path: "tensorParallelSize",
    message: ["greater than 0", "got 0"],
  },
  {
    name: "PP negative",
    overrides: { pipelineParallelSize: -1 },
    path: "pipelineParallelSize",
    message: ["greater than 0", "-1"],
  },
  {
    name: "maxModelLen string",
    overrides: { maxModelLen: "128k" },
    path: "maxModelLen",
    message: ["number", '"128k"'],
  },
  {
    name: "maxModelLen above 10M",
    overrides: { maxModelLen: 20_000_000 },
    path: "maxModelLen",
    message: ["at most 10485760", "20000000"],
  },
  {
    name: "replicas as number",
    overrides: { replicas: 2 },
    path: "replicas",
    message: ["mapping", "got 2"],
  },
  {
    name: "replicas.min fractional",
    overrides: { replicas: { min: 1.5, max: 2 } },
    path: "replicas.min",
    message: ["whole number", "1.5"],
  },
  {
    name: "replicas.max zero",
    overrides: { replicas: { min: 0, max: 0 } },
    path: "replicas.max",
    message: ["at least 1", "got 0"],
  },
  {
    name: "replicas.max below min",
    overrides: { replicas: { min: 3, max: 2 } },
    path: "replicas.max",
    message: ["at least replicas.min (3)", "got 2"],
  },
  {
    name: "hybridKvCache as string",
    overrides: { hybridKvCache: "yes" },
    path: "hybridKvCache",
    message: ["boolean", '"yes"'],
  },
  {
    name: "tags not strings",
    overrides: { tags: { team: 5 } },
    path: "tags.team",
    message: ["string", "got 5"],
  },
  // Ranges.
  {
    name: "gpu utilisation too high",
    overrides: { gpuMemoryUtilization: 0.99 },
    path: "gpuMemoryUtilization",
    message: ["at most 0.98", "0.99"],
  },
  {
    name: "gpu utilisation too low",
    overrides: { gpuMemoryUtilization: 0.2 },
    path: "gpuMemoryUtilization",
    message: ["at least 0.5", "0.2"],
  },
  {
    name: "batched tokens too small",
    overrides: { maxNumBatchedTokens: 100 },
    path: "maxNumBatchedTokens",
    message: ["at least 512", "100"],
  },
  {
    name: "idle timeout too long",
    overrides: { loadBalancer: { idleTimeoutSeconds: 9000 } },
    path: "loadBalancer.idleTimeoutSeconds",
    message: ["at most 6000", "9000"],
  },
  {
    name: "VPC range with host bits",
    overrides: { network: { vpcCidr: "10.0.0.5/16" } },
    path: "network.vpcCidr",
    message: ["no host bits", '"10.0.0.5/16"'],
  },
  {
    name: "boolean as string",
    overrides: { hybridKvCache: "false" },
    path: "hybridKvCache",
    message: ["pulumi config set --type bool servekit:hybridKvCache false"],
  },
  {
    name: "version without quotes",
    overrides: { cluster: { kubernetesVersion: 1.35, apiAccessCidrs: ["198.51.100.7/32"] } },
    path: "cluster.kubernetesVersion",
    message: ["written in quotes", "got 1.35"],
  },
  {
    name: "reserved tag prefix",
    overrides: { tags: { "aws:team": "ml" } },
    path: "tags.aws:team",
    message: ["aws:"],
  },
  {
    name: "Name tag",
    overrides: { tags: { Name: "x" } },
    path: "tags.Name",
    message: ["servekit sets itself"],
  },
  {
    name: "KMS ARN of a role",
    overrides: {
      cluster: {
        apiAccessCidrs: ["198.51.100.7/32"],
        secretsKmsKeyArn: "arn:aws:iam::123456789012:role/foo",
      },
    },
    path: "cluster.secretsKmsKeyArn",
    message: ["KMS key ARN", "arn:aws:iam::123456789012:role/foo"],
  },
  {
    name: "certificate ARN of a key",
    overrides: {
      loadBalancer: { certificateArn: "arn:aws:kms:us-east-1:123456789012:key/abc" },
    },
    path: "loadBalancer.certificateArn",
    message: ["ACM certificate ARN"],
  },
  {
    name: "VPC range with existing VPC",
    overrides: {
      network: {
        vpcId: "vpc-0abc",
        privateSubnetIds: ["subnet-0a", "subnet-0b"],
        vpcCidr: "172.16.0.0/16",
      },
    },
    path: "network.vpcCidr",
    message: ["existing one", "remove it"],
  },
  {
    name: "TLS with short idle timeout",
    overrides: {
      loadBalancer: {
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        idleTimeoutSeconds: 300,
      },
    },
    path: "loadBalancer.idleTimeoutSeconds",
    message: ["fixed 350 s", "got 300"],
  },
  {
    name: "repeated subnet",
    overrides: { network: { vpcId: "vpc-0abc", privateSubnetIds: ["subnet-0a", "subnet-0a"] } },
    path: "network.privateSubnetIds",
    message: ["subnet-0a more than once"],
  },
  {
    name: "VPC range too small",
    overrides: { network: { vpcCidr: "10.0.0.0/26" } },
    path: "network.vpcCidr",
    message: ["/16 to /22", '"10.0.0.0/26"'],
  },
  {
    name: "one availability zone",
    overrides: { network: { availabilityZoneCount: 1 } },
    path: "network.availabilityZoneCount",
    message: ["at least 2", "got 1"],
  },
  {
    name: "startup timeout too short",
    overrides: { startupTimeoutSeconds: 60 },
    path: "startupTimeoutSeconds",
    message: ["at least 300", "60"],
  },
  {
    name: "node pool max zero",
    overrides: { nodePool: { maxSize: 0 } },
    path: "nodePool.maxSize",
    message: ["greater than 0", "got 0"],
  },
  // Enums and formats.
  {
    name: "unknown model",
    overrides: { model: "llama-4-behemoth" },
    path: "model",
    message: ["llama-4-scout, llama-4-maverick", '"llama-4-behemoth"'],
  },
  {
    name: "unknown quantization",
    overrides: { quantization: "awq" },
    path: "quantization",
    message: ["bf16, fp8, int4", '"awq"'],
  },
  {
    name: "unknown gpu",
    overrides: { gpu: "h100" },
    path: "gpu",
    message: ["h100-80gb", '"h100"'],
  },
  {
    name: "unknown kv dtype",
    overrides: { kvCacheDtype: "fp16" },
    path: "kvCacheDtype",
    message: ["auto, bf16, fp8", '"fp16"'],
  },
  {
    name: "unknown instance type",
    overrides: { instanceType: "g5.48xlarge" },
    path: "instanceType",
    message: ["p5.48xlarge", '"g5.48xlarge"'],
  },
  {
    name: "unknown capacity type",
    overrides: { nodePool: { capacityType: "reserved" } },
    path: "nodePool.capacityType",
    message: ["on-demand, spot", '"reserved"'],
  },
  {
    name: "unknown scheme",
    overrides: { loadBalancer: { scheme: "public" } },
    path: "loadBalancer.scheme",
    message: ["internal, internet-facing", '"public"'],
  },
  {
    name: "old kubernetes",
    overrides: { cluster: { kubernetesVersion: "1.29", apiAccessCidrs: ["198.51.100.7/32"] } },
    path: "cluster.kubernetesVersion",
    message: ["1.34", '"1.29"'],
  },
  {
    name: "bad CIDR",
    overrides: { cluster: { apiAccessCidrs: ["10.0.0.0/40"] } },
    path: "cluster.apiAccessCidrs.0",
    message: ["CIDR", '"10.0.0.0/40"'],
  },
  {
    name: "image latest",
    overrides: { vllmImage: "vllm/vllm-openai:latest" },
    path: "vllmImage",
    message: ["pin a version", "latest"],
  },
  {
    name: "image without tag",
    overrides: { vllmImage: "vllm/vllm-openai" },
    path: "vllmImage",
    message: ["tag or digest", '"vllm/vllm-openai"'],
  },
  {
    name: "served name uppercase",
    overrides: { servedModelName: "Llama4" },
    path: "servedModelName",
    message: ["lowercase", '"Llama4"'],
  },
  {
    name: "misspelled key",
    overrides: { maxModelLength: 8192 },
    path: "maxModelLength",
    message: ['did you mean "maxModelLen"'],
  },
  {
    name: "misspelled nested key",
    overrides: { replicas: { min: 1, maximum: 2 } },
    path: "replicas.maximum",
    message: ["not a servekit setting"],
  },
  {
    name: "vpc id malformed",
    overrides: { network: { vpcId: "my-vpc" } },
    path: "network.vpcId",
    message: ["vpc-0123abcd", '"my-vpc"'],
  },
  {
    name: "price not positive",
    overrides: { pricesUsdPerHour: { "p5.48xlarge": 0 } },
    path: "pricesUsdPerHour.p5.48xlarge",
    message: ["greater than 0", "got 0"],
  },
  // Conflicts between keys.
  {
    name: "instance type of another gpu",
    overrides: { gpu: "h100-80gb", instanceType: "p4d.24xlarge" },
    path: "instanceType",
    message: ["a100-40gb", "h100-80gb"],
  },
  {
    name: "AL2 on new kubernetes",
    overrides: { nodePool: { amiType: "AL2_x86_64_GPU" } },
    path: "nodePool.amiType",
    message: ["AL2023_x86_64_NVIDIA", "1.34"],
  },
  {
    name: "public without sources",
    overrides: { loadBalancer: { scheme: "internet-facing" } },
    path: "loadBalancer.sourceRanges",
    message: ["internet-facing", "CIDR"],
  },
  {
    name: "TLS with long idle timeout",
    overrides: {
      loadBalancer: {
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        idleTimeoutSeconds: 900,
      },
    },
    path: "loadBalancer.idleTimeoutSeconds",
    message: ["350", "got 900"],
  },
  {
    name: "vpc without subnets",
    overrides: { network: { vpcId: "vpc-0abc" } },
    path: "network.privateSubnetIds",
    message: ["at least 2", "got 0"],
  },
  {
    name: "subnets without vpc",
    overrides: { network: { privateSubnetIds: ["subnet-0a", "subnet-0b"] } },
    path: "network.vpcId",
    message: ["network.vpcId"],
  },
  {
    name: "API access missing",
    overrides: { cluster: {} },
    path: "cluster.apiAccessCidrs",
    message: ["required", "pulumi up"],
  },
];

describe("bad stacks", () => {
  it("has at least 40 cases", () => {
    expect(BAD_STACKS.length).toBeGreaterThanOrEqual(40);
  });

  // Each case changes this stack, so it must be valid for a rejection to come from the change.
  it("accepts the base stack", () => {
    expect(problemsOf(stackValues())).toEqual([]);
  });

  for (const bad of BAD_STACKS) {
    it(`rejects ${bad.name}`, () => {
      const problems = problemsOf(stackValues(bad.overrides));
      const problem = problems.find((p) => p.path === bad.path);
      expect(problem, `problems: ${JSON.stringify(problems)}`).toBeDefined();
      for (const fragment of bad.message) {
        if (typeof fragment === "string") expect(problem?.message).toContain(fragment);
        else expect(problem?.message).toMatch(fragment);
      }
    });
  }

  it("reports every problem at once", () => {
    const problems = problemsOf(
      stackValues({ model: "llama-5", quantization: "awq", gpu: "tpu", replicas: { min: -1 } }),
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      "gpu",
      "model",
      "quantization",
      "replicas.min",
    ]);
  });
});

describe("region", () => {
  it("accepts a commercial region", () => {
    expect(regionProblems("eu-west-1")).toEqual([]);
  });

  it("rejects GovCloud and China", () => {
    for (const region of ["us-gov-west-1", "cn-north-1"]) {
      const [problem] = regionProblems(region);
      expect(problem.path).toBe("aws:region");
      expect(problem.message).toContain("commercial AWS partition");
    }
  });

  it("rejects a missing region", () => {
    expect(regionProblems(undefined)[0].message).toContain("is missing");
  });
});
