import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { commonLabels, selectorLabels } from "./names";
import { podTemplate, type PodTemplateInputs } from "./pod";
import { rolloutDeadlineSeconds } from "./resources";

/**
 * Builds the spec of the Deployment that runs single-node replicas.
 *
 * `replicas` starts at the plan's minimum; afterwards KEDA's autoscaler owns it, and the resource
 * ignores changes to it (see {@link createDeployment}). A rolling update starts one new pod and
 * removes an old one only when the new one is ready (`maxSurge: 1`, `maxUnavailable: 0`), so
 * an edit such as a new quantization keeps serving. The new pod needs a free GPU node. When the
 * pool has none, the pod waits until the cluster autoscaler adds one, up to the pool's maximum
 * size. At that maximum the rollout stalls until an old pod goes away by other means.
 */
export function deploymentSpec(inputs: PodTemplateInputs): k8s.types.input.apps.v1.DeploymentSpec {
  return {
    replicas: inputs.plan.replicas.min,
    selector: { matchLabels: selectorLabels(inputs.plan) },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    // The default of 600 s would report a new pod as stuck while it still downloads weights.
    progressDeadlineSeconds: rolloutDeadlineSeconds(inputs.plan),
    revisionHistoryLimit: 3,
    template: podTemplate({ ...inputs, role: "single" }),
  };
}

/**
 * Creates the Deployment. `ignoreChanges` on `spec.replicas` keeps `pulumi up` from resetting the
 * count KEDA chose, which with server-side apply would otherwise be a field conflict with the
 * autoscaler (the approach pulumi-kubernetes issue #2258 recommends). Pulumi waits for the
 * rollout, so its timeouts follow the start-up budget instead of the 10-minute default.
 */
export function createDeployment(
  name: string,
  metadata: { name: string; namespace: string },
  inputs: PodTemplateInputs,
  opts: pulumi.CustomResourceOptions,
): k8s.apps.v1.Deployment {
  const timeout = `${Math.ceil(rolloutDeadlineSeconds(inputs.plan) / 60)}m`;
  return new k8s.apps.v1.Deployment(
    `${name}-deployment`,
    { metadata: { ...metadata, labels: commonLabels(inputs.plan) }, spec: deploymentSpec(inputs) },
    {
      ...opts,
      ignoreChanges: ["spec.replicas"],
      customTimeouts: { create: timeout, update: timeout, delete: "20m" },
    },
  );
}
