import type { ConfigProblem } from "../config/problems";
import { gibText } from "./format";

/**
 * Root volume space for the unpacked vLLM OpenAI server image and containerd's copy of its
 * layers. NOTE: an estimate for recent vllm/vllm-openai tags (CUDA, PyTorch and kernels).
 */
export const VLLM_IMAGE_GIB = 30;

/** Share added to image and weights for logs, the OS and partial downloads. */
export const ROOT_VOLUME_HEADROOM = 0.2;

/** The schema's bounds for `nodePool.rootVolumeGiB`. */
const ROOT_VOLUME_MIN_GIB = 100;
const ROOT_VOLUME_MAX_GIB = 16_384;

/** Disk a GPU node needs: the image plus one copy of the weights per vLLM pod on the node. */
export function requiredRootVolumeGiB(weightsGiB: number, podsPerNode: number): number {
  return VLLM_IMAGE_GIB + weightsGiB * podsPerNode;
}

/**
 * Chooses the root volume: the stack's `nodePool.rootVolumeGiB` when given, or the required
 * space plus headroom, rounded up to 10 GiB and kept within the schema's bounds.
 */
export function rootVolumeGiB(requiredGiB: number, configured: number | undefined): number {
  if (configured !== undefined) return configured;
  const withHeadroom = Math.ceil((requiredGiB * (1 + ROOT_VOLUME_HEADROOM)) / 10) * 10;
  return Math.min(ROOT_VOLUME_MAX_GIB, Math.max(ROOT_VOLUME_MIN_GIB, withHeadroom));
}

/** Returns the problem for a configured root volume too small for the image and weights. */
export function rootVolumeProblem(
  requiredGiB: number,
  weightsGiB: number,
  podsPerNode: number,
  configured: number | undefined,
): ConfigProblem[] {
  if (configured === undefined || configured >= requiredGiB) return [];
  const copies = podsPerNode === 1 ? "the weights" : `${podsPerNode} copies of the weights`;
  return [
    {
      path: "nodePool.rootVolumeGiB",
      message:
        `is ${configured}, but each node needs about ${Math.ceil(requiredGiB)} GiB: ` +
        `${VLLM_IMAGE_GIB} GiB for the vLLM image and ${gibText(weightsGiB * podsPerNode)} for ` +
        `${copies} (one per vLLM pod on the node). Set it to at least ` +
        `${Math.ceil(requiredGiB)}, or remove it to use the computed size`,
    },
  ];
}
