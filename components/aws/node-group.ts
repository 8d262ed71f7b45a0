import * as pulumi from "@pulumi/pulumi";

/** Node label that names the pool a node belongs to: `system` or `gpu`. */
export const POOL_LABEL = "servekit.dev/pool";

/**
 * Node group inputs that Pulumi leaves alone after creation. The cluster autoscaler changes the
 * desired size between the minimum and maximum, so Pulumi sets it only when it creates the group
 * and never resets it on later updates.
 * NOTE: raising the minimum above the group's current desired size fails in EKS ("Minimum capacity
 * N can't be greater than desired size M"). Raise the desired size first with `aws eks
 * update-nodegroup-config --scaling-config desiredSize=N`, then run `pulumi up` again.
 */
export const NODE_GROUP_IGNORED_CHANGES = ["scalingConfig.desiredSize"];

/**
 * Returns the resource options of a managed node group. A replacement (for example a new instance
 * type) creates the new group before it deletes the old one, which works because node groups are
 * auto-named rather than given a fixed `nodeGroupName`.
 */
export function nodeGroupOptions(
  parent: pulumi.Resource,
  dependsOn: pulumi.Resource[] = [],
): pulumi.CustomResourceOptions {
  return { parent, dependsOn, ignoreChanges: [...NODE_GROUP_IGNORED_CHANGES] };
}
