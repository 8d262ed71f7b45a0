import {
  allocatableDiskGiB,
  modelCacheGiB,
  rootVolumeIops,
  rootVolumeThroughputMiBps,
} from "../../sizing/node-disk";
import { estimateStartupSeconds } from "../../sizing/startup";
import type { SizingPlan } from "../../sizing/types";

/*
 * Sizing plans for the component tests. The figures are realistic but hand-written, so the
 * component tests do not depend on the planner. Only the disk fields and the start-up timeout
 * come from the sizing formulas, so they stay consistent with the root volume and the weights.
 */

/** Overrides of a plan, one level deep per section. */
export type PlanOverrides = { [K in keyof SizingPlan]?: Partial<SizingPlan[K]> };

/**
 * Merges section overrides into a copy of `base`. The root volume's throughput and IOPS, the
 * allocatable disk and the model cache are derived again from the merged plan, unless
 * `overrides.nodePool` sets them.
 */
export function applyPlanOverrides(base: SizingPlan, overrides: PlanOverrides): SizingPlan {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = (base as unknown as Record<string, unknown>)[key];
    merged[key] =
      typeof current === "object" && current !== null && !Array.isArray(current)
        ? { ...current, ...(value as object) }
        : value;
  }
  const plan = merged as unknown as SizingPlan;
  const disk = overrides.nodePool ?? {};
  const throughput =
    disk.rootVolumeThroughputMiBps ?? rootVolumeThroughputMiBps(plan.parallelism.replicasPerNode);
  plan.nodePool = {
    ...plan.nodePool,
    rootVolumeThroughputMiBps: throughput,
    rootVolumeIops: disk.rootVolumeIops ?? rootVolumeIops(throughput),
    allocatableDiskGiB: disk.allocatableDiskGiB ?? allocatableDiskGiB(plan.nodePool.rootVolumeGiB),
    modelCacheGiB: disk.modelCacheGiB ?? modelCacheGiB(plan.model.weightsGiB),
  };
  return plan;
}

/**
 * Maverick FP8 on one p5.48xlarge: TP 8, PP 1, the whole node per replica (~417 GB of weights),
 * 1 to 2 replicas.
 */
export function maverickFp8Plan(overrides: PlanOverrides = {}): SizingPlan {
  const weightsGiB = 388;
  return applyPlanOverrides(
    {
      model: {
        name: "llama-4-maverick",
        checkpoint: "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
        servedModelName: "llama-4-maverick",
        weightsGiB,
        weightsEstimated: true,
      },
      quantization: "fp8",
      kvCacheDtype: "auto",
      kvCacheBytesPerElement: 2,
      hybridKvCache: true,
      gpu: { type: "h100-80gb", instanceType: "p5.48xlarge", gpusPerNode: 8, memoryGiB: 79.6 },
      parallelism: {
        tensor: 8,
        pipeline: 1,
        gpusPerReplica: 8,
        nodesPerReplica: 1,
        replicasPerNode: 1,
        gpusPerPod: 8,
      },
      context: {
        maxModelLen: 131_072,
        maxFeasibleModelLen: 530_000,
        kvCacheTokens: 530_000,
        fullLengthRequests: 1,
        modelMaxLen: 1_048_576,
      },
      // 90% of the 79.6 GiB GPU (gpuMemoryUtilization 0.9), split into weights, overhead and KV cache.
      memoryPerGpuGiB: { usable: 71.64, weights: 48.5, overhead: 11, kvCache: 12.14 },
      replicas: { min: 1, max: 2 },
      nodePool: {
        instanceType: "p5.48xlarge",
        minSize: 1,
        maxSize: 2,
        rootVolumeGiB: 510,
        rootVolumeThroughputMiBps: rootVolumeThroughputMiBps(1),
        rootVolumeIops: rootVolumeIops(rootVolumeThroughputMiBps(1)),
        allocatableDiskGiB: allocatableDiskGiB(510),
        modelCacheGiB: modelCacheGiB(weightsGiB),
      },
      costUsdPerHour: {
        min: 55.04,
        max: 110.08,
        pricePerNode: 55.04,
        priceSource: "catalog: US East (N. Virginia) on-demand",
      },
      vllm: { gpuMemoryUtilization: 0.9, maxNumBatchedTokens: 8192 },
      startupTimeoutSeconds: estimateStartupSeconds(weightsGiB),
      explanation: ["Maverick FP8 fits one 8 × H100 node with TP 8."],
      warnings: [],
    },
    overrides,
  );
}

/**
 * Maverick BF16 on two p5.48xlarge nodes per replica: TP 8 within a node, PP 2 across them,
 * 1 to 2 replicas, so 2 to 4 nodes.
 */
export function maverickBf16MultiNodePlan(overrides: PlanOverrides = {}): SizingPlan {
  const weightsGiB = 748;
  return applyPlanOverrides(
    maverickFp8Plan({
      model: {
        checkpoint: "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
        weightsGiB,
      },
      quantization: "bf16",
      parallelism: { pipeline: 2, gpusPerReplica: 16, nodesPerReplica: 2 },
      memoryPerGpuGiB: { weights: 46.75, kvCache: 13.89 },
      replicas: { min: 1, max: 2 },
      nodePool: { minSize: 2, maxSize: 4, rootVolumeGiB: 940 },
      costUsdPerHour: { min: 110.08, max: 220.16 },
      startupTimeoutSeconds: estimateStartupSeconds(weightsGiB),
      explanation: ["Maverick BF16 needs two 8 × H100 nodes per replica with TP 8 and PP 2."],
    }),
    overrides,
  );
}
