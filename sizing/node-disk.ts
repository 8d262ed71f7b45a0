import type { ConfigProblem } from "../config/problems";
import { gibText } from "./format";
import { DOWNLOAD_MIB_PER_SECOND } from "./startup";

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

/**
 * EBS gp3 limits. Every volume gets 3,000 IOPS and 125 MiB/s. Throughput can be provisioned up
 * to 2,000 MiB/s, at most 0.25 MiB/s per provisioned IOPS, so each MiB/s above the baseline ratio
 * needs 4 IOPS.
 *
 * Sources, checked 2026-12-04: the EC2 API reference for ModifyVolume `Throughput` (125 to 2,000
 * MiB/s) and for `Iops` (gp3 default 3,000), read as the AWS SDK for Kotlin pages
 * https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/ec2/aws.sdk.kotlin.services.ec2.model/-modify-volume-request/throughput.html
 * and .../-ebs-block-device/iops.html. The 0.25 MiB/s per IOPS ratio is in CloudFormation's
 * AWS::EC2::Volume `Throughput` description. NOTE: the EBS User Guide page on these limits,
 * https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html, was not available to
 * check, and older API pages still give 1,000 MiB/s and 16,000 IOPS as the maximums.
 */
export const GP3_BASELINE_IOPS = 3_000;
export const GP3_BASELINE_THROUGHPUT_MIB_PER_SECOND = 125;
export const GP3_MAX_THROUGHPUT_MIB_PER_SECOND = 2_000;
export const GP3_MAX_MIB_PER_SECOND_PER_IOPS = 0.25;

/**
 * Throughput of a GPU node's gp3 root volume in MiB/s. Every vLLM pod of the node downloads its
 * own copy of the weights at the same time, so the volume gets the assumed download rate once
 * per pod, up to the gp3 maximum. With at most 8 pods per node this is at most 1,000 MiB/s.
 */
export function rootVolumeThroughputMiBps(podsPerNode: number): number {
  return Math.min(GP3_MAX_THROUGHPUT_MIB_PER_SECOND, DOWNLOAD_MIB_PER_SECOND * podsPerNode);
}

/**
 * IOPS of a gp3 root volume with `throughputMiBps`: the baseline, or more when the throughput
 * exceeds 0.25 MiB/s per IOPS of the baseline (above 750 MiB/s). At the throughput maximum this
 * is 8,000 IOPS, below every published gp3 IOPS maximum. At gp3's limit of 500 IOPS per GiB
 * (stated by third-party summaries of the EBS User Guide) that needs 16 GiB, and the schema's
 * minimum root volume is 100 GiB.
 */
export function rootVolumeIops(throughputMiBps: number): number {
  const forThroughput = Math.ceil(throughputMiBps / GP3_MAX_MIB_PER_SECOND_PER_IOPS);
  return Math.max(GP3_BASELINE_IOPS, forThroughput);
}

/** Download rate of one vLLM pod in MiB/s: its share of the root volume's throughput. */
export function podDownloadMiBps(throughputMiBps: number, podsPerNode: number): number {
  return throughputMiBps / podsPerNode;
}
