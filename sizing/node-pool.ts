import type { ConfigProblem } from "../config/problems";
import type { InstanceType, StackConfig } from "../config/schema";
import { nodesForReplicas, type Packing } from "./cost";

/** GPU node group bounds: enough nodes for `replicas.min` and for `replicas.max`. */
export interface NodePoolSizes {
  minSize: number;
  maxSize: number;
  /** Nodes `replicas.max` replicas occupy. */
  requiredMaxSize: number;
}

/** Sizes the GPU node group from the replicas and the packing. An explicit maxSize may be larger. */
export function nodePoolSizes(config: StackConfig, packing: Packing): NodePoolSizes {
  const requiredMaxSize = nodesForReplicas(config.replicas.max, packing);
  return {
    minSize: nodesForReplicas(config.replicas.min, packing),
    maxSize: config.nodePool.maxSize ?? requiredMaxSize,
    requiredMaxSize,
  };
}

/** Returns the problem for an explicit `nodePool.maxSize` below what `replicas.max` needs. */
export function nodePoolProblems(
  config: StackConfig,
  packing: Packing,
  instanceType: InstanceType,
): ConfigProblem[] {
  const configured = config.nodePool.maxSize;
  const sizes = nodePoolSizes(config, packing);
  if (configured === undefined || configured >= sizes.requiredMaxSize) return [];
  const max = config.replicas.max;
  const arithmetic =
    packing.replicasPerNode > 1
      ? `${max} replicas at ${packing.replicasPerNode} per node need ceil(${max} / ` +
        `${packing.replicasPerNode}) = ${sizes.requiredMaxSize}`
      : `${max} replicas × ${packing.nodesPerReplica} node${packing.nodesPerReplica === 1 ? "" : "s"} ` +
        `per replica need ${sizes.requiredMaxSize}`;
  const fewerReplicas = Math.floor(configured / packing.nodesPerReplica) * packing.replicasPerNode;
  const lower =
    fewerReplicas >= Math.max(1, config.replicas.min)
      ? `, or lower replicas.max to ${fewerReplicas}`
      : "";
  return [
    {
      path: "nodePool.maxSize",
      message:
        `is ${configured}, but replicas.max ${arithmetic} ${instanceType} nodes, so the ` +
        `autoscaler could not place every replica. Set nodePool.maxSize to at least ` +
        `${sizes.requiredMaxSize} (or remove it)${lower}`,
    },
  ];
}
