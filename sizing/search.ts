import type { StackConfig } from "../config/schema";
import type { Checkpoint } from "./catalog/checkpoints";
import type { GpuSpec } from "./catalog/gpus";
import type { ModelSpec } from "./catalog/models";
import { kvBytesPerElement } from "./compatibility";
import {
  layoutMemory,
  maxRequestTokens,
  requestKvBytes,
  type Layout,
  type LayoutMemory,
  type MemoryInputs,
} from "./memory";
import { candidateLayouts, type ParallelismOverrides } from "./parallelism";

/** Context a replica must hold: `requests` requests of `maxModelLen` tokens at once. */
export interface ContextDemand {
  maxModelLen: number;
  requests: number;
}

/** Result of checking one layout against the weights and the context demand. */
export interface LayoutFit {
  memory: LayoutMemory;
  /** Whether weights and overhead leave any memory for the KV cache. */
  fitsWeights: boolean;
  /** Whether the KV cache fits the demanded requests at once. */
  fitsContext: boolean;
  /** Largest request that fits alone, capped at the model's maximum context. */
  maxFeasibleModelLen: number;
  /** Largest request length of which the demanded number of requests fit at once. */
  maxModelLenForRequests: number;
}

/** Collects the memory model's inputs from the stack, the checkpoint and the GPU. */
export function memoryInputs(
  config: StackConfig,
  model: ModelSpec,
  checkpoint: Checkpoint,
  gpu: GpuSpec,
): MemoryInputs {
  return {
    model,
    weightsGiB: checkpoint.weightsGiB,
    gpuMemoryGiB: gpu.memoryGiB,
    gpuMemoryUtilization: config.gpuMemoryUtilization,
    kvBytesPerElement: kvBytesPerElement(config.kvCacheDtype),
    hybridKvCache: config.hybridKvCache,
    maxNumBatchedTokens: config.maxNumBatchedTokens,
  };
}

/** Checks one layout against the weights and the context demand. */
export function evaluateLayout(
  inputs: MemoryInputs,
  layout: Layout,
  demand: ContextDemand,
): LayoutFit {
  const memory = layoutMemory(inputs, layout);
  const fitsWeights = memory.kvCacheGiB > 0;
  const demandBytes = demand.requests * requestKvBytes(inputs, memory, demand.maxModelLen);
  return {
    memory,
    fitsWeights,
    fitsContext: fitsWeights && demandBytes <= memory.stageKvPoolBytes,
    maxFeasibleModelLen: maxRequestTokens(inputs, memory, 1),
    maxModelLenForRequests: maxRequestTokens(inputs, memory, demand.requests),
  };
}

/** The layouts tried for one GPU type, fewest GPUs first, and the first that fits. */
export interface LayoutSearch {
  tried: LayoutFit[];
  chosen: LayoutFit | undefined;
}

/** Tries the candidate layouts in order and stops at the first that fits weights and context. */
export function searchLayouts(
  inputs: MemoryInputs,
  gpusPerNode: number,
  overrides: ParallelismOverrides,
  demand: ContextDemand,
): LayoutSearch {
  const tried: LayoutFit[] = [];
  for (const layout of candidateLayouts(inputs.model, gpusPerNode, overrides)) {
    const fit = evaluateLayout(inputs, layout, demand);
    tried.push(fit);
    if (fit.fitsContext) return { tried, chosen: fit };
  }
  return { tried, chosen: undefined };
}

/** Formats a layout the way the messages and the report name it: "TP 8 × PP 2". */
export function layoutText(layout: Layout): string {
  return layout.pipeline > 1
    ? `TP ${layout.tensor} × PP ${layout.pipeline}`
    : `TP ${layout.tensor}`;
}
