import type { ConfigProblem } from "../config/problems";
import { INSTANCE_TYPES, type StackConfig } from "../config/schema";
import type { Checkpoint } from "./catalog/checkpoints";
import { GPUS, type GpuSpec } from "./catalog/gpus";
import { INSTANCES, type InstanceSpec } from "./catalog/instances";
import type { ModelSpec } from "./catalog/models";
import { gpuProblems } from "./compatibility";
import { nodePrice, replicaHourUsd, type NodePrice, type Packing } from "./cost";
import type { Layout, MemoryInputs } from "./memory";
import { memoryInputs, searchLayouts, type ContextDemand, type LayoutSearch } from "./search";

/** One instance type evaluated for the stack: can its GPUs run the model, and at what cost. */
export interface InstanceOption {
  instance: InstanceSpec;
  gpu: GpuSpec;
  /** Problems that stop the GPU from running the checkpoint or KV cache dtype, empty when none. */
  incompatibilities: ConfigProblem[];
  inputs: MemoryInputs;
  /** Layouts tried, or undefined when the GPU is incompatible. */
  search: LayoutSearch | undefined;
  price: NodePrice;
  /** Present when a layout fits. */
  packing: (Packing & { gpusPerPod: number }) | undefined;
  replicaHourUsd: number | null;
}

/** Lists the instance types the stack allows: those matching `instanceType` and `gpu`. */
export function allowedInstances(config: StackConfig): InstanceSpec[] {
  return INSTANCE_TYPES.map((type) => INSTANCES[type]).filter(
    (instance) =>
      (config.instanceType === undefined || instance.type === config.instanceType) &&
      (config.gpu === undefined || instance.gpu === config.gpu),
  );
}

/**
 * Lists why the stack's GPU cannot run its checkpoint or KV cache dtype, when every allowed
 * instance type has that problem. Returns an empty list when at least one can run it.
 */
export function stackGpuProblems(config: StackConfig, checkpoint: Checkpoint): ConfigProblem[] {
  const perInstance = allowedInstances(config).map((instance) =>
    gpuProblems(checkpoint, GPUS[instance.gpu], config.kvCacheDtype),
  );
  if (perInstance.some((problems) => problems.length === 0)) return [];
  return uniqueProblems(perInstance.flat());
}

/** Drops repeated problems, keeping the first of each path and message. */
export function uniqueProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\n${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Places a layout on nodes. A pipeline-parallel replica takes whole nodes with one pod per node;
 * a single-node replica takes `tensor` GPUs, so several replicas can share a node.
 */
export function packLayout(layout: Layout, gpusPerNode: number): Packing & { gpusPerPod: number } {
  if (layout.pipeline > 1) {
    return { nodesPerReplica: layout.pipeline, replicasPerNode: 1, gpusPerPod: gpusPerNode };
  }
  return {
    nodesPerReplica: 1,
    replicasPerNode: Math.floor(gpusPerNode / layout.tensor),
    gpusPerPod: layout.tensor,
  };
}

/** Evaluates every allowed instance type: compatibility, smallest layout, packing and price. */
export function evaluateInstances(
  config: StackConfig,
  model: ModelSpec,
  checkpoint: Checkpoint,
  demand: ContextDemand,
): InstanceOption[] {
  const overrides = { tensor: config.tensorParallelSize, pipeline: config.pipelineParallelSize };
  return allowedInstances(config).map((instance) => {
    const gpu = GPUS[instance.gpu];
    const incompatibilities = gpuProblems(checkpoint, gpu, config.kvCacheDtype);
    const inputs = memoryInputs(config, model, checkpoint, gpu);
    const search =
      incompatibilities.length === 0
        ? searchLayouts(inputs, instance.gpusPerNode, overrides, demand)
        : undefined;
    const packing = search?.chosen && packLayout(search.chosen.memory.layout, instance.gpusPerNode);
    const price = nodePrice(instance.type, config);
    const perReplica = packing ? replicaHourUsd(price.usdPerHour, packing) : null;
    return {
      instance,
      gpu,
      incompatibilities,
      inputs,
      search,
      price,
      packing,
      replicaHourUsd: perReplica,
    };
  });
}

/**
 * Orders the options whose replica fits, cheapest per replica-hour first. Options with an
 * unknown price come after every priced one, because their cost cannot be compared. Among
 * them, fewer GPUs per replica come first. Ties keep the catalog order.
 */
export function rankFeasible(options: InstanceOption[]): InstanceOption[] {
  const feasible = options.filter((option) => option.search?.chosen !== undefined);
  return feasible
    .map((option, index) => ({ option, index }))
    .sort((a, b) => compareOptions(a.option, b.option) || a.index - b.index)
    .map(({ option }) => option);
}

function compareOptions(a: InstanceOption, b: InstanceOption): number {
  if (a.replicaHourUsd !== null && b.replicaHourUsd !== null) {
    return a.replicaHourUsd - b.replicaHourUsd;
  }
  if (a.replicaHourUsd !== null) return -1;
  if (b.replicaHourUsd !== null) return 1;
  return (a.search?.chosen?.memory.gpus ?? 0) - (b.search?.chosen?.memory.gpus ?? 0);
}
