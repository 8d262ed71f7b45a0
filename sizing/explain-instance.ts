import type { StackConfig } from "../config/schema";
import { incompatibilityReasons } from "./compatibility";
import { nodesForReplicas } from "./cost";
import type { PlanFacts } from "./explain";
import { countText, gpusText, listText, usdText } from "./format";
import { decidingCriterion, replicaGpus, type InstanceOption } from "./options";
import { MAX_NODES_PER_REPLICA } from "./parallelism";
import { layoutText } from "./search";

/** Explains the instance type: why it was chosen, the other options and the skipped ones. */
export function instanceSentences(facts: PlanFacts): string[] {
  const { config, chosen, ranked, options } = facts;
  const sentences = choiceSentences(config, chosen, ranked);
  const others = ranked
    .filter((option) => option !== chosen)
    .map((option) => optionText(config, option));
  if (others.length > 0) {
    sentences.push(`Other options at replicas.max: ${listText(others, "and")}.`);
  }

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

function choiceSentences(
  config: StackConfig,
  chosen: InstanceOption,
  ranked: InstanceOption[],
): string[] {
  const name = `${chosen.instance.type} (${chosen.gpu.type})`;
  const price = replicaPriceText(chosen);
  if (config.instanceType) return [`instanceType selects ${name}. One replica costs ${price}.`];
  if (ranked.length === 1) {
    return [`${name} is the only instance type that fits. One replica costs ${price}.`];
  }
  const scope = config.gpu
    ? `gpu ${config.gpu} is offered by several instance types`
    : "gpu is not set";
  const sentences = [
    `${scope}, so the planner compared the instance types whose replica fits and chose the ` +
      `one whose node pool costs least at replicas.max ` +
      `(${countText(config.replicas.max, "replica")}): ` +
      `${optionText(config, chosen, name)}.`,
  ];
  const tieBreak = tieBreakSentence(config, chosen, ranked[1]);
  if (tieBreak) sentences.push(tieBreak);
  const idle = idleSlotsSentence(config, chosen, ranked);
  if (idle) sentences.push(idle);
  return sentences;
}

function replicaPriceText(option: InstanceOption): string {
  return option.replicaHourUsd === null
    ? "an unknown price per hour"
    : `${usdText(option.replicaHourUsd)} per hour`;
}

/** Describes an option at replicas.max: "p5.48xlarge with TP 4 on one node at $55.04 per hour (…)". */
function optionText(
  config: StackConfig,
  option: InstanceOption,
  label: string = option.instance.type,
): string {
  const layout = option.search?.chosen ? layoutText(option.search.chosen.memory.layout) : "";
  if (option.poolUsdPerHour.max === null || option.replicaHourUsd === null || !option.packing) {
    return (
      `${label} with ${layout} at an unknown price, ranked last (set ` +
      `pricesUsdPerHour.${option.instance.type} to compare)`
    );
  }
  const nodes = nodesForReplicas(config.replicas.max, option.packing);
  return (
    `${label} with ${layout} on ${countText(nodes, "node")} at ` +
    `${usdText(option.poolUsdPerHour.max)} per hour (${usdText(option.replicaHourUsd)} per ` +
    `replica-hour)`
  );
}

/**
 * Explains what separated the chosen option from the runner-up when both cost the same at
 * replicas.max. Returns undefined when replicas.max decided or the runner-up has no price.
 */
function tieBreakSentence(
  config: StackConfig,
  chosen: InstanceOption,
  runnerUp: InstanceOption | undefined,
): string | undefined {
  if (!runnerUp || runnerUp.price.usdPerHour === null) return undefined;
  const criterion = decidingCriterion(chosen, runnerUp);
  if (criterion === "pool at replicas.max") return undefined;
  const other = runnerUp.instance.type;
  const type = chosen.instance.type;
  const against = (a: number | null, b: number | null) =>
    `${usdText(a ?? 0)} against ${usdText(b ?? 0)}`;
  switch (criterion) {
    case "pool at replicas.min":
      return (
        `${other} costs the same at replicas.max, and ${type} costs less at replicas.min ` +
        `(${countText(config.replicas.min, "replica")}): ` +
        `${against(chosen.poolUsdPerHour.min, runnerUp.poolUsdPerHour.min)} per hour.`
      );
    case "replica-hour":
      return (
        `${other} costs the same at replicas.max and at replicas.min, and ${type} costs less ` +
        `per replica-hour: ${against(chosen.replicaHourUsd, runnerUp.replicaHourUsd)}.`
      );
    case "GPUs per replica":
      return (
        `${other} costs the same at replicas.max, at replicas.min and per replica-hour, and ` +
        `${type} uses fewer GPUs per replica: ${gpusText(replicaGpus(chosen))} against ` +
        `${gpusText(replicaGpus(runnerUp))}.`
      );
    default:
      return (
        `${other} costs the same at replicas.max, at replicas.min and per replica-hour and uses ` +
        `as many GPUs per replica, so the catalog order puts ${type} first.`
      );
  }
}

/**
 * Names the option with the lowest price per replica-hour when it lost because replicas.max
 * leaves part of its node pool idle, with the numbers that show it.
 */
function idleSlotsSentence(
  config: StackConfig,
  chosen: InstanceOption,
  ranked: InstanceOption[],
): string | undefined {
  const cents = (usd: number | null) => Math.round((usd ?? 0) * 100);
  const cheaper = ranked
    .filter((option) => option !== chosen && option.replicaHourUsd !== null && option.packing)
    .filter((option) => cents(option.replicaHourUsd) < cents(chosen.replicaHourUsd))
    .filter((option) => cents(option.poolUsdPerHour.max) > cents(chosen.poolUsdPerHour.max))
    .sort((a, b) => cents(a.replicaHourUsd) - cents(b.replicaHourUsd))[0];
  if (!cheaper || !cheaper.packing) return undefined;
  const max = config.replicas.max;
  const nodes = nodesForReplicas(max, cheaper.packing);
  const slots = (nodes / cheaper.packing.nodesPerReplica) * cheaper.packing.replicasPerNode;
  return (
    `${cheaper.instance.type} costs less per replica-hour (${usdText(cheaper.replicaHourUsd!)}), ` +
    `but replicas.max ${max} fills only ${max} of the ${slots} replica slots on its ` +
    `${countText(nodes, "node")}, so its node pool costs ${usdText(cheaper.poolUsdPerHour.max!)} ` +
    `per hour.`
  );
}
