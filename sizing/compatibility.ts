import type { ConfigProblem } from "../config/problems";
import { GPU_TYPES, QUANTIZATIONS, type GpuType, type KvCacheDtype } from "../config/schema";
import { CHECKPOINTS, type Checkpoint } from "./catalog/checkpoints";
import { FP8_MOE_MIN_COMPUTE_CAPABILITY, GPUS, type GpuSpec } from "./catalog/gpus";
import { listText } from "./format";

/** Checks whether a GPU runs the kernel a checkpoint needs. */
export function gpuRunsCheckpoint(gpu: GpuSpec, checkpoint: Pick<Checkpoint, "kernel">): boolean {
  if (checkpoint.kernel === "fp8-moe") return gpu.fp8MoE;
  if (checkpoint.kernel === "marlin-int4") return gpu.marlinInt4;
  return true;
}

/** Returns the bytes per KV cache element, where `auto` means the BF16 activation dtype. */
export function kvBytesPerElement(kvCacheDtype: KvCacheDtype): 1 | 2 {
  return kvCacheDtype === "fp8" ? 1 : 2;
}

/**
 * Lists why a GPU cannot serve a checkpoint with a KV cache dtype: an FP8 MoE checkpoint below
 * compute capability 8.9, or an FP8 KV cache where the default attention backend rejects it.
 * Returns an empty list when the combination runs.
 */
export function gpuProblems(
  checkpoint: Checkpoint,
  gpu: GpuSpec,
  kvCacheDtype: KvCacheDtype,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!gpuRunsCheckpoint(gpu, checkpoint)) {
    problems.push({ path: "quantization", message: fp8MoeMessage(checkpoint, gpu) });
  }
  if (kvCacheDtype === "fp8" && !gpu.fp8KvCache) {
    problems.push({
      path: "kvCacheDtype",
      message:
        `is fp8, which ${gpu.type} cannot use: vLLM's default attention backend on compute ` +
        `capability ${gpu.computeCapability.toFixed(1)} (FlashAttention 2) rejects an FP8 KV ` +
        `cache. Set kvCacheDtype to auto, or use ${listText(
          gpusWith((g) => g.fp8KvCache),
          "or",
        )}`,
    });
  }
  return problems;
}

/**
 * Lists short reasons why a GPU cannot serve a checkpoint with a KV cache dtype, for the plan's
 * explanation of skipped instance types. Returns an empty list when the combination runs.
 */
export function incompatibilityReasons(
  gpu: GpuSpec,
  checkpoint: Pick<Checkpoint, "kernel" | "quantization">,
  kvCacheDtype: KvCacheDtype,
): string[] {
  const reasons: string[] = [];
  const capability = gpu.computeCapability.toFixed(1);
  if (!gpuRunsCheckpoint(gpu, checkpoint)) {
    reasons.push(
      `its ${gpu.type} GPUs (compute capability ${capability}) cannot run ` +
        `${checkpoint.quantization} MoE layers, which need ${FP8_MOE_MIN_COMPUTE_CAPABILITY} or newer`,
    );
  }
  if (kvCacheDtype === "fp8" && !gpu.fp8KvCache) {
    reasons.push(`its ${gpu.type} GPUs cannot use an FP8 KV cache with vLLM's default backend`);
  }
  return reasons;
}

function fp8MoeMessage(checkpoint: Checkpoint, gpu: GpuSpec): string {
  const otherQuantizations = QUANTIZATIONS.filter((quantization) => {
    const spec = CHECKPOINTS[checkpoint.model][quantization];
    return quantization !== checkpoint.quantization && gpuRunsCheckpoint(gpu, spec);
  });
  const gpuTypes = gpusWith((g) => gpuRunsCheckpoint(g, checkpoint));
  return (
    `is ${checkpoint.quantization}, which ${gpu.type} cannot run: vLLM's FP8 fused-MoE kernel ` +
    `needs compute capability ${FP8_MOE_MIN_COMPUTE_CAPABILITY} or newer (Hopper is 9.0), and ` +
    `the ${gpu.displayName} has ${gpu.computeCapability.toFixed(1)}. Use gpu ${listText(gpuTypes, "or")} ` +
    `for ${checkpoint.quantization}, or keep ${gpu.type} with quantization ` +
    `${listText(otherQuantizations, "or")}`
  );
}

function gpusWith(predicate: (gpu: GpuSpec) => boolean): GpuType[] {
  return GPU_TYPES.filter((type) => predicate(GPUS[type]));
}
