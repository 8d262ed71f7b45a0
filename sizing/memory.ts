import { BYTES_PER_GIB } from "./catalog/source";
import type { ModelSpec } from "./catalog/models";

/**
 * Memory per GPU that vLLM uses besides weights and KV cache: activations at
 * `--max-num-batched-tokens`, CUDA graphs, NCCL buffers and the vision encoder's profiling run.
 * NOTE: an estimate from one third-party run of Scout BF16 on 8 × H200 with vLLM 0.12 (about
 * 11 GiB per GPU). It is held constant, although activations grow with maxNumBatchedTokens and
 * shrink with tensor parallelism. With it the model predicts 1.09 to 1.54 times the three context
 * limits vLLM published for 8 GPUs (docs/sizing.md), so all three fit.
 */
export const OVERHEAD_GIB_PER_GPU = 11;

/** Settings of one replica that decide how much KV cache it holds. */
export interface MemoryInputs {
  model: ModelSpec;
  /** Size of the whole checkpoint in GiB. */
  weightsGiB: number;
  /** Driver-reported memory of one GPU in GiB. */
  gpuMemoryGiB: number;
  /** vLLM `--gpu-memory-utilization`. */
  gpuMemoryUtilization: number;
  /** Bytes per KV cache element: 2 for BF16, 1 for FP8. */
  kvBytesPerElement: 1 | 2;
  /** Whether chunked-local layers keep only their last chunk (vLLM hybrid KV cache manager). */
  hybridKvCache: boolean;
  /** vLLM `--max-num-batched-tokens`. */
  maxNumBatchedTokens: number;
}

/** Tensor-parallel size within a node and pipeline-parallel stages (one node each when above 1). */
export interface Layout {
  tensor: number;
  pipeline: number;
}

/**
 * Memory budget of a layout. Figures are per GPU of the pipeline stage that limits capacity:
 * the stage with the most layers, which stores the most weights and needs the most KV cache.
 * vLLM gives every stage the smallest block count found on any stage, so this stage decides.
 */
export interface LayoutMemory {
  layout: Layout;
  gpus: number;
  /** Layers in the limiting stage, and how many of them use global attention. */
  stageLayers: number;
  stageGlobalLayers: number;
  usableGiB: number;
  weightsGiB: number;
  overheadGiB: number;
  /** Memory left for the KV cache on each GPU, negative when weights and overhead do not fit. */
  kvCacheGiB: number;
  /** KV cache pool of the limiting stage across its tensor-parallel GPUs, in bytes. */
  stageKvPoolBytes: number;
}

/** Bytes one token takes in one layer's KV cache: K and V for every KV head (2 × heads × dim). */
export function kvBytesPerTokenPerLayer(model: ModelSpec, bytesPerElement: 1 | 2): number {
  return 2 * model.kvHeads * model.headDim * bytesPerElement;
}

/**
 * Counts the layers of the largest pipeline stage and its global-attention layers. vLLM splits
 * layers as evenly as it can, so the largest stage has ceil(layers / stages) layers, and a run of
 * n consecutive layers contains at most ceil(n / interval) of the every-fourth global layers. Both
 * counts are exact when the stage size is a multiple of the interval (1, 2, 3, 4 or 6 stages).
 */
export function largestStage(model: ModelSpec, pipeline: number) {
  const layers = Math.ceil(model.layers / pipeline);
  const globalLayers = Math.min(model.globalLayers, Math.ceil(layers / model.globalLayerInterval));
  return { layers, globalLayers };
}

/** Splits one GPU's memory into weights, overhead and KV cache for a layout. */
export function layoutMemory(inputs: MemoryInputs, layout: Layout): LayoutMemory {
  const stage = largestStage(inputs.model, layout.pipeline);
  const usableGiB = inputs.gpuMemoryUtilization * inputs.gpuMemoryGiB;
  const stageWeightsGiB = (inputs.weightsGiB * stage.layers) / inputs.model.layers;
  const weightsGiB = stageWeightsGiB / layout.tensor;
  const kvCacheGiB = usableGiB - weightsGiB - OVERHEAD_GIB_PER_GPU;
  return {
    layout,
    gpus: layout.tensor * layout.pipeline,
    stageLayers: stage.layers,
    stageGlobalLayers: stage.globalLayers,
    usableGiB,
    weightsGiB,
    overheadGiB: OVERHEAD_GIB_PER_GPU,
    kvCacheGiB,
    stageKvPoolBytes: Math.max(0, kvCacheGiB) * layout.tensor * BYTES_PER_GIB,
  };
}

/**
 * Tokens a chunked-local layer keeps per request when the hybrid KV cache is on: one chunk plus
 * one scheduler step, as vLLM's `ChunkedLocalAttentionSpec` reserves them.
 */
export function localWindowTokens(inputs: MemoryInputs): number {
  return inputs.model.attentionChunkTokens + inputs.maxNumBatchedTokens;
}

/** Bytes one request of `tokens` tokens takes in the KV cache of the limiting stage. */
export function requestKvBytes(inputs: MemoryInputs, memory: LayoutMemory, tokens: number) {
  const perLayer = kvBytesPerTokenPerLayer(inputs.model, inputs.kvBytesPerElement);
  if (!inputs.hybridKvCache) return memory.stageLayers * perLayer * tokens;
  const localLayers = memory.stageLayers - memory.stageGlobalLayers;
  const localTokens = Math.min(tokens, localWindowTokens(inputs));
  return perLayer * (memory.stageGlobalLayers * tokens + localLayers * localTokens);
}

/**
 * Finds the largest request length such that `requests` requests of it fit the KV cache at
 * once, capped at the model's maximum context. Returns 0 when not even one token fits.
 */
export function maxRequestTokens(inputs: MemoryInputs, memory: LayoutMemory, requests = 1) {
  const poolPerRequest = memory.stageKvPoolBytes / requests;
  const perLayer = kvBytesPerTokenPerLayer(inputs.model, inputs.kvBytesPerElement);
  const cap = inputs.model.maxModelLen;
  // Up to the window every layer grows with the request, so the first bound is linear.
  const allLayers = Math.floor(poolPerRequest / (memory.stageLayers * perLayer));
  if (!inputs.hybridKvCache || allLayers <= localWindowTokens(inputs)) {
    return Math.min(cap, allLayers);
  }
  // Past the window only the global layers grow.
  const window = localWindowTokens(inputs);
  const localBytes = (memory.stageLayers - memory.stageGlobalLayers) * perLayer * window;
  const globalTokens = (poolPerRequest - localBytes) / (memory.stageGlobalLayers * perLayer);
  return Math.min(cap, Math.floor(globalTokens));
}

/**
 * Counts the tokens the replica's KV cache holds when it is filled with requests of
 * `maxModelLen` tokens: requests that fit (fractional) × maxModelLen. Without the hybrid KV cache
 * this is the pool divided by the bytes per token of all layers. With it, chunked-local layers
 * keep only their window, so a long request costs less per token and the count is larger.
 */
export function kvCacheTokens(inputs: MemoryInputs, memory: LayoutMemory, maxModelLen: number) {
  const bytesPerRequest = requestKvBytes(inputs, memory, maxModelLen);
  return Math.floor((memory.stageKvPoolBytes / bytesPerRequest) * maxModelLen);
}
