import type { StackConfig } from "../config/schema";
import type { Checkpoint } from "./catalog/checkpoints";
import type { ModelSpec } from "./catalog/models";
import { instanceSentences } from "./explain-instance";
import { countText, gibText, gpusText, numberText, tokensText } from "./format";
import { localWindowTokens } from "./memory";
import type { InstanceOption } from "./options";
import { layoutText, type ContextDemand, type LayoutFit } from "./search";
import { DOWNLOAD_MIB_PER_SECOND, LOAD_GIB_PER_SECOND, STARTUP_FIXED_SECONDS } from "./startup";
import {
  GP3_BASELINE_IOPS,
  GP3_MAX_MIB_PER_SECOND_PER_IOPS,
  podDownloadMiBps,
  MODEL_CACHE_HEADROOM,
  ROOT_VOLUME_HEADROOM,
  VLLM_IMAGE_GIB,
} from "./node-disk";

/** Inputs of the explanation: the chosen option and the options it was compared with. */
export interface PlanFacts {
  config: StackConfig;
  model: ModelSpec;
  checkpoint: Checkpoint;
  demand: ContextDemand;
  chosen: InstanceOption;
  fit: LayoutFit;
  ranked: InstanceOption[];
  options: InstanceOption[];
  kvCacheTokens: number;
}

/** Writes the sentences that explain the plan, in the order a reader checks them. */
export function explainPlan(facts: PlanFacts): string[] {
  return [
    checkpointSentence(facts.checkpoint),
    ...instanceSentences(facts),
    budgetSentence(facts),
    gpuCountSentence(facts),
    ...multiNodeSentences(facts),
    kvCacheSentence(facts),
  ];
}

function checkpointSentence(checkpoint: Checkpoint): string {
  const estimate = checkpoint.weightsEstimated ? ", an estimate" : "";
  return (
    `Checkpoint ${checkpoint.huggingFaceId}: about ${checkpoint.weightsGB} GB of weights ` +
    `(${gibText(checkpoint.weightsGiB)}${estimate}).`
  );
}

function budgetSentence({ config, chosen, fit }: PlanFacts): string {
  const memory = fit.memory;
  return (
    `Each ${chosen.gpu.type} GPU gives ${gibText(memory.usableGiB)} at ` +
    `gpuMemoryUtilization ${config.gpuMemoryUtilization}. About ${memory.overheadGiB} GiB go to ` +
    `activations, CUDA graphs and buffers (an estimate), leaving ` +
    `${gibText(memory.usableGiB - memory.overheadGiB)} for weights and KV cache.`
  );
}

function gpuCountSentence({ config, checkpoint, demand, chosen, fit }: PlanFacts): string {
  const memory = fit.memory;
  const requests = demand.requests === 1 ? "one request" : `${demand.requests} requests`;
  const fitText =
    `holds the ${gibText(checkpoint.weightsGiB)} of weights (${gibText(memory.weightsGiB)} per ` +
    `GPU) and ${requests} of ${tokensText(demand.maxModelLen)} tokens`;
  if (config.tensorParallelSize !== undefined || config.pipelineParallelSize !== undefined) {
    return `${layoutText(memory.layout)} (${gpusText(memory.gpus)}) is set by the stack and ${fitText}.`;
  }
  const tried = chosen.search?.tried ?? [];
  const previous = tried.length > 1 ? tried[tried.length - 2] : undefined;
  const smaller = previous ? ` ${smallerLayoutText(previous)}` : "";
  const layout = `${layoutText(memory.layout)} (${gpusText(memory.gpus)})`;
  return `${layout} is the smallest layout that ${fitText}.${smaller}`;
}

function smallerLayoutText(previous: LayoutFit): string {
  const memory = previous.memory;
  if (!previous.fitsWeights) {
    return (
      `${layoutText(memory.layout)} would need ${gibText(memory.weightsGiB)} of weights per ` +
      `GPU against ${gibText(memory.usableGiB - memory.overheadGiB)} of room.`
    );
  }
  return (
    `${layoutText(memory.layout)} holds the weights, but its KV cache fits requests of at most ` +
    `${tokensText(previous.maxModelLenForRequests)} tokens.`
  );
}

function multiNodeSentences({ config, model, chosen, fit }: PlanFacts): string[] {
  const layout = fit.memory.layout;
  const gpusPerNode = chosen.instance.gpusPerNode;
  if (layout.pipeline > 1) {
    const reason =
      config.pipelineParallelSize === undefined
        ? `One node with ${gpusPerNode} GPUs is not enough, so`
        : `pipelineParallelSize is ${layout.pipeline}, so`;
    return [
      `${reason} the replica spans ${countText(layout.pipeline, "node")}: TP ${layout.tensor} ` +
        `inside each node and pipeline parallel ${layout.pipeline} across nodes. A ` +
        `tensor-parallel size above ${layout.tensor} would not divide ${model.name}'s ` +
        `${model.attentionHeads} attention heads and ${model.kvHeads} KV heads. Each node runs ` +
        `one vLLM pod with ${gpusText(gpusPerNode)}.`,
    ];
  }
  const packing = chosen.packing;
  if (!packing || packing.replicasPerNode <= 1) return [];
  return [
    `Each replica uses ${layout.tensor} of a node's ${gpusPerNode} GPUs, so ` +
      `${packing.replicasPerNode} replicas share a node and each vLLM pod requests ` +
      `${gpusText(packing.gpusPerPod)}.`,
  ];
}

function kvCacheSentence(facts: PlanFacts): string {
  const { config, model, demand, fit, kvCacheTokens } = facts;
  const requests = kvCacheTokens / demand.maxModelLen;
  const capacity =
    `The KV cache of one replica holds about ${requests.toFixed(1)} requests of ` +
    `${tokensText(demand.maxModelLen)} tokens at once (${tokensText(kvCacheTokens)} tokens).`;
  const longest =
    fit.maxFeasibleModelLen >= model.maxModelLen
      ? `One request can be up to ${tokensText(fit.maxFeasibleModelLen)} tokens, which is ` +
        `${model.name}'s maximum context, not a memory limit.`
      : `One request can be up to ${tokensText(fit.maxFeasibleModelLen)} tokens before the KV ` +
        `cache is full.`;
  const localLayers = model.layers - model.globalLayers;
  const mode = config.hybridKvCache
    ? `With the hybrid KV cache on, the ${model.globalLayers} global layers keep every token ` +
      `and the ${localLayers} chunked-local layers keep at most ` +
      `${tokensText(localWindowTokens(facts.chosen.inputs))} tokens per request.`
    : `With the hybrid KV cache off, all ${model.layers} layers keep every token.`;
  return `${capacity} ${longest} ${mode}`;
}

/** A GPU node's root volume as planned, and the vLLM pods that share it. */
export interface RootVolumeFacts {
  sizeGiB: number;
  /** Smallest size on which the node's pods schedule, before headroom. */
  requiredGiB: number;
  /** Model cache of one pod. */
  modelCacheGiB: number;
  throughputMiBps: number;
  iops: number;
  podsPerNode: number;
}

/**
 * Explains the start-up budget and the root volume: its size and the gp3 throughput its pods
 * share. The budget and the size are estimates unless the stack sets them.
 */
export function nodeSentences(
  checkpoint: Checkpoint,
  startupSeconds: number,
  volume: RootVolumeFacts,
  configured: { startup: boolean; rootVolume: boolean },
): string[] {
  const { podsPerNode } = volume;
  const perPod = podDownloadMiBps(volume.throughputMiBps, podsPerNode);
  const share =
    podsPerNode === 1
      ? "the root volume's throughput"
      : `the root volume's ${numberText(volume.throughputMiBps)} MiB/s split between ` +
        `${podsPerNode} pods`;
  const startup = configured.startup
    ? `The start-up probe allows ${startupSeconds} s, as startupTimeoutSeconds sets.`
    : `The start-up probe allows ${startupSeconds} s: ${STARTUP_FIXED_SECONDS} s to start vLLM ` +
      `plus downloading ${gibText(checkpoint.weightsGiB)} at ${rateText(perPod)} (${share}) ` +
      `and loading it at ${LOAD_GIB_PER_SECOND} GiB/s (estimates).`;
  const caches = podsPerNode === 1 ? "one model cache" : `${podsPerNode} model caches`;
  const size = configured.rootVolume
    ? `The root volume is ${volume.sizeGiB} GiB, as nodePool.rootVolumeGiB sets.`
    : `The root volume is ${volume.sizeGiB} GiB: ${volume.requiredGiB} GiB lets the kubelet ` +
      `offer ${caches} of ${volume.modelCacheGiB} GiB (the weights plus ` +
      `${MODEL_CACHE_HEADROOM * 100}%) beside the ${VLLM_IMAGE_GIB} GiB vLLM image (an ` +
      `estimate), and ${ROOT_VOLUME_HEADROOM * 100}% headroom is added.`;
  return [startup, `${size} ${volumeThroughputSentence(volume)}`];
}

function volumeThroughputSentence(volume: RootVolumeFacts): string {
  const { throughputMiBps, iops, podsPerNode } = volume;
  const iopsText =
    iops > GP3_BASELINE_IOPS
      ? `${numberText(iops)} IOPS, because gp3 allows at most ` +
        `${GP3_MAX_MIB_PER_SECOND_PER_IOPS} MiB/s per IOPS`
      : `${numberText(iops)} IOPS, the gp3 baseline`;
  if (podsPerNode === 1) {
    return (
      `Its gp3 throughput is ${numberText(throughputMiBps)} MiB/s, the download rate of its one ` +
      `vLLM pod, with ${iopsText}.`
    );
  }
  const fullRateMiBps = DOWNLOAD_MIB_PER_SECOND * podsPerNode;
  const reason =
    throughputMiBps < fullRateMiBps
      ? `, the gp3 maximum, which is less than ${podsPerNode} × ${DOWNLOAD_MIB_PER_SECOND} MiB/s`
      : `: ${DOWNLOAD_MIB_PER_SECOND} MiB/s for each of the ${podsPerNode} vLLM pods that ` +
        `download at once`;
  return `Its gp3 throughput is ${numberText(throughputMiBps)} MiB/s${reason}, with ${iopsText}.`;
}

function rateText(mibPerSecond: number): string {
  return `${numberText(Math.round(mibPerSecond * 10) / 10)} MiB/s`;
}
