import type { ConfigProblem } from "../config/problems";
import { QUANTIZATIONS, type StackConfig } from "../config/schema";
import { checkpointFor, type Checkpoint } from "./catalog/checkpoints";
import type { ModelSpec } from "./catalog/models";
import { gpuRunsCheckpoint } from "./compatibility";
import { gibText, listText, tokensText } from "./format";
import { MAX_NODES_PER_REPLICA } from "./parallelism";
import { uniqueProblems, type InstanceOption } from "./options";
import {
  layoutText,
  memoryInputs,
  searchLayouts,
  type ContextDemand,
  type LayoutFit,
} from "./search";

/** Returns the problem for a `maxModelLen` above the model's own maximum context. */
export function modelMaxProblem(config: StackConfig, model: ModelSpec): ConfigProblem[] {
  if (config.maxModelLen === undefined || config.maxModelLen <= model.maxModelLen) return [];
  return [
    {
      path: "maxModelLen",
      message:
        `is ${tokensText(config.maxModelLen)}, above ${model.name}'s maximum context of ` +
        `${tokensText(model.maxModelLen)} tokens; set it to at most ${tokensText(model.maxModelLen)}`,
    },
  ];
}

/**
 * Explains why no allowed instance type can serve the stack: the GPUs cannot run the checkpoint,
 * the weights do not fit, or the context does not fit. Lists one problem per GPU type when the
 * stack leaves `gpu` open and several were tried.
 */
export function infeasibleProblems(
  config: StackConfig,
  model: ModelSpec,
  checkpoint: Checkpoint,
  demand: ContextDemand,
  options: InstanceOption[],
): ConfigProblem[] {
  const compatible = options.filter((option) => option.incompatibilities.length === 0);
  if (compatible.length === 0) return uniqueProblems(options.flatMap((o) => o.incompatibilities));

  const oneOptionPerGpu = compatible.filter(
    (option, index) => compatible.findIndex((o) => o.gpu.type === option.gpu.type) === index,
  );
  const prefixGpu = oneOptionPerGpu.length > 1;
  return oneOptionPerGpu.map((option) => {
    const problem = gpuInfeasibility(config, model, checkpoint, demand, option);
    return prefixGpu
      ? { ...problem, message: `on ${option.gpu.type}: ${problem.message}` }
      : problem;
  });
}

function gpuInfeasibility(
  config: StackConfig,
  model: ModelSpec,
  checkpoint: Checkpoint,
  demand: ContextDemand,
  option: InstanceOption,
): ConfigProblem {
  const tried = option.search?.tried ?? [];
  if (tried.length === 0) {
    return {
      path: overridePath(config) ?? "gpu",
      message: `allows no layout on ${option.gpu.type}. Remove tensorParallelSize and pipelineParallelSize`,
    };
  }
  const holdsWeights = tried.filter((fit) => fit.fitsWeights);
  if (holdsWeights.length === 0) {
    return weightsProblem(config, model, checkpoint, demand, option, tried[tried.length - 1]);
  }
  const best = holdsWeights.reduce((a, b) =>
    b.maxModelLenForRequests > a.maxModelLenForRequests ? b : a,
  );
  return contextProblem(config, demand, option, best);
}

function weightsProblem(
  config: StackConfig,
  model: ModelSpec,
  checkpoint: Checkpoint,
  demand: ContextDemand,
  option: InstanceOption,
  largest: LayoutFit,
): ConfigProblem {
  const memory = largest.memory;
  const room = memory.usableGiB - memory.overheadGiB;
  const budget =
    `about ${Math.round(checkpoint.weightsGiB)} GiB of weights against ${memory.gpus} × ` +
    `${gibText(room)} left after overhead (${gibText(memory.usableGiB)} usable per ` +
    `${option.gpu.type} at gpuMemoryUtilization ${config.gpuMemoryUtilization}, minus ` +
    `${memory.overheadGiB} GiB of activations, CUDA graphs and buffers)`;
  const fixes = weightFixes(config, model, checkpoint, demand, option, largest);
  const path = overridePath(config) ?? (config.gpu ? "gpu" : "quantization");
  const subject =
    overrideValueText(config) ?? `is ${path === "gpu" ? config.gpu : config.quantization}`;
  const scope = overridePath(config)
    ? `${layoutText(memory.layout)} leaves no room for the KV cache`
    : `even ${MAX_NODES_PER_REPLICA} nodes (${layoutText(memory.layout)}) leave no room for the KV cache`;
  return { path, message: `${subject}, but ${scope}: ${budget}. ${fixes}` };
}

function weightFixes(
  config: StackConfig,
  model: ModelSpec,
  checkpoint: Checkpoint,
  demand: ContextDemand,
  option: InstanceOption,
  largest: LayoutFit,
): string {
  const fixes: string[] = [];
  if (overridePath(config)) {
    const free = searchLayouts(option.inputs, option.instance.gpusPerNode, {}, demand).chosen;
    const orMore = free?.memory.layout.pipeline === 1 ? " or more" : "";
    if (free) fixes.push(`use ${layoutSettingText(free)}${orMore}`);
  }
  const smaller = QUANTIZATIONS.filter((quantization) => {
    const other = checkpointFor(model.name, quantization);
    if (other.weightsGiB >= checkpoint.weightsGiB || !gpuRunsCheckpoint(option.gpu, other)) {
      return false;
    }
    const inputs = memoryInputs(config, model, other, option.gpu);
    const layout = largest.memory.layout;
    return searchLayouts(inputs, option.instance.gpusPerNode, layout, demand).chosen !== undefined;
  });
  if (smaller.length > 0) {
    const verb = smaller.length > 1 ? "fit" : "fits";
    fixes.push(
      `set quantization to ${listText(smaller, "or")}, which ${verb} ` +
        `${layoutText(largest.memory.layout)} on ${option.gpu.type}`,
    );
  }
  if (fixes.length === 0) fixes.push("use a smaller quantization or a GPU with more memory");
  return `To fix it, ${fixes.join(", or ")}`;
}

function contextProblem(
  config: StackConfig,
  demand: ContextDemand,
  option: InstanceOption,
  best: LayoutFit,
): ConfigProblem {
  const requests = demand.requests === 1 ? "one request" : `${demand.requests} concurrent requests`;
  const mode = config.hybridKvCache ? "hybrid KV cache on" : "hybrid KV cache off";
  const value =
    config.maxModelLen === undefined
      ? `is not set, and its default of ${tokensText(demand.maxModelLen)} tokens does not fit`
      : `is ${tokensText(demand.maxModelLen)}, which does not fit`;
  const fits = best.maxModelLenForRequests;
  const fixes = [
    fits > 0 ? `set maxModelLen to at most ${tokensText(fits)}` : "shorten maxModelLen",
  ];
  if (demand.requests > 1) fixes.push("lower fullLengthRequests");
  if (!config.hybridKvCache) fixes.push("set hybridKvCache to true");
  if (config.kvCacheDtype !== "fp8" && option.gpu.fp8KvCache) fixes.push("set kvCacheDtype to fp8");
  if (overridePath(config)) fixes.push("remove tensorParallelSize and pipelineParallelSize");
  return {
    path: "maxModelLen",
    message:
      `${value}: with ${layoutText(best.memory.layout)} on ${option.gpu.type} the KV cache ` +
      `fits ${requests} of at most ${tokensText(fits)} tokens (${mode}). To fix it, ` +
      `${listText(fixes, "or")}`,
  };
}

/** Returns the stack key that fixes the layout, or undefined when the planner chooses it. */
function overridePath(config: StackConfig): string | undefined {
  if (config.tensorParallelSize !== undefined) return "tensorParallelSize";
  if (config.pipelineParallelSize !== undefined) return "pipelineParallelSize";
  return undefined;
}

function overrideValueText(config: StackConfig): string | undefined {
  if (config.tensorParallelSize !== undefined) return `is ${config.tensorParallelSize}`;
  if (config.pipelineParallelSize !== undefined) return `is ${config.pipelineParallelSize}`;
  return undefined;
}

/** Names the settings of a layout: "tensorParallelSize 8 and pipelineParallelSize 2". */
export function layoutSettingText(fit: LayoutFit): string {
  const { tensor, pipeline } = fit.memory.layout;
  return pipeline > 1
    ? `tensorParallelSize ${tensor} and pipelineParallelSize ${pipeline}`
    : `tensorParallelSize ${tensor}`;
}
