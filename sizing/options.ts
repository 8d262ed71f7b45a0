import type { ConfigProblem } from "../config/problems";
import { INSTANCE_TYPES, type StackConfig } from "../config/schema";
import type { Checkpoint } from "./catalog/checkpoints";
import { GPUS, type GpuSpec } from "./catalog/gpus";
import { INSTANCES, type InstanceSpec } from "./catalog/instances";
import type { ModelSpec } from "./catalog/models";
import { gpuProblems } from "./compatibility";
import { nodePrice, poolUsdPerHour, replicaHourUsd, type NodePrice, type Packing } from "./cost";
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
  /**
   * Hourly price of the node pool at `replicas.min` and `replicas.max`, or null when no layout
   * fits or the price is unknown.
   */
  poolUsdPerHour: { min: number | null; max: number | null };
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
    const pool = (replicas: number) =>
      packing ? poolUsdPerHour(price.usdPerHour, replicas, packing) : null;
    return {
      instance,
      gpu,
      incompatibilities,
      inputs,
      search,
      price,
      packing,
      replicaHourUsd: perReplica,
      poolUsdPerHour: { min: pool(config.replicas.min), max: pool(config.replicas.max) },
    };
  });
}

/**
 * Orders the options whose replica fits by what the stack pays: the node pool's hourly price at
 * `replicas.max` first, then at `replicas.min`, then the price per replica-hour, then fewer GPUs
 * per replica. Prices are compared in whole cents. Options with an unknown price come after
 * every priced one, because their cost cannot be compared, and among them fewer GPUs per replica
 * come first. Ties keep the catalog order.
 */
export function rankFeasible(options: InstanceOption[]): InstanceOption[] {
  const feasible = options.filter((option) => option.search?.chosen !== undefined);
  return feasible
    .map((option, index) => ({ option, index }))
    .sort((a, b) => compareOptions(a.option, b.option) || a.index - b.index)
    .map(({ option }) => option);
}

/** The comparisons that `rankFeasible` applies in order. The first that differs decides. */
export type RankingCriterion =
  "pool at replicas.max" | "pool at replicas.min" | "replica-hour" | "GPUs per replica";

/**
 * Names the first criterion on which two priced options differ, or undefined when they tie on
 * all of them (or either price is unknown).
 */
export function decidingCriterion(
  a: InstanceOption,
  b: InstanceOption,
): RankingCriterion | undefined {
  if (a.price.usdPerHour === null || b.price.usdPerHour === null) return undefined;
  if (compareUsd(a.poolUsdPerHour.max, b.poolUsdPerHour.max) !== 0) return "pool at replicas.max";
  if (compareUsd(a.poolUsdPerHour.min, b.poolUsdPerHour.min) !== 0) return "pool at replicas.min";
  if (compareUsd(a.replicaHourUsd, b.replicaHourUsd) !== 0) return "replica-hour";
  if (replicaGpus(a) !== replicaGpus(b)) return "GPUs per replica";
  return undefined;
}

function compareOptions(a: InstanceOption, b: InstanceOption): number {
  const aPriced = a.price.usdPerHour !== null;
  const bPriced = b.price.usdPerHour !== null;
  if (aPriced && bPriced) {
    return (
      compareUsd(a.poolUsdPerHour.max, b.poolUsdPerHour.max) ||
      compareUsd(a.poolUsdPerHour.min, b.poolUsdPerHour.min) ||
      compareUsd(a.replicaHourUsd, b.replicaHourUsd) ||
      replicaGpus(a) - replicaGpus(b)
    );
  }
  if (aPriced) return -1;
  if (bPriced) return 1;
  return replicaGpus(a) - replicaGpus(b);
}

/** Compares two known prices in whole cents, so that floating-point noise does not break a tie. */
function compareUsd(a: number | null, b: number | null): number {
  return Math.round((a ?? 0) * 100) - Math.round((b ?? 0) * 100);
}

/** GPUs one replica of the option uses, or 0 when no layout fits. */
export function replicaGpus(option: InstanceOption): number {
  return option.search?.chosen?.memory.gpus ?? 0;
}
