import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { SizingPlan } from "../../sizing/types";
import {
  commonLabels,
  isMultiNode,
  LWS_NAME_LABEL,
  selectorLabels,
  type ServingNames,
} from "./names";

/**
 * Pods the disruption budget counts. For a LeaderWorkerSet that is every pod of every group, not
 * only leaders: evicting one worker restarts its whole group, and its leader then stays unready
 * until the group has loaded the model again, which blocks further evictions.
 */
export function pdbSelector(plan: SizingPlan, names: ServingNames): Record<string, string> {
  return isMultiNode(plan) ? { [LWS_NAME_LABEL]: names.workload } : selectorLabels(plan);
}

/**
 * Builds the PodDisruptionBudget spec: node drains and scale-downs evict at most one vLLM pod at a
 * time. `maxUnavailable: 1` rather than `minAvailable` so that a single replica can still be moved
 * (a cluster or node group upgrade would otherwise wait forever). `AlwaysAllow` lets a drain evict
 * pods that are still loading and not ready, which would otherwise block it.
 */
export function pdbSpec(
  plan: SizingPlan,
  names: ServingNames,
): k8s.types.input.policy.v1.PodDisruptionBudgetSpec {
  return {
    maxUnavailable: 1,
    selector: { matchLabels: pdbSelector(plan, names) },
    unhealthyPodEvictionPolicy: "AlwaysAllow",
  };
}

/** Creates the PodDisruptionBudget. */
export function createPdb(
  name: string,
  plan: SizingPlan,
  names: ServingNames,
  opts: pulumi.CustomResourceOptions,
): k8s.policy.v1.PodDisruptionBudget {
  return new k8s.policy.v1.PodDisruptionBudget(
    `${name}-pdb`,
    {
      metadata: { name: names.workload, namespace: names.namespace, labels: commonLabels(plan) },
      spec: pdbSpec(plan, names),
    },
    opts,
  );
}
