import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createNodeLaunchTemplate, launchTemplateReference } from "./launch-template";
import { nodeGroupOptions, POOL_LABEL } from "./node-group";

/** Size of the untainted node group that runs CoreDNS, KEDA, Prometheus and the controllers. */
export interface SystemNodeGroupSettings {
  instanceType: string;
  minSize: number;
  maxSize: number;
  /** Root volume in GiB, for container images and logs. */
  rootVolumeGiB: number;
}

/**
 * Two m6i.large nodes (2 vCPU, 8 GiB each) in different zones keep the add-ons running when one
 * node fails, and the autoscaler may add a third. The 50 GiB root volume leaves room for the
 * add-on images beyond the 20 GiB that EKS managed node groups give by default.
 */
export const SYSTEM_NODE_GROUP_DEFAULTS: SystemNodeGroupSettings = {
  instanceType: "m6i.large",
  minSize: 2,
  maxSize: 3,
  rootVolumeGiB: 50,
};

/** Amazon Linux 2023 AMI type for nodes without GPUs. */
export const SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD";

export interface SystemNodeGroupArgs {
  clusterName: pulumi.Input<string>;
  kubernetesVersion: pulumi.Input<string>;
  nodeRoleArn: pulumi.Input<string>;
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  settings: SystemNodeGroupSettings;
  tags: Record<string, string>;
}

/**
 * Creates the system node group `${name}-node-group` and its launch template
 * `${name}-launch-template`. It has no taint, so add-ons without GPU tolerations land here.
 */
export function createSystemNodeGroup(
  name: string,
  args: SystemNodeGroupArgs,
  parent: pulumi.Resource,
  dependsOn: pulumi.Resource[],
): aws.eks.NodeGroup {
  const { settings } = args;
  const launchTemplate = createNodeLaunchTemplate(
    `${name}-launch-template`,
    { rootVolumeGiB: settings.rootVolumeGiB, tags: { ...args.tags, Name: `${name}-node` } },
    parent,
  );
  return new aws.eks.NodeGroup(
    `${name}-node-group`,
    {
      clusterName: args.clusterName,
      version: args.kubernetesVersion,
      nodeRoleArn: args.nodeRoleArn,
      subnetIds: args.subnetIds,
      instanceTypes: [settings.instanceType],
      amiType: SYSTEM_AMI_TYPE,
      capacityType: "ON_DEMAND",
      scalingConfig: {
        minSize: settings.minSize,
        maxSize: settings.maxSize,
        desiredSize: settings.minSize,
      },
      labels: { [POOL_LABEL]: "system" },
      launchTemplate: launchTemplateReference(launchTemplate),
      tags: args.tags,
    },
    nodeGroupOptions(parent, dependsOn),
  );
}
