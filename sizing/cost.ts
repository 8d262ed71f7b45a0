import type { InstanceType, StackConfig } from "../config/schema";
import { INSTANCES } from "./catalog/instances";

/** The hourly price of one node and where it comes from. */
export interface NodePrice {
  usdPerHour: number | null;
  source: string;
}

/** Resolves a node's on-demand price: the stack's `pricesUsdPerHour` first, then the catalog. */
export function nodePrice(instanceType: InstanceType, config: StackConfig): NodePrice {
  const override = config.pricesUsdPerHour[instanceType];
  if (override !== undefined) {
    return { usdPerHour: override, source: `stack setting pricesUsdPerHour.${instanceType}` };
  }
  const price = INSTANCES[instanceType].onDemand;
  if (price.usdPerHour === null) {
    return {
      usdPerHour: null,
      source:
        `unknown: no ${price.region} on-demand price in the catalog (checked ` +
        `${price.source.checked}); set pricesUsdPerHour.${instanceType}`,
    };
  }
  return {
    usdPerHour: price.usdPerHour,
    source:
      `${price.source.url} (${price.region}, on-demand, listed ${price.listedAt}, checked ` +
      `${price.source.checked})`,
  };
}

/** Replica packing on nodes: nodes one replica spans, or replicas one node holds. */
export interface Packing {
  nodesPerReplica: number;
  replicasPerNode: number;
}

/** Counts the nodes that `replicas` replicas occupy, filling shared nodes first. */
export function nodesForReplicas(replicas: number, packing: Packing): number {
  return Math.ceil(replicas / packing.replicasPerNode) * packing.nodesPerReplica;
}

/** Price of one replica for one hour: its share of a node, or all of its nodes. */
export function replicaHourUsd(price: number | null, packing: Packing): number | null {
  if (price === null) return null;
  return (price * packing.nodesPerReplica) / packing.replicasPerNode;
}

/** Hourly price of the node pool that `replicas` replicas occupy, or null when the price is unknown. */
export function poolUsdPerHour(
  price: number | null,
  replicas: number,
  packing: Packing,
): number | null {
  if (price === null) return null;
  return price * nodesForReplicas(replicas, packing);
}
