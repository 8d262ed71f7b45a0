import type { ConfigProblem } from "../config/problems";
import type { OfflinePlan } from "./offline";
import type { RecordedResource } from "./run";

/** Builds the plan as one JSON object, with the fields other tools rely on. */
export function planJson(plan: OfflinePlan): Record<string, unknown> {
  const sizing = plan.sizing;
  return {
    stack: plan.stackName,
    model: sizing.model,
    quantization: sizing.quantization,
    kvCacheDtype: sizing.kvCacheDtype,
    hybridKvCache: sizing.hybridKvCache,
    gpu: sizing.gpu,
    parallelism: sizing.parallelism,
    context: sizing.context,
    memoryPerGpuGiB: sizing.memoryPerGpuGiB,
    replicas: sizing.replicas,
    nodePool: sizing.nodePool,
    costUsdPerHour: sizing.costUsdPerHour,
    startupTimeoutSeconds: sizing.startupTimeoutSeconds,
    explanation: sizing.explanation,
    warnings: plan.warnings,
    outputs: plan.run.outputs,
    resources: plan.run.resources.map(({ urn, type, name, parent, dependsOn }) => ({
      urn,
      type,
      name,
      parent,
      dependsOn,
    })),
    manifestsDir: plan.manifestsDir,
    manifests: plan.manifests.length,
    manifestErrors: plan.manifestErrors,
  };
}

/** Builds the JSON printed for an invalid or infeasible stack. */
export function errorsJson(problems: ConfigProblem[]): { errors: ConfigProblem[] } {
  return { errors: problems };
}

const gib = (value: number) => `${value.toFixed(1)} GiB`;
const usd = (value: number | null) => (value === null ? "unknown" : `$${value.toFixed(2)}/h`);
const tokens = (value: number) => value.toLocaleString("en-US");
const count = (value: number, noun: string) => `${value} ${noun}${value === 1 ? "" : "s"}`;

function contextLine(s: OfflinePlan["sizing"]): string {
  const c = s.context;
  const limit = c.maxFeasibleModelLen >= c.modelMaxLen ? " (the model's maximum)" : "";
  const requests = (c.kvCacheTokens / c.maxModelLen).toFixed(1);
  return (
    `--max-model-len ${tokens(c.maxModelLen)}; largest that fits ` +
    `${tokens(c.maxFeasibleModelLen)}${limit}; KV cache holds ${tokens(c.kvCacheTokens)} tokens ` +
    `(${requests} requests of ${tokens(c.maxModelLen)})`
  );
}

/** Renders the sizing report and resource tree for a person. */
export function planText(plan: OfflinePlan): string {
  const s = plan.sizing;
  const p = s.parallelism;
  const m = s.memoryPerGpuGiB;
  const lines = [
    `servekit plan for stack ${plan.stackName}`,
    "",
    `Model         ${s.model.name} (${s.quantization}), served as "${s.model.servedModelName}"`,
    `Checkpoint    ${s.model.checkpoint} (${gib(s.model.weightsGiB)}${s.model.weightsEstimated ? ", estimated" : ""})`,
    `GPUs          ${s.gpu.type} on ${s.gpu.instanceType} (${s.gpu.gpusPerNode} per node)`,
    `Parallelism   TP ${p.tensor} x PP ${p.pipeline} = ${count(p.gpusPerReplica, "GPU")} per replica, ` +
      `${count(p.nodesPerReplica, "node")} per replica, ${count(p.replicasPerNode, "replica")} per node`,
    `Memory/GPU    ${gib(m.usable)} usable = ${gib(m.weights)} weights + ${gib(m.overhead)} overhead + ${gib(m.kvCache)} KV cache`,
    `KV cache      ${s.kvCacheDtype} (${count(s.kvCacheBytesPerElement, "byte")} per element), ` +
      `hybrid KV cache ${s.hybridKvCache ? "on" : "off"}`,
    `Context       ${contextLine(s)}`,
    `Replicas      ${s.replicas.min} to ${s.replicas.max}; GPU node pool ${s.nodePool.minSize} to ` +
      `${s.nodePool.maxSize} x ${s.nodePool.instanceType}`,
    `GPU cost      ${usd(s.costUsdPerHour.min)} at min, ${usd(s.costUsdPerHour.max)} at max ` +
      "(GPU nodes only)",
    `Prices        ${s.costUsdPerHour.priceSource}`,
    "",
    ...s.explanation.map((sentence) => `- ${sentence}`),
  ];
  if (plan.warnings.length > 0) {
    lines.push("", "Warnings:", ...plan.warnings.map((warning) => `  ! ${warning}`));
  }
  lines.push("", `Resources (${plan.run.resources.length}):`, ...resourceTree(plan.run.resources));
  lines.push("", manifestSummary(plan));
  return lines.join("\n");
}

function manifestSummary(plan: OfflinePlan): string {
  const where = plan.manifestsDir ? ` written to ${plan.manifestsDir}/` : "";
  if (plan.manifestErrors.length === 0) {
    return `Kubernetes manifests: ${plan.manifests.length}${where}, all valid against their schemas.`;
  }
  const failures = plan.manifestErrors.map((e) => `  ${e.file}: ${e.messages.join("; ")}`);
  return [
    `Kubernetes manifests: ${plan.manifests.length}${where}; schema errors:`,
    ...failures,
  ].join("\n");
}

/** Indents each resource under its parent, in registration order. */
export function resourceTree(resources: RecordedResource[]): string[] {
  const children = new Map<string | undefined, RecordedResource[]>();
  const urns = new Set(resources.map((r) => r.urn));
  for (const resource of resources) {
    const parent = resource.parent && urns.has(resource.parent) ? resource.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), resource]);
  }
  const lines: string[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const resource of children.get(parent) ?? []) {
      lines.push(`${"  ".repeat(depth + 1)}${resource.type}  ${resource.name}`);
      visit(resource.urn, depth + 1);
    }
  };
  visit(undefined, 0);
  return lines;
}
