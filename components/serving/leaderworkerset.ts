import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { commonLabels } from "./names";
import { podTemplate, type PodTemplateInputs } from "./pod";

/** API version and kind of the LeaderWorkerSet custom resource. */
export const LWS_API_VERSION = "leaderworkerset.x-k8s.io/v1";
export const LWS_KIND = "LeaderWorkerSet";

/**
 * Builds the spec of a LeaderWorkerSet whose groups are multi-node vLLM replicas: one leader
 * (node rank 0, the only pod that serves HTTP) and `nodesPerReplica - 1` headless workers, each
 * pod on its own node with all of that node's GPUs.
 *
 * - `restartPolicy: RecreateGroupOnPodRestart`: a failed pod or container restarts the whole
 *   group, because the surviving ranks cannot rejoin a half-restarted distributed engine.
 * - `startupPolicy: LeaderCreated`: workers start as soon as the leader pod exists, not when it is
 *   ready. The leader becomes ready only after every rank joined, so `LeaderReady` would deadlock.
 * - Rolling updates add one group before removing an old one, as the Deployment does. That needs
 *   a group's worth of spare nodes, which the cluster autoscaler adds up to the pool's maximum.
 */
export function leaderWorkerSetSpec(inputs: PodTemplateInputs): Record<string, unknown> {
  return {
    replicas: inputs.plan.replicas.min,
    leaderWorkerTemplate: {
      size: inputs.plan.parallelism.nodesPerReplica,
      restartPolicy: "RecreateGroupOnPodRestart",
      leaderTemplate: podTemplate({ ...inputs, role: "leader" }),
      workerTemplate: podTemplate({ ...inputs, role: "worker" }),
    },
    rolloutStrategy: {
      type: "RollingUpdate",
      rollingUpdateConfiguration: { maxSurge: 1, maxUnavailable: 0 },
    },
    startupPolicy: "LeaderCreated",
  };
}

/** Builds the whole LeaderWorkerSet object, as the plan writes it and the schema checks it. */
export function leaderWorkerSetObject(
  metadata: { name: string; namespace: string },
  inputs: PodTemplateInputs,
): {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
} {
  return {
    apiVersion: LWS_API_VERSION,
    kind: LWS_KIND,
    metadata: { ...metadata, labels: commonLabels(inputs.plan) },
    spec: leaderWorkerSetSpec(inputs),
  };
}

/**
 * Creates the LeaderWorkerSet. Like the Deployment it ignores later changes to `spec.replicas`,
 * which KEDA owns through the resource's scale subresource.
 * NOTE: Pulumi does not wait for custom resources, so `pulumi up` returns before the groups
 * serve; `kubectl get lws -n <namespace>` shows their readiness.
 */
export function createLeaderWorkerSet(
  name: string,
  metadata: { name: string; namespace: string },
  inputs: PodTemplateInputs,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    `${name}-leaderworkerset`,
    leaderWorkerSetObject(metadata, inputs),
    { ...opts, ignoreChanges: ["spec.replicas"], customTimeouts: { delete: "20m" } },
  );
}
