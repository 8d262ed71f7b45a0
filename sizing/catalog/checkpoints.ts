import type { ModelName, Quantization } from "../../config/schema";
import { CATALOG_CHECKED, gbToGiB, type Source } from "./source";

/** GPU kernel a checkpoint's MoE layers need: none beyond BF16, FP8 fused MoE, or INT4 Marlin. */
export type CheckpointKernel = "bf16" | "fp8-moe" | "marlin-int4";

/** One Hugging Face checkpoint of a model in one weight format. */
export interface CheckpointSpec {
  /** Hugging Face repository id that vLLM loads. */
  huggingFaceId: string;
  /** Other repositories with the same weight format, for reference only. */
  alternatives: string[];
  /** Size of the weight files in decimal GB (10^9 bytes), as published or estimated. */
  weightsGB: number;
  /** True when `weightsGB` is computed from the parameter count rather than read from the hub. */
  weightsEstimated: boolean;
  kernel: CheckpointKernel;
  source: Source;
}

/** A checkpoint with its weight size converted to GiB, the unit the memory model works in. */
export interface Checkpoint extends CheckpointSpec {
  model: ModelName;
  quantization: Quantization;
  weightsGiB: number;
}

const hubPage = (id: string, note: string): Source => ({
  url: `https://huggingface.co/${id}`,
  checked: CATALOG_CHECKED,
  note,
});

/** Checkpoints servekit serves, keyed by model and then by the stack's `quantization`. */
export const CHECKPOINTS: Record<ModelName, Record<Quantization, CheckpointSpec>> = {
  "llama-4-scout": {
    bf16: {
      huggingFaceId: "meta-llama/Llama-4-Scout-17B-16E-Instruct",
      alternatives: [],
      weightsGB: 217.3,
      weightsEstimated: false,
      kernel: "bf16",
      source: {
        url: "https://huggingface.co/api/models/meta-llama/Llama-4-Scout-17B-16E-Instruct",
        checked: CATALOG_CHECKED,
        note: "safetensors size reported by the Hugging Face API (third-party reading)",
      },
    },
    fp8: {
      huggingFaceId: "RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic",
      alternatives: ["nvidia/Llama-4-Scout-17B-16E-Instruct-FP8"],
      weightsGB: 112,
      weightsEstimated: true,
      kernel: "fp8-moe",
      source: hubPage(
        "RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic",
        "estimate: about 1 byte per text parameter plus the BF16 vision encoder",
      ),
    },
    int4: {
      huggingFaceId: "RedHatAI/Llama-4-Scout-17B-16E-Instruct-quantized.w4a16",
      alternatives: [],
      weightsGB: 60,
      weightsEstimated: true,
      kernel: "marlin-int4",
      source: hubPage(
        "RedHatAI/Llama-4-Scout-17B-16E-Instruct-quantized.w4a16",
        "estimate: about 0.5 byte per expert parameter plus BF16 attention and vision encoder",
      ),
    },
  },
  "llama-4-maverick": {
    bf16: {
      huggingFaceId: "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
      alternatives: [],
      weightsGB: 803,
      weightsEstimated: true,
      kernel: "bf16",
      source: hubPage(
        "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
        "estimate: 2 bytes for each of about 401.6B parameters",
      ),
    },
    fp8: {
      huggingFaceId: "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
      alternatives: [],
      weightsGB: 417,
      weightsEstimated: true,
      kernel: "fp8-moe",
      source: hubPage(
        "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
        "estimate: FP8 routed experts, BF16 attention, shared experts and vision encoder; " +
          "the exact file size is unverified",
      ),
    },
    int4: {
      huggingFaceId: "RedHatAI/Llama-4-Maverick-17B-128E-Instruct-quantized.w4a16",
      alternatives: [],
      weightsGB: 212,
      weightsEstimated: true,
      kernel: "marlin-int4",
      source: hubPage(
        "RedHatAI/Llama-4-Maverick-17B-128E-Instruct-quantized.w4a16",
        "estimate: about 0.5 byte per expert parameter plus BF16 attention and vision encoder",
      ),
    },
  },
};

/** Looks up the checkpoint for a model and quantization, with its weights in GiB. */
export function checkpointFor(model: ModelName, quantization: Quantization): Checkpoint {
  const spec = CHECKPOINTS[model][quantization];
  return { ...spec, model, quantization, weightsGiB: gbToGiB(spec.weightsGB) };
}
