import type { StackConfig } from "../config/schema";
import type { Checkpoint } from "./catalog/checkpoints";
import type { ModelSpec } from "./catalog/models";
import { incompatibilityReasons } from "./compatibility";
import { countText, gibText, gpusText, listText, tokensText, usdText } from "./format";
import { localWindowTokens } from "./memory";
import { MAX_NODES_PER_REPLICA } from "./parallelism";
import type { InstanceOption } from "./options";
import { layoutText, type ContextDemand, type LayoutFit } from "./search";
import { DOWNLOAD_MIB_PER_SECOND, LOAD_GIB_PER_SECOND, STARTUP_FIXED_SECONDS } from "./startup";
import { ROOT_VOLUME_HEADROOM, VLLM_IMAGE_GIB } from "./node-disk";

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

function instanceSentences(facts: PlanFacts): string[] {
  const { config, chosen, ranked, options } = facts;
  const sentences = [choiceSentence(config, chosen, ranked)];
  const others = ranked.filter((option) => option !== chosen).map((option) => optionText(option));
  if (others.length > 0) sentences.push(`Other options: ${listText(others, "and")}.`);

  for (const option of options.filter((o) => o.incompatibilities.length > 0)) {
    const reasons = incompatibilityReasons(option.gpu, facts.checkpoint, facts.config.kvCacheDtype);
    sentences.push(`Skipped ${option.instance.type}, because ${listText(reasons, "and")}.`);
  }
  const unfit = options.filter((o) => o.incompatibilities.length === 0 && !o.search?.chosen);
  if (unfit.length > 0) {
    const types = unfit.map((option) => option.instance.type);
    sentences.push(
      `Skipped ${listText(types, "and")}: no layout up to ` +
        `${countText(MAX_NODES_PER_REPLICA, "node")} holds the weights and the context.`,
    );
  }
  return sentences;
}

function choiceSentence(config: StackConfig, chosen: InstanceOption, ranked: InstanceOption[]) {
  const name = `${chosen.instance.type} (${chosen.gpu.type})`;
  const price = replicaPriceText(chosen);
  if (config.instanceType) return `instanceType selects ${name}. One replica costs ${price}.`;
  if (ranked.length === 1)
    return `${name} is the only instance type that fits. One replica costs ${price}.`;
  const scope = config.gpu
    ? `gpu ${config.gpu} is offered by several instance types`
    : "gpu is not set";
  return (
    `${scope}, so the planner compared the instance types whose replica fits and chose the ` +
    `cheapest per replica-hour: ${optionText(chosen, name)}.`
  );
}

function replicaPriceText(option: InstanceOption): string {
  return option.replicaHourUsd === null
    ? "an unknown price per hour"
    : `${usdText(option.replicaHourUsd)} per hour`;
}

function optionText(option: InstanceOption, label: string = option.instance.type): string {
  const layout = option.search?.chosen ? layoutText(option.search.chosen.memory.layout) : "";
  const price =
    option.replicaHourUsd === null
      ? `an unknown price, ranked last (set pricesUsdPerHour.${option.instance.type} to compare)`
      : `${usdText(option.replicaHourUsd)} per replica-hour`;
  return `${label} with ${layout} at ${price}`;
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
  const holds =
    `holds the ${gibText(checkpoint.weightsGiB)} of weights (${gibText(memory.weightsGiB)} per ` +
    `GPU) and ${requests} of ${tokensText(demand.maxModelLen)} tokens`;
  if (config.tensorParallelSize !== undefined || config.pipelineParallelSize !== undefined) {
    return `${layoutText(memory.layout)} (${gpusText(memory.gpus)}) is set by the stack and ${holds}.`;
  }
  const tried = chosen.search?.tried ?? [];
  const previous = tried.length > 1 ? tried[tried.length - 2] : undefined;
  const smaller = previous ? ` ${smallerLayoutText(previous)}` : "";
  const layout = `${layoutText(memory.layout)} (${gpusText(memory.gpus)})`;
  return `${layout} is the smallest layout that ${holds}.${smaller}`;
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
  const { config, model, fit, kvCacheTokens } = facts;
  const capacity =
    `The KV cache holds ${tokensText(kvCacheTokens)} tokens per replica, counted as the ` +
    `requests of maxModelLen that fit times maxModelLen. One request can be up to ` +
    `${tokensText(fit.maxFeasibleModelLen)} tokens.`;
  const localLayers = model.layers - model.globalLayers;
  const mode = config.hybridKvCache
    ? `With the hybrid KV cache on, the ${model.globalLayers} global layers keep every token ` +
      `and the ${localLayers} chunked-local layers keep at most ` +
      `${tokensText(localWindowTokens(facts.chosen.inputs))} tokens per request.`
    : `With the hybrid KV cache off, all ${model.layers} layers keep every token.`;
  return `${capacity} ${mode}`;
}

/** Explains the start-up budget and the root volume, which are estimates unless the stack sets them. */
export function nodeSentences(
  checkpoint: Checkpoint,
  startupSeconds: number,
  rootVolumeGiB: number,
  podsPerNode: number,
  configured: { startup: boolean; rootVolume: boolean },
): string[] {
  const startup = configured.startup
    ? `The start-up probe allows ${startupSeconds} s, as startupTimeoutSeconds sets.`
    : `The start-up probe allows ${startupSeconds} s: ${STARTUP_FIXED_SECONDS} s to start vLLM ` +
      `plus downloading ${gibText(checkpoint.weightsGiB)} at ${DOWNLOAD_MIB_PER_SECOND} MiB/s ` +
      `and loading it at ${LOAD_GIB_PER_SECOND} GiB/s (estimates).`;
  const copies = podsPerNode === 1 ? "one copy" : `${podsPerNode} copies, one per pod,`;
  const volume = configured.rootVolume
    ? `The root volume is ${rootVolumeGiB} GiB, as nodePool.rootVolumeGiB sets.`
    : `The root volume is ${rootVolumeGiB} GiB: ${VLLM_IMAGE_GIB} GiB for the vLLM image (an ` +
      `estimate) and ${copies} of the weights, plus ${ROOT_VOLUME_HEADROOM * 100}% headroom.`;
  return [startup, volume];
}
