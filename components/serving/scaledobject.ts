import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import type { SizingPlan } from "../../sizing/types";
import { LWS_API_VERSION, LWS_KIND } from "./leaderworkerset";
import { commonLabels, isMultiNode, type ServingNames } from "./names";

/**
 * Failed Prometheus queries in a row after which KEDA uses its fallback (KEDA's own example
 * value in its ScaledObject specification).
 */
export const FALLBACK_FAILURE_THRESHOLD = 3;

/**
 * Upper bounds of the HPA's scale-down window and policy period (Kubernetes `autoscaling/v2`
 * API reference: `stabilizationWindowSeconds` at most 3600, `periodSeconds` at most 1800).
 */
const HPA_MAX_WINDOW_SECONDS = 3600;
const HPA_MAX_POLICY_PERIOD_SECONDS = 1800;

/**
 * PromQL for the model's request queue: `vllm:num_requests_waiting`, labelled `model_name` with
 * the served model name (`PrometheusStatLogger` in vllm-project/vllm `vllm/v1/metrics/loggers.py`),
 * summed over the replicas of this namespace. The Prometheus add-on's `kubernetes-pods` job adds
 * the `namespace` label. Queue depth, not GPU utilisation: a GPU is busy as soon as one request
 * runs, so utilisation cannot tell a full replica from an idle one.
 */
export function queueDepthQuery(plan: SizingPlan, namespace: string): string {
  const labels = `namespace="${namespace}",model_name="${plan.model.servedModelName}"`;
  return `sum(vllm:num_requests_waiting{${labels}})`;
}

/** Returns the workload KEDA scales: the Deployment, or the LeaderWorkerSet by its scale subresource. */
export function scaleTargetRef(plan: SizingPlan, names: ServingNames): Record<string, string> {
  if (!isMultiNode(plan))
    return { apiVersion: "apps/v1", kind: "Deployment", name: names.workload };
  return { apiVersion: LWS_API_VERSION, kind: LWS_KIND, name: names.workload };
}

/**
 * Builds the ScaledObject spec (fields per KEDA's `reference/scaledobject-spec.md`). One replica
 * is one Deployment pod or one LeaderWorkerSet group. The average-value target makes the HPA run
 * `ceil(waiting requests / queueDepthPerReplica)` replicas. `cooldownPeriod` applies only to the
 * last replica, so the HPA's scale-down window follows the same period (within the HPA's bounds)
 * and removes one replica at a time.
 * When Prometheus fails, `currentReplicasIfHigher` keeps at least the current replicas.
 */
export function scaledObjectSpec(
  plan: SizingPlan,
  config: StackConfig,
  names: ServingNames,
  prometheusServerUrl: string,
): Record<string, unknown> {
  const scaling = config.autoscaling;
  const window = Math.min(scaling.cooldownPeriodSeconds, HPA_MAX_WINDOW_SECONDS);
  const period = Math.min(scaling.cooldownPeriodSeconds, HPA_MAX_POLICY_PERIOD_SECONDS);
  return {
    scaleTargetRef: scaleTargetRef(plan, names),
    minReplicaCount: plan.replicas.min,
    maxReplicaCount: plan.replicas.max,
    pollingInterval: scaling.pollingIntervalSeconds,
    cooldownPeriod: scaling.cooldownPeriodSeconds,
    fallback: {
      failureThreshold: FALLBACK_FAILURE_THRESHOLD,
      replicas: Math.max(plan.replicas.min, 1),
      behavior: "currentReplicasIfHigher",
    },
    advanced: {
      horizontalPodAutoscalerConfig: {
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: window,
            policies: [{ type: "Pods", value: 1, periodSeconds: period }],
          },
        },
      },
    },
    triggers: [
      {
        type: "prometheus",
        metadata: {
          serverAddress: prometheusServerUrl,
          query: queueDepthQuery(plan, names.namespace),
          threshold: String(scaling.queueDepthPerReplica),
          activationThreshold: String(scaling.activationQueueDepth),
          // An empty result (no replica running yet) counts as an empty queue, not an error.
          ignoreNullValues: "true",
        },
      },
    ],
  };
}

/** Inputs of {@link createScaledObject}. */
export interface ScaledObjectInputs {
  name: string;
  plan: SizingPlan;
  config: StackConfig;
  names: ServingNames;
  prometheusServerUrl: string;
  opts: pulumi.CustomResourceOptions;
}

/** Creates the KEDA ScaledObject; the caller makes it depend on the KEDA release and the workload. */
export function createScaledObject(inputs: ScaledObjectInputs): k8s.apiextensions.CustomResource {
  const { plan, names } = inputs;
  return new k8s.apiextensions.CustomResource(
    `${inputs.name}-scaledobject`,
    {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name: names.workload, namespace: names.namespace, labels: commonLabels(plan) },
      spec: scaledObjectSpec(plan, inputs.config, names, inputs.prometheusServerUrl),
    },
    inputs.opts,
  );
}
