import type { ConfigProblem } from "../config/problems";
import type { StackConfig } from "../config/schema";
import { allowedTensorParallelSizes, type ModelSpec } from "./catalog/models";
import type { Layout } from "./memory";
import { countText, listText } from "./format";

/**
 * Maximum nodes one replica may span. Eight H200 nodes have about 8.8 TiB of GPU memory, far more
 * than the largest Llama 4 checkpoint needs, so a stack that needs more is likely wrong.
 */
export const MAX_NODES_PER_REPLICA = 8;

/** Tensor- and pipeline-parallel sizes the stack fixes. The search chooses the absent ones. */
export interface ParallelismOverrides {
  tensor?: number;
  pipeline?: number;
}

/**
 * Lists the layouts a replica may use, fewest GPUs first: each allowed tensor-parallel size
 * within one node, then TP across a whole node with pipeline parallel over 2, 3, … nodes.
 * Layouts that contradict an override are left out.
 */
export function candidateLayouts(
  model: ModelSpec,
  gpusPerNode: number,
  overrides: ParallelismOverrides,
): Layout[] {
  const layouts: Layout[] = [];
  for (const tensor of allowedTensorParallelSizes(model)) {
    if (tensor <= gpusPerNode) layouts.push({ tensor, pipeline: 1 });
  }
  for (let pipeline = 2; pipeline <= MAX_NODES_PER_REPLICA; pipeline++) {
    layouts.push({ tensor: gpusPerNode, pipeline });
  }
  return layouts.filter(
    (layout) =>
      (overrides.tensor === undefined || layout.tensor === overrides.tensor) &&
      (overrides.pipeline === undefined || layout.pipeline === overrides.pipeline),
  );
}

/**
 * Checks `tensorParallelSize` and `pipelineParallelSize` against the model and the node size.
 * Returns one problem per invalid key, each with the allowed values and a layout that works.
 */
export function parallelismProblems(
  config: StackConfig,
  model: ModelSpec,
  gpusPerNode: number,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const tensor = config.tensorParallelSize;
  const pipeline = config.pipelineParallelSize;
  if (tensor !== undefined && !allowedTensorParallelSizes(model).includes(tensor)) {
    problems.push({
      path: "tensorParallelSize",
      message: tensorSizeMessage(model, tensor, gpusPerNode),
    });
  }
  if (pipeline !== undefined && pipeline > MAX_NODES_PER_REPLICA) {
    problems.push({
      path: "pipelineParallelSize",
      message:
        `is ${pipeline}, but servekit spans at most ${MAX_NODES_PER_REPLICA} nodes per replica ` +
        `(one pipeline stage per node). Set it to ${MAX_NODES_PER_REPLICA} or less, or use a ` +
        `smaller quantization (fp8, int4) so that fewer nodes hold the weights`,
    });
  }
  if (pipeline !== undefined && pipeline > 1 && tensor !== undefined && tensor !== gpusPerNode) {
    problems.push({
      path: "tensorParallelSize",
      message:
        `is ${tensor}, but pipelineParallelSize ${pipeline} puts one pipeline stage on each ` +
        `${gpusPerNode}-GPU node, so tensor parallel must span the node: set ` +
        `tensorParallelSize to ${gpusPerNode}, or remove it and let the planner choose`,
    });
  }
  return problems;
}

function tensorSizeMessage(model: ModelSpec, tensor: number, gpusPerNode: number): string {
  const allowed = allowedTensorParallelSizes(model);
  const reason =
    model.attentionHeads % tensor !== 0
      ? `its ${model.attentionHeads} attention heads are not divisible by ${tensor}`
      : `its ${model.kvHeads} KV heads are not divisible by ${tensor}`;
  const largest = allowed[allowed.length - 1];
  let fix = `Use one of ${listText(allowed.map(String), "or")}`;
  if (tensor > largest && tensor % gpusPerNode === 0 && largest === gpusPerNode) {
    const nodes = tensor / gpusPerNode;
    fix =
      `To run on ${tensor} GPUs, use TP ${gpusPerNode} with pipeline parallel ${nodes} across ` +
      `${countText(nodes, "node")}: set tensorParallelSize to ${gpusPerNode} and ` +
      `pipelineParallelSize to ${nodes}`;
  }
  return (
    `is ${tensor}, which vLLM rejects for ${model.name}: ${reason}. Allowed tensor-parallel ` +
    `sizes are ${listText(allowed.map(String), "and")}. ${fix}, or remove the key and let the ` +
    `planner choose`
  );
}
