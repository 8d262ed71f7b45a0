import type { GpuType } from "../../config/schema";
import { CATALOG_CHECKED, type Source } from "./source";

/** One GPU model and the vLLM features it supports. */
export interface GpuSpec {
  type: GpuType;
  displayName: string;
  /** Memory per GPU in GiB as the driver reports it, of which vLLM uses `--gpu-memory-utilization`. */
  memoryGiB: number;
  /** True for every entry, because the figures are rounded driver readings. */
  memoryEstimated: boolean;
  /** CUDA compute capability, such as 8.0 for Ampere A100 and 9.0 for Hopper. */
  computeCapability: number;
  /** Whether the GPU has FP8 tensor cores (compute capability 8.9 or newer). */
  fp8Compute: boolean;
  /** Whether vLLM's fused-MoE kernel runs FP8 experts here (it needs compute capability 8.9+). */
  fp8MoE: boolean;
  /** Whether vLLM's default attention backend on this GPU accepts `--kv-cache-dtype fp8`. */
  fp8KvCache: boolean;
  /** Whether vLLM's Marlin kernels run INT4 W4A16 weights here (compute capability 8.0+). */
  marlinInt4: boolean;
  sources: Source[];
}

/** Compute capability from which vLLM runs FP8 fused-MoE layers. */
export const FP8_MOE_MIN_COMPUTE_CAPABILITY = 8.9;

const CUDA_GPUS: Source = {
  url: "https://developer.nvidia.com/cuda-gpus",
  checked: CATALOG_CHECKED,
  note: "compute capability: A100 8.0, H100 and H200 9.0",
};

const VLLM_QUANTIZATION_HARDWARE: Source = {
  url: "https://docs.vllm.ai/en/v0.14.0/features/quantization/",
  checked: CATALOG_CHECKED,
  note: "FP8 W8A8 needs Ada (SM 8.9) or Hopper (SM 9.0); Marlin runs on Ampere and newer",
};

const VLLM_FP8_MOE_ON_A100: Source = {
  url: "https://github.com/vllm-project/vllm/issues/18182",
  checked: CATALOG_CHECKED,
  note: "Llama 4 Maverick FP8 on A100 fails: the Triton fused-MoE kernel has no fp8e4nv on SM 8.0",
};

const VLLM_FP8_KV_CACHE: Source = {
  url: "https://github.com/vllm-project/vllm/pull/14221",
  checked: CATALOG_CHECKED,
  note: "FlashAttention 2, the default backend before Hopper, rejects an FP8 KV cache",
};

const DRIVER_MEMORY = "estimate: memory reported by the NVIDIA driver, rounded";

const ampere = {
  computeCapability: 8.0,
  fp8Compute: false,
  fp8MoE: false,
  fp8KvCache: false,
  marlinInt4: true,
  memoryEstimated: true,
};

const hopper = {
  computeCapability: 9.0,
  fp8Compute: true,
  fp8MoE: true,
  fp8KvCache: true,
  marlinInt4: true,
  memoryEstimated: true,
};

const ampereSources = (memoryNote: string): Source[] => [
  {
    url: "https://www.nvidia.com/en-us/data-center/a100/",
    checked: CATALOG_CHECKED,
    note: memoryNote,
  },
  CUDA_GPUS,
  VLLM_QUANTIZATION_HARDWARE,
  VLLM_FP8_MOE_ON_A100,
  VLLM_FP8_KV_CACHE,
];

/** GPU models servekit can size for, keyed by the stack's `gpu` value. */
export const GPUS: Record<GpuType, GpuSpec> = {
  "a100-40gb": {
    type: "a100-40gb",
    displayName: "NVIDIA A100 40GB",
    memoryGiB: 40,
    ...ampere,
    sources: ampereSources(`${DRIVER_MEMORY}: about 40 GiB`),
  },
  "a100-80gb": {
    type: "a100-80gb",
    displayName: "NVIDIA A100 80GB",
    memoryGiB: 80,
    ...ampere,
    sources: ampereSources(`${DRIVER_MEMORY}: about 80 GiB`),
  },
  "h100-80gb": {
    type: "h100-80gb",
    displayName: "NVIDIA H100 80GB",
    memoryGiB: 79.6,
    ...hopper,
    sources: [
      {
        url: "https://www.nvidia.com/en-us/data-center/h100/",
        checked: CATALOG_CHECKED,
        note: `${DRIVER_MEMORY}: about 79.6 GiB of the 80 GB HBM3`,
      },
      CUDA_GPUS,
      VLLM_QUANTIZATION_HARDWARE,
    ],
  },
  "h200-141gb": {
    type: "h200-141gb",
    displayName: "NVIDIA H200 141GB",
    memoryGiB: 140.4,
    ...hopper,
    sources: [
      {
        url: "https://www.nvidia.com/en-us/data-center/h200/",
        checked: CATALOG_CHECKED,
        note: `${DRIVER_MEMORY}: about 140.4 GiB of the 141 GB HBM3e`,
      },
      CUDA_GPUS,
      VLLM_QUANTIZATION_HARDWARE,
    ],
  },
};
