import { gibText, tokensText } from "./format";
import { layoutText, searchLayouts } from "./search";
import { STARTUP_MAX_SECONDS } from "./startup";
import type { PlanFacts } from "./explain";

/**
 * `maxModelLen` at or below this share of the model's maximum context counts as far below it,
 * worth a warning when the replica could hold more.
 */
const FAR_BELOW_MODEL_MAX = 1 / 8;

/** Inputs of the warning checks: the plan's facts without the ranking, plus the start-up estimate. */
export interface WarningFacts extends Omit<PlanFacts, "ranked" | "options"> {
  estimatedStartupSeconds: number;
}

/** Lists allowed but risky choices, each naming the setting that changes it. */
export function planWarnings(facts: WarningFacts): string[] {
  return [
    spotWarning(facts),
    unknownPriceWarning(facts),
    contextWarning(facts),
    concurrencyWarning(facts),
    oversizedLayoutWarning(facts),
    startupWarning(facts),
  ].filter((warning): warning is string => warning !== undefined);
}

function spotWarning({ config, fit }: WarningFacts): string | undefined {
  if (config.nodePool.capacityType !== "spot") return undefined;
  const multiNode =
    fit.memory.layout.pipeline > 1
      ? ", and a multi-node replica stops when any of its nodes goes"
      : "";
  return (
    `nodePool.capacityType is spot: AWS can reclaim a GPU node with two minutes' notice${multiNode}. ` +
    `costUsdPerHour uses on-demand prices. Set nodePool.capacityType to on-demand for steady serving.`
  );
}

function unknownPriceWarning({ chosen }: WarningFacts): string | undefined {
  if (chosen.price.usdPerHour !== null) return undefined;
  const type = chosen.instance.type;
  return (
    `${type} has no known on-demand price, so costUsdPerHour is null. Set ` +
    `servekit:pricesUsdPerHour.${type} to its hourly price to see the cost.`
  );
}

function contextWarning({ config, model, demand, fit }: WarningFacts): string | undefined {
  // A maxModelLen the stack sets is a choice, not a risk; only the silent default is flagged.
  if (config.maxModelLen !== undefined) return undefined;
  const farBelow = demand.maxModelLen <= model.maxModelLen * FAR_BELOW_MODEL_MAX;
  if (!farBelow || fit.maxFeasibleModelLen <= demand.maxModelLen) return undefined;
  return (
    `The default maxModelLen ${tokensText(demand.maxModelLen)} is far below ${model.name}'s maximum of ` +
    `${tokensText(model.maxModelLen)} tokens, and vLLM rejects longer requests. This replica ` +
    `fits one request of up to ${tokensText(fit.maxFeasibleModelLen)} tokens: raise ` +
    `maxModelLen up to that to accept longer ones.`
  );
}

function concurrencyWarning({ demand, kvCacheTokens }: WarningFacts): string | undefined {
  const requests = kvCacheTokens / demand.maxModelLen;
  if (requests >= 2) return undefined;
  return (
    `The KV cache holds ${requests.toFixed(1)} requests of ${tokensText(demand.maxModelLen)} ` +
    `tokens at once; further long requests wait in vLLM's queue. Raise fullLengthRequests to ` +
    `size the replica for more.`
  );
}

function oversizedLayoutWarning(facts: WarningFacts): string | undefined {
  const { config, chosen, demand, fit } = facts;
  if (config.tensorParallelSize === undefined && config.pipelineParallelSize === undefined) {
    return undefined;
  }
  const free = searchLayouts(chosen.inputs, chosen.instance.gpusPerNode, {}, demand).chosen;
  if (!free || free.memory.gpus >= fit.memory.gpus) return undefined;
  return (
    `${layoutText(fit.memory.layout)} uses ${fit.memory.gpus} GPUs per replica, but ` +
    `${layoutText(free.memory.layout)} (${free.memory.gpus} GPUs) would hold the weights and the ` +
    `context. Remove tensorParallelSize and pipelineParallelSize to use fewer GPUs.`
  );
}

function startupWarning({ config, checkpoint, estimatedStartupSeconds }: WarningFacts) {
  const configured = config.startupTimeoutSeconds;
  if (configured !== undefined && configured < estimatedStartupSeconds) {
    return (
      `startupTimeoutSeconds ${configured} is below the estimated ${estimatedStartupSeconds} s ` +
      `to download and load ${gibText(checkpoint.weightsGiB)} of weights, so the start-up probe ` +
      `may restart vLLM before it is ready. Raise it or remove it.`
    );
  }
  if (configured === undefined && estimatedStartupSeconds >= STARTUP_MAX_SECONDS) {
    return (
      `Downloading and loading ${gibText(checkpoint.weightsGiB)} of weights may take longer ` +
      `than the ${STARTUP_MAX_SECONDS} s start-up limit; put the weights on a faster volume.`
    );
  }
  return undefined;
}
