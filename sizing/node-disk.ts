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

/** Share added to the weights in each pod's model cache for partial downloads (estimate). */
export const MODEL_CACHE_HEADROOM = 0.1;

/**
 * Share of the root volume the kubelet lets pods use: it evicts below its default hard threshold
 * `nodefs.available<10%` (Kubernetes "Node-pressure Eviction").
 */
export const ALLOCATABLE_DISK_SHARE = 0.9;

/** Ephemeral storage the EKS AL2023 node configuration reserves for system daemons, in GiB. */
export const KUBE_RESERVED_DISK_GIB = 1;

/** Model cache of one vLLM pod in GiB: every pod of a node downloads the whole checkpoint. */
export function modelCacheGiB(weightsGiB: number): number {
  return Math.ceil(weightsGiB * (1 + MODEL_CACHE_HEADROOM));
}

/** Ephemeral storage a node with this root volume offers pods, in GiB. */
export function allocatableDiskGiB(rootVolumeGiB: number): number {
  return Math.floor(rootVolumeGiB * ALLOCATABLE_DISK_SHARE) - KUBE_RESERVED_DISK_GIB;
}

/**
 * Smallest root volume on which the vLLM pods of one node schedule: the kubelet must offer the
 * caches they request, and the disk must also hold the image next to them.
 */
export function requiredRootVolumeGiB(weightsGiB: number, podsPerNode: number): number {
  const cachesGiB = modelCacheGiB(weightsGiB) * podsPerNode;
  const forScheduling = Math.ceil(
    (cachesGiB + KUBE_RESERVED_DISK_GIB + 1) / ALLOCATABLE_DISK_SHARE,
  );
  return Math.max(forScheduling, VLLM_IMAGE_GIB + cachesGiB);
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
  const cachesGiB = modelCacheGiB(weightsGiB) * podsPerNode;
  return [
    {
      path: "nodePool.rootVolumeGiB",
      message:
        `is ${configured}, but the vLLM pods of one node request ${cachesGiB} GiB of model ` +
        `cache for ${copies} (${gibText(weightsGiB * podsPerNode)} plus ` +
        `${MODEL_CACHE_HEADROOM * 100}%), and the kubelet offers pods only ` +
        `${ALLOCATABLE_DISK_SHARE * 100}% of the disk less ${KUBE_RESERVED_DISK_GIB} GiB, next to ` +
        `${VLLM_IMAGE_GIB} GiB for the vLLM image. Set it to at least ${requiredGiB}, or remove ` +
        `it to use the computed size`,
    },
  ];
}
