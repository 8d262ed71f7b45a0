import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { commonLabels, SECRET_KEY, type ServingNames } from "./names";
import type { SizingPlan } from "../../sizing/types";

/** The namespace of one served model and what its pods authenticate with. */
export interface NamespaceResources {
  namespace: k8s.core.v1.Namespace;
  hfTokenSecret: k8s.core.v1.Secret;
  apiKeySecret: k8s.core.v1.Secret;
  serviceAccount: k8s.core.v1.ServiceAccount;
}

/** Inputs of {@link createNamespace}. */
export interface NamespaceInputs {
  name: string;
  plan: SizingPlan;
  names: ServingNames;
  hfToken: pulumi.Input<string>;
  apiKey: pulumi.Input<string>;
  /** Whether pods lock memory for EFA, which needs a capability the baseline level forbids. */
  locksMemory: boolean;
  opts: pulumi.CustomResourceOptions;
}

/**
 * Returns the namespace labels. The AWS Load Balancer Controller adds a readiness gate to pods in
 * a namespace labelled `elbv2.k8s.aws/pod-readiness-gate-inject: enabled`. A pod then counts as
 * ready only once its load balancer target is healthy, so a rolling update never removes the last
 * healthy target. Pod Security admission enforces the `baseline` level, which the vLLM pods meet.
 * They run as root, so the `restricted` level only warns. Pods that register EFA memory need
 * `IPC_LOCK`, which `baseline` does not allow (Kubernetes "Pod Security Standards"), so such a
 * namespace enforces `privileged` and keeps `baseline` as a warning.
 */
export function namespaceLabels(plan: SizingPlan, locksMemory = false): Record<string, string> {
  return {
    ...commonLabels(plan),
    "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
    "pod-security.kubernetes.io/enforce": locksMemory ? "privileged" : "baseline",
    "pod-security.kubernetes.io/warn": locksMemory ? "baseline" : "restricted",
  };
}

/**
 * Creates the namespace, a Secret for each Pulumi secret and the pods' ServiceAccount. The
 * Secrets take their values from the Pulumi secrets, so Pulumi stores them encrypted, and pods
 * read them only through `secretKeyRef`.
 */
export function createNamespace(inputs: NamespaceInputs): NamespaceResources {
  const { name, names, opts } = inputs;
  const labels = commonLabels(inputs.plan);
  const namespace = new k8s.core.v1.Namespace(
    `${name}-namespace`,
    {
      metadata: { name: names.namespace, labels: namespaceLabels(inputs.plan, inputs.locksMemory) },
    },
    opts,
  );
  const inNamespace = { ...opts, dependsOn: [namespace] };
  const secret = (role: string, secretName: string, value: pulumi.Input<string>) =>
    new k8s.core.v1.Secret(
      `${name}-${role}`,
      {
        metadata: { name: secretName, namespace: names.namespace, labels },
        type: "Opaque",
        stringData: { [SECRET_KEY]: pulumi.secret(value) },
      },
      inNamespace,
    );
  return {
    namespace,
    hfTokenSecret: secret("hf-token", names.hfTokenSecret, inputs.hfToken),
    apiKeySecret: secret("api-key", names.apiKeySecret, inputs.apiKey),
    serviceAccount: new k8s.core.v1.ServiceAccount(
      `${name}-service-account`,
      {
        metadata: { name: names.serviceAccount, namespace: names.namespace, labels },
        automountServiceAccountToken: false,
      },
      inNamespace,
    ),
  };
}
