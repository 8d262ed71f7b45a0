import { z } from "zod";
import { problemsFromZod, type ConfigProblem } from "./problems";
import { stackConfigSchema, type StackConfig } from "./schema";

/** The outcome of parsing a stack: settings with defaults, or every problem found. */
export type ParseResult =
  { ok: true; config: StackConfig } | { ok: false; problems: ConfigProblem[] };

/** GPU type each instance type carries, for checking `instanceType` against `gpu`. */
const INSTANCE_GPU: Record<string, string> = {
  "p4d.24xlarge": "a100-40gb",
  "p4de.24xlarge": "a100-80gb",
  "p5.48xlarge": "h100-80gb",
  "p5e.48xlarge": "h200-141gb",
  "p5en.48xlarge": "h200-141gb",
};

/** AWS NLB listeners that terminate TLS have a fixed idle timeout of 350 seconds. */
export const TLS_IDLE_TIMEOUT_SECONDS = 350;

/**
 * Parses the `servekit:` keys of a stack (without the namespace prefix), fills defaults and runs
 * the checks that span several keys. Values keep their YAML types: `"2"` is not a number.
 */
export function parseStackConfig(raw: Record<string, unknown>): ParseResult {
  const parsed = stackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: problemsFromZod(parsed.error, raw, keysAt) };
  }
  const problems = crossKeyProblems(parsed.data, raw);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config: parsed.data };
}

function crossKeyProblems(config: StackConfig, raw: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });

  if (config.instanceType && config.gpu && INSTANCE_GPU[config.instanceType] !== config.gpu) {
    add(
      "instanceType",
      `${config.instanceType} carries ${INSTANCE_GPU[config.instanceType]} GPUs, not ${config.gpu}; ` +
        `pick an instance type with ${config.gpu} or remove one of the two keys`,
    );
  }
  if (config.replicas.max < config.replicas.min) {
    add(
      "replicas.max",
      `must be at least replicas.min (${config.replicas.min}); got ${config.replicas.max}`,
    );
  }
  if (config.nodePool.amiType === "AL2_x86_64_GPU" && config.cluster.kubernetesVersion >= "1.33") {
    add(
      "nodePool.amiType",
      `EKS publishes no Amazon Linux 2 AMIs for Kubernetes ${config.cluster.kubernetesVersion} ` +
        `(none for 1.33 or later); use AL2023_x86_64_NVIDIA`,
    );
  }
  addLoadBalancerProblems(config, raw, add);
  addNetworkProblems(config, raw, add);
  if (!config.cluster.apiAccessCidrs) {
    add(
      "cluster.apiAccessCidrs",
      "is required: list the CIDR ranges that may reach the Kubernetes API, including the " +
        "address of the machine that runs `pulumi up` (for example [198.51.100.7/32])",
    );
  }
  return problems;
}

function addLoadBalancerProblems(
  config: StackConfig,
  raw: Record<string, unknown>,
  add: (path: string, message: string) => void,
): void {
  const lb = config.loadBalancer;
  if (lb.scheme === "internet-facing" && lb.sourceRanges.length === 0) {
    add(
      "loadBalancer.sourceRanges",
      "is required when loadBalancer.scheme is internet-facing: list the client CIDR ranges " +
        "that may call the endpoint (0.0.0.0/0 only if the whole internet is meant)",
    );
  }
  const rawIdle = (raw.loadBalancer as Record<string, unknown> | undefined)?.idleTimeoutSeconds;
  if (
    lb.certificateArn &&
    rawIdle !== undefined &&
    lb.idleTimeoutSeconds !== TLS_IDLE_TIMEOUT_SECONDS
  ) {
    add(
      "loadBalancer.idleTimeoutSeconds",
      `an NLB listener that terminates TLS has a fixed ${TLS_IDLE_TIMEOUT_SECONDS} s idle timeout; ` +
        `got ${lb.idleTimeoutSeconds}. Remove the key, or remove certificateArn to use a TCP listener`,
    );
  }
  if (lb.certificateArn && rawIdle === undefined) {
    lb.idleTimeoutSeconds = TLS_IDLE_TIMEOUT_SECONDS;
  }
}

function addNetworkProblems(
  config: StackConfig,
  raw: Record<string, unknown>,
  add: (path: string, message: string) => void,
): void {
  const network = config.network;
  const rawNetwork = (raw.network ?? {}) as Record<string, unknown>;
  if (network.vpcId) {
    for (const key of ["vpcCidr", "availabilityZoneCount"]) {
      if (rawNetwork[key] !== undefined) {
        add(
          `network.${key}`,
          "applies only to a new VPC, but network.vpcId selects an existing one; remove it",
        );
      }
    }
    for (const key of ["privateSubnetIds", "publicSubnetIds"] as const) {
      const ids = network[key] ?? [];
      const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
      if (repeated.length > 0) {
        add(`network.${key}`, `lists ${repeated.join(", ")} more than once; list each subnet once`);
      }
    }
    if (!network.privateSubnetIds || network.privateSubnetIds.length < 2) {
      add(
        "network.privateSubnetIds",
        `with network.vpcId, list private subnets in at least 2 availability zones; got ` +
          `${network.privateSubnetIds?.length ?? 0}`,
      );
    }
    if (config.loadBalancer.scheme === "internet-facing" && !network.publicSubnetIds?.length) {
      add(
        "network.publicSubnetIds",
        "an internet-facing load balancer in an existing VPC needs its public subnets listed",
      );
    }
  } else if (network.privateSubnetIds || network.publicSubnetIds) {
    add(
      "network.vpcId",
      "subnet ids were given without the VPC they belong to; set network.vpcId or remove them",
    );
  }
}

/** Lists the keys allowed at a path of the schema, for "did you mean" hints. */
function keysAt(path: string[]): string[] {
  let schema: z.ZodType = stackConfigSchema;
  for (const key of path) {
    const shape = objectShape(schema);
    if (!shape || !(key in shape)) return [];
    schema = shape[key];
  }
  return Object.keys(objectShape(schema) ?? {});
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let current: unknown = schema;
  // Unwrap defaults, optionals and transforms down to the object schema.
  for (let depth = 0; depth < 6 && current; depth++) {
    if (current instanceof z.ZodObject) return current.shape as Record<string, z.ZodType>;
    const def = (current as { def?: { innerType?: unknown; in?: unknown } }).def;
    current = def?.innerType ?? def?.in;
  }
  return undefined;
}
