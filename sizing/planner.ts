import type { ConfigProblem } from "../config/problems";
import { DEFAULT_MAX_MODEL_LEN, type StackConfig } from "../config/schema";
import { checkpointFor, type Checkpoint } from "./catalog/checkpoints";
import { MODELS, type ModelSpec } from "./catalog/models";
import { poolUsdPerHour } from "./cost";
import { explainPlan, nodeSentences, type PlanFacts, type RootVolumeFacts } from "./explain";
import { round2 } from "./format";
import { kvCacheTokens } from "./memory";
import { infeasibleProblems, modelMaxProblem } from "./messages";
import {
  allocatableDiskGiB,
  modelCacheGiB,
  podDownloadMiBps,
  requiredRootVolumeGiB,
  rootVolumeGiB,
  rootVolumeIops,
  rootVolumeProblem,
  rootVolumeThroughputMiBps,
} from "./node-disk";
import { nodePoolProblems, nodePoolSizes } from "./node-pool";
import { evaluateInstances, rankFeasible, stackGpuProblems, type InstanceOption } from "./options";
import { parallelismProblems } from "./parallelism";
import type { ContextDemand } from "./search";
import { estimateStartupSeconds } from "./startup";
import type { PlanResult, SizingPlan } from "./types";
import { planWarnings } from "./warnings";

/** GPUs per node of every instance type in the catalog, for checking the parallelism overrides. */
const GPUS_PER_NODE = 8;

/**
 * Sizes a deployment from a parsed stack: picks the checkpoint, the instance type, tensor and
 * pipeline parallelism, the context and the node pool, and prices it. Returns every problem
 * that can be found at once when the stack cannot be served as written.
 */
export function planDeployment(config: StackConfig): PlanResult {
  const model = MODELS[config.model];
  const checkpoint = checkpointFor(config.model, config.quantization);
  const demand: ContextDemand = {
    maxModelLen: config.maxModelLen ?? Math.min(DEFAULT_MAX_MODEL_LEN, model.maxModelLen),
    requests: config.fullLengthRequests,
  };
  // The root volume must hold at least the image and one copy of the weights on any layout.
  const diskFloor = rootVolumeProblem(
    requiredRootVolumeGiB(checkpoint.weightsGiB, 1),
    checkpoint.weightsGiB,
    1,
    config.nodePool.rootVolumeGiB,
  );

  const inputProblems = [
    ...modelMaxProblem(config, model),
    ...parallelismProblems(config, model, GPUS_PER_NODE),
    ...stackGpuProblems(config, checkpoint),
  ];
  if (inputProblems.length > 0) return failure([...inputProblems, ...diskFloor]);

  const options = evaluateInstances(config, model, checkpoint, demand);
  const ranked = rankFeasible(options);
  if (ranked.length === 0) {
    return failure([
      ...infeasibleProblems(config, model, checkpoint, demand, options),
      ...diskFloor,
    ]);
  }
  return buildPlan(config, model, checkpoint, demand, ranked, options);
}

function failure(problems: ConfigProblem[]): PlanResult {
  return { ok: false, problems };
}

function buildPlan(
  config: StackConfig,
  model: ModelSpec,
  checkpoint: Checkpoint,
  demand: ContextDemand,
  ranked: InstanceOption[],
  options: InstanceOption[],
): PlanResult {
  const chosen = ranked[0];
  const fit = chosen.search!.chosen!;
  const packing = chosen.packing!;
  const podsPerNode = packing.replicasPerNode;
  const requiredDisk = requiredRootVolumeGiB(checkpoint.weightsGiB, podsPerNode);
  const problems = [
    ...nodePoolProblems(config, packing, chosen.instance.type),
    ...rootVolumeProblem(
      requiredDisk,
      checkpoint.weightsGiB,
      podsPerNode,
      config.nodePool.rootVolumeGiB,
    ),
  ];
  if (problems.length > 0) return failure(problems);

  const tokens = kvCacheTokens(chosen.inputs, fit.memory, demand.maxModelLen);
  const throughput = rootVolumeThroughputMiBps(podsPerNode);
  const rootVolume: RootVolumeFacts = {
    sizeGiB: rootVolumeGiB(requiredDisk, config.nodePool.rootVolumeGiB),
    requiredGiB: requiredDisk,
    modelCacheGiB: modelCacheGiB(checkpoint.weightsGiB),
    throughputMiBps: throughput,
    iops: rootVolumeIops(throughput),
    podsPerNode,
  };
  // The pods of a node download at once, so each gets its share of the volume's throughput.
  const estimatedStartupSeconds = estimateStartupSeconds(
    checkpoint.weightsGiB,
    podDownloadMiBps(throughput, podsPerNode),
  );
  const startupTimeoutSeconds = config.startupTimeoutSeconds ?? estimatedStartupSeconds;
  const facts: PlanFacts = {
    config,
    model,
    checkpoint,
    demand,
    chosen,
    fit,
    ranked,
    options,
    kvCacheTokens: tokens,
  };
  const explanation = [
    ...explainPlan(facts),
    ...nodeSentences(checkpoint, startupTimeoutSeconds, rootVolume, {
      startup: config.startupTimeoutSeconds !== undefined,
      rootVolume: config.nodePool.rootVolumeGiB !== undefined,
    }),
  ];
  const warnings = planWarnings({ ...facts, estimatedStartupSeconds });
  const plan = assemblePlan(facts, { startupTimeoutSeconds, rootVolume, explanation, warnings });
  return { ok: true, plan };
}

interface Extras {
  startupTimeoutSeconds: number;
  rootVolume: RootVolumeFacts;
  explanation: string[];
  warnings: string[];
}

function assemblePlan(facts: PlanFacts, extras: Extras): SizingPlan {
  const { config, model, checkpoint, demand, chosen, fit } = facts;
  const packing = chosen.packing!;
  const memory = fit.memory;
  const pool = nodePoolSizes(config, packing);
  const price = chosen.price.usdPerHour;
  const cost = (replicas: number) => {
    const usd = poolUsdPerHour(price, replicas, packing);
    return usd === null ? null : round2(usd);
  };
  return {
    model: {
      name: model.name,
      checkpoint: checkpoint.huggingFaceId,
      servedModelName: config.servedModelName ?? model.name,
      weightsGiB: round2(checkpoint.weightsGiB),
      weightsEstimated: checkpoint.weightsEstimated,
    },
    quantization: config.quantization,
    kvCacheDtype: config.kvCacheDtype,
    kvCacheBytesPerElement: chosen.inputs.kvBytesPerElement,
    hybridKvCache: config.hybridKvCache,
    gpu: {
      type: chosen.gpu.type,
      instanceType: chosen.instance.type,
      gpusPerNode: chosen.instance.gpusPerNode,
      memoryGiB: chosen.gpu.memoryGiB,
    },
    parallelism: {
      tensor: memory.layout.tensor,
      pipeline: memory.layout.pipeline,
      gpusPerReplica: memory.gpus,
      nodesPerReplica: packing.nodesPerReplica,
      replicasPerNode: packing.replicasPerNode,
      gpusPerPod: packing.gpusPerPod,
    },
    context: {
      maxModelLen: demand.maxModelLen,
      maxFeasibleModelLen: fit.maxFeasibleModelLen,
      kvCacheTokens: facts.kvCacheTokens,
      fullLengthRequests: demand.requests,
      modelMaxLen: model.maxModelLen,
    },
    memoryPerGpuGiB: {
      usable: round2(memory.usableGiB),
      weights: round2(memory.weightsGiB),
      overhead: round2(memory.overheadGiB),
      kvCache: round2(memory.kvCacheGiB),
    },
    replicas: { min: config.replicas.min, max: config.replicas.max },
    nodePool: {
      instanceType: chosen.instance.type,
      minSize: pool.minSize,
      maxSize: pool.maxSize,
      rootVolumeGiB: extras.rootVolume.sizeGiB,
      rootVolumeThroughputMiBps: extras.rootVolume.throughputMiBps,
      rootVolumeIops: extras.rootVolume.iops,
      allocatableDiskGiB: allocatableDiskGiB(extras.rootVolume.sizeGiB),
      modelCacheGiB: modelCacheGiB(checkpoint.weightsGiB),
    },
    costUsdPerHour: {
      min: cost(config.replicas.min),
      max: cost(config.replicas.max),
      pricePerNode: price,
      priceSource: chosen.price.source,
    },
    vllm: {
      gpuMemoryUtilization: config.gpuMemoryUtilization,
      maxNumBatchedTokens: config.maxNumBatchedTokens,
    },
    startupTimeoutSeconds: extras.startupTimeoutSeconds,
    explanation: extras.explanation,
    warnings: extras.warnings,
  };
}
