import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Root device of the EKS-optimized Amazon Linux 2023 AMIs (`RootDeviceName` in
 * `aws ec2 describe-images`). A mapping for another name would add a volume, not resize the root.
 */
export const ROOT_DEVICE_NAME = "/dev/xvda";

/**
 * Instance metadata settings for every node: IMDSv2 only (`httpTokens: required`) and a response
 * hop limit of 1. A pod in its own network namespace is one hop further away, so the IMDSv2 token
 * response never reaches it and it cannot read the node role's credentials. The Amazon EKS User
 * Guide ("Customize managed nodes with launch templates") requires a hop limit of 2 for containers
 * that use IMDSv2, so a limit of 1 denies them. Pods on the host network can still reach
 * the metadata service, so add-ons get their own roles through EKS Pod Identity instead.
 */
export const NODE_METADATA_OPTIONS = {
  httpEndpoint: "enabled",
  httpTokens: "required",
  httpPutResponseHopLimit: 1,
} as const;

/** Settings of a node launch template; EKS adds the AMI, user data and instance profile. */
export interface NodeLaunchTemplateArgs {
  /** Root volume size in GiB. */
  rootVolumeGiB: number;
  /**
   * Provisioned gp3 throughput of the root volume in MiB/s and its IOPS. When absent the volume
   * keeps the gp3 baseline of 125 MiB/s and 3,000 IOPS. NOTE: the @pulumi/aws 7.48 docs give
   * 1,000 MiB/s as the launch template maximum, although EBS now allows 2,000. The planner requests
   * at most 1,000 (8 pods × 125 MiB/s).
   */
  rootVolumePerformance?: { throughputMiBps: number; iops: number };
  tags: Record<string, string>;
  /** EFA network interfaces; when absent EKS attaches its own primary interface. */
  networkInterfaces?: aws.types.input.ec2.LaunchTemplateNetworkInterface[];
  /** Placement group that keeps the nodes close together. */
  placementGroupName?: pulumi.Input<string>;
}

/**
 * Creates a launch template for an EKS managed node group. It sets no subnet or instance profile,
 * which EKS prohibits in launch templates, and no instance type, which the node group sets (Amazon
 * EKS User Guide, "Customize managed nodes with launch templates").
 */
export function createNodeLaunchTemplate(
  name: string,
  args: NodeLaunchTemplateArgs,
  parent: pulumi.Resource,
): aws.ec2.LaunchTemplate {
  const resourceTags = ["instance", "volume", "network-interface"].map((resourceType) => ({
    resourceType,
    tags: args.tags,
  }));
  return new aws.ec2.LaunchTemplate(
    name,
    {
      description: "EKS managed node group nodes: IMDSv2 only, encrypted gp3 root volume",
      metadataOptions: { ...NODE_METADATA_OPTIONS },
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE_NAME,
          ebs: {
            volumeSize: args.rootVolumeGiB,
            volumeType: "gp3",
            throughput: args.rootVolumePerformance?.throughputMiBps,
            iops: args.rootVolumePerformance?.iops,
            encrypted: "true",
            deleteOnTermination: "true",
          },
        },
      ],
      networkInterfaces: args.networkInterfaces,
      placement: args.placementGroupName ? { groupName: args.placementGroupName } : undefined,
      tagSpecifications: resourceTags,
      updateDefaultVersion: true,
      tags: args.tags,
    },
    { parent },
  );
}

/** Returns the node group's reference to the template's newest version. */
export function launchTemplateReference(
  template: aws.ec2.LaunchTemplate,
): aws.types.input.eks.NodeGroupLaunchTemplate {
  return { id: template.id, version: template.latestVersion.apply(String) };
}
