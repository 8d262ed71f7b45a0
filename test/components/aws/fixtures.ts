import {
  allocatableDiskGiB,
  modelCacheGiB,
  rootVolumeIops,
  rootVolumeThroughputMiBps,
} from "../../../sizing/node-disk";
import type { SizingPlan } from "../../../sizing/types";
import { runProgram, type ProgramRun } from "../../../plan/run";
import { stackValues } from "../../support/stack";

/**
 * Maverick FP8 on one p5.48xlarge: TP 8, PP 1, 8 GPUs per pod, replicas 1 to 2. Figures are
 * realistic but hand-written, so the tests do not depend on the planner.
 */
export function maverickFp8Plan(): SizingPlan {
  return {
    model: {
      name: "llama-4-maverick",
      checkpoint: "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
      servedModelName: "llama-4-maverick",
      weightsGiB: 388,
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
      maxModelLen: 32_768,
      maxFeasibleModelLen: 530_000,
      kvCacheTokens: 560_000,
      fullLengthRequests: 1,
      modelMaxLen: 1_048_576,
    },
    memoryPerGpuGiB: { usable: 71.6, weights: 48.5, overhead: 11, kvCache: 12.1 },
    replicas: { min: 1, max: 2 },
    nodePool: {
      instanceType: "p5.48xlarge",
      minSize: 1,
      maxSize: 2,
      rootVolumeGiB: 600,
      rootVolumeThroughputMiBps: rootVolumeThroughputMiBps(1),
      rootVolumeIops: rootVolumeIops(rootVolumeThroughputMiBps(1)),
      allocatableDiskGiB: allocatableDiskGiB(600),
      modelCacheGiB: modelCacheGiB(388),
    },
    costUsdPerHour: {
      min: 55.04,
      max: 110.08,
      pricePerNode: 55.04,
      priceSource: "test fixture",
    },
    vllm: { gpuMemoryUtilization: 0.9, maxNumBatchedTokens: 8192 },
    startupTimeoutSeconds: 2400,
    explanation: ["Maverick FP8 fits one p5.48xlarge with TP 8."],
    warnings: [],
  };
}

/** Maverick BF16 on two p5.48xlarge nodes per replica: TP 8 × PP 2, 0 to 2 replicas. */
export function maverickBf16MultiNodePlan(): SizingPlan {
  const plan = maverickFp8Plan();
  return {
    ...plan,
    model: {
      ...plan.model,
      checkpoint: "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
      weightsGiB: 748,
    },
    quantization: "bf16",
    parallelism: {
      tensor: 8,
      pipeline: 2,
      gpusPerReplica: 16,
      nodesPerReplica: 2,
      replicasPerNode: 1,
      gpusPerPod: 8,
    },
    memoryPerGpuGiB: { usable: 71.6, weights: 46.8, overhead: 11, kvCache: 13.8 },
    replicas: { min: 0, max: 2 },
    nodePool: {
      instanceType: "p5.48xlarge",
      minSize: 0,
      maxSize: 4,
      rootVolumeGiB: 1000,
      rootVolumeThroughputMiBps: rootVolumeThroughputMiBps(1),
      rootVolumeIops: rootVolumeIops(rootVolumeThroughputMiBps(1)),
      allocatableDiskGiB: allocatableDiskGiB(1000),
      modelCacheGiB: modelCacheGiB(748),
    },
    costUsdPerHour: { min: 0, max: 220.16, pricePerNode: 55.04, priceSource: "test fixture" },
  };
}

/** Runs a program under the mocks with a small valid stack and a test stack name. */
export function runAws(
  program: () => Record<string, unknown> | void,
  values: Record<string, unknown> = {},
): Promise<ProgramRun> {
  return runProgram(
    { stackName: "test", values: stackValues(values), secrets: {}, otherNamespaces: {} },
    async () => program() ?? {},
  );
}
