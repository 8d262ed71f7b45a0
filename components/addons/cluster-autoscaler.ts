import type * as pulumi from "@pulumi/pulumi";
import type { HelmValues } from "./values";

/**
 * Cluster autoscaler image per Kubernetes minor version, because the autoscaler is built against
 * one minor and only tested with it. Each tag is the newest patch of its line among the
 * kubernetes/autoscaler releases: cluster-autoscaler-1.33.6, 1.34.5, 1.35.2 and 1.36.1 were
 * released on 23 July 2026, and 1.32.7 on 13 February 2026.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  "1.32": "v1.32.7",
  "1.33": "v1.33.6",
  "1.34": "v1.34.5",
  "1.35": "v1.35.2",
  "1.36": "v1.36.1",
};

/** Returns the autoscaler image tag for a cluster's Kubernetes minor version ("1.34"). */
export function clusterAutoscalerImageTag(kubernetesVersion: string): string {
  const tag = CLUSTER_AUTOSCALER_IMAGE_TAGS[kubernetesVersion];
  if (tag === undefined) {
    const known = Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).join(", ");
    throw new Error(
      `kubernetesVersion ${kubernetesVersion} has no pinned cluster autoscaler image. ` +
        `Use one of ${known}, or add the matching tag to CLUSTER_AUTOSCALER_IMAGE_TAGS.`,
    );
  }
  return tag;
}

/** Stack-dependent values of the cluster-autoscaler chart, merged over `charts/`. */
export function clusterAutoscalerValues(
  clusterName: pulumi.Input<string>,
  region: string,
  kubernetesVersion: string,
): HelmValues {
  return {
    // The chart turns this into --node-group-auto-discovery for the Auto Scaling group tags
    // k8s.io/cluster-autoscaler/enabled and k8s.io/cluster-autoscaler/<cluster>.
    autoDiscovery: { clusterName },
    awsRegion: region,
    image: { tag: clusterAutoscalerImageTag(kubernetesVersion) },
  };
}
