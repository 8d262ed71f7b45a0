import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { InstanceType } from "../../config/schema";

/**
 * Elastic Fabric Adapter interfaces per instance, one per network card, as EC2 reports them in
 * DescribeInstanceTypes `NetworkInfo.EfaInfo.MaximumEfaInterfaces`. The Amazon EC2 User Guide page
 * "Maximize network bandwidth on Amazon EC2 instances with multiple network cards" gives 32 network
 * cards for P5 and P5e.
 * NOTE: the p4d, p4de and p5en counts (4, 4, 16) come from DescribeInstanceTypes output quoted in
 * public material, not from an AWS page. Check them with `aws ec2 describe-instance-types
 * --instance-types p5en.48xlarge --query 'InstanceTypes[].NetworkInfo.EfaInfo'`.
 */
export const EFA_INTERFACES: Record<InstanceType, number> = {
  "p4d.24xlarge": 4,
  "p4de.24xlarge": 4,
  "p5.48xlarge": 32,
  "p5e.48xlarge": 32,
  "p5en.48xlarge": 16,
};

/** Extended resource the AWS EFA device plugin advertises on each node. */
export const EFA_RESOURCE = "vpc.amazonaws.com/efa";

/** Node label that marks nodes with EFA interfaces. */
export const EFA_LABEL = "vpc.amazonaws.com/efa.present";

/** Returns the EFA interfaces a node group exposes: all of them for multi-node replicas, else 0. */
export function efaInterfacesFor(instanceType: InstanceType, nodesPerReplica: number): number {
  if (nodesPerReplica <= 1) return 0;
  return EFA_INTERFACES[instanceType] ?? 0;
}

/**
 * Lists the launch template network interfaces for `count` EFA interfaces, one per network card.
 * Card 0 gets the primary interface at device index 0 with type `efa` (EFA with ENA), because the
 * primary interface carries the node's IP traffic and cannot be EFA-only. Every other card gets an
 * `efa-only` interface at device index 1. Such an interface has no IP address, so it takes none
 * from the subnet and the VPC CNI assigns no pod addresses on it. Sources: the EC2 page above, and
 * the Amazon EKS User Guide, "Manage EFA devices on Amazon EKS" (conserving IP addresses).
 *
 * EKS does not add the cluster security group to nodes whose launch template sets security groups
 * (Amazon EKS User Guide, "Customize managed nodes with launch templates"). So the primary
 * interface carries the cluster security group itself, and every interface the EFA group.
 */
export function efaNetworkInterfaces(
  count: number,
  clusterSecurityGroupId: pulumi.Input<string>,
  efaSecurityGroupId: pulumi.Input<string>,
): aws.types.input.ec2.LaunchTemplateNetworkInterface[] {
  return Array.from({ length: count }, (_, card) => ({
    networkCardIndex: card,
    deviceIndex: card === 0 ? 0 : 1,
    interfaceType: card === 0 ? "efa" : "efa-only",
    associatePublicIpAddress: "false",
    deleteOnTermination: "true",
    securityGroups:
      card === 0 ? [clusterSecurityGroupId, efaSecurityGroupId] : [efaSecurityGroupId],
  }));
}

/** Resources an EFA node group needs next to its launch template. */
export interface EfaResources {
  placementGroup: aws.ec2.PlacementGroup;
  securityGroup: aws.ec2.SecurityGroup;
}

/**
 * Creates the cluster placement group, which keeps a group's nodes close together in one
 * availability zone, and a security group that allows all traffic to and from itself. EFA's
 * OS-bypass traffic requires such a group (Amazon EKS User Guide, "Manage EFA devices on Amazon
 * EKS").
 */
export function createEfaResources(
  name: string,
  vpcId: pulumi.Input<string>,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): EfaResources {
  const opts = { parent };
  const placementGroup = new aws.ec2.PlacementGroup(
    `${name}-placement-group`,
    { strategy: "cluster", tags },
    opts,
  );
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-efa-security-group`,
    {
      vpcId,
      description: "EFA traffic between GPU nodes of one node group",
      tags: { ...tags, Name: `${name}-efa` },
    },
    opts,
  );
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-efa-ingress-self`,
    {
      securityGroupId: securityGroup.id,
      referencedSecurityGroupId: securityGroup.id,
      ipProtocol: "-1",
      description: "All traffic from nodes in this EFA group",
    },
    opts,
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-efa-egress-self`,
    {
      securityGroupId: securityGroup.id,
      referencedSecurityGroupId: securityGroup.id,
      ipProtocol: "-1",
      description: "All traffic to nodes in this EFA group",
    },
    opts,
  );
  return { placementGroup, securityGroup };
}
