import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Auto Scaling group tags that the Kubernetes cluster autoscaler reads. When a node group has no
 * nodes, the autoscaler builds a template node from these tags, so a pending pod that selects a
 * label, tolerates a taint or requests `nvidia.com/gpu` can trigger a scale-up from zero.
 * Formats from kubernetes/autoscaler `cluster-autoscaler/cloudprovider/aws/README.md`:
 * `node-template/label/<name>` = value, `node-template/taint/<key>` = `<value>:<effect>`,
 * `node-template/resources/<resource>` = quantity, plus the auto-discovery keys.
 */
export const AUTOSCALER_TAG_PREFIX = "k8s.io/cluster-autoscaler";
const NODE_TEMPLATE = `${AUTOSCALER_TAG_PREFIX}/node-template`;

/** A Kubernetes taint as the cluster autoscaler expects it (effect in Kubernetes spelling). */
export interface TemplateTaint {
  key: string;
  value: string;
  effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Template node of the group: its labels, taints and extended resources. */
export interface NodeTemplate {
  labels: Record<string, string>;
  taints: TemplateTaint[];
  /** Resources and their quantity per node, such as `nvidia.com/gpu` = 8 or `500Gi`. */
  resources: Record<string, number | string>;
}

/** Builds the node-template tags and the `enabled` discovery tag, keyed by tag key. */
export function nodeTemplateTags(template: NodeTemplate): Record<string, string> {
  const tags: Record<string, string> = { [`${AUTOSCALER_TAG_PREFIX}/enabled`]: "true" };
  for (const [key, value] of Object.entries(template.labels)) {
    tags[`${NODE_TEMPLATE}/label/${key}`] = value;
  }
  for (const taint of template.taints) {
    tags[`${NODE_TEMPLATE}/taint/${taint.key}`] = `${taint.value}:${taint.effect}`;
  }
  for (const [resource, quantity] of Object.entries(template.resources)) {
    tags[`${NODE_TEMPLATE}/resources/${resource}`] = String(quantity);
  }
  return tags;
}

/** Turns a tag key into the kebab-case part of a resource name. */
export function tagResourceSuffix(tagKey: string): string {
  return tagKey
    .slice(`${AUTOSCALER_TAG_PREFIX}/`.length)
    .replace(/^node-template\//, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * Tags the node group's Auto Scaling group, which EKS creates and names. The tags are not
 * propagated to instances: the autoscaler reads them from the group only.
 */
export function tagAutoScalingGroup(
  name: string,
  autoScalingGroupName: pulumi.Input<string>,
  clusterName: pulumi.Input<string>,
  template: NodeTemplate,
  parent: pulumi.Resource,
): aws.autoscaling.Tag[] {
  const tag = (suffix: string, key: pulumi.Input<string>, value: string) =>
    new aws.autoscaling.Tag(
      `${name}-asg-tag-${suffix}`,
      { autoscalingGroupName: autoScalingGroupName, tag: { key, value, propagateAtLaunch: false } },
      { parent },
    );
  const tags = Object.entries(nodeTemplateTags(template)).map(([key, value]) =>
    tag(tagResourceSuffix(key), key, value),
  );
  const ownedKey = pulumi.interpolate`${AUTOSCALER_TAG_PREFIX}/${clusterName}`;
  tags.push(tag("cluster-owned", ownedKey, "owned"));
  return tags;
}
