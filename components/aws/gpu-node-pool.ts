import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import type { SizingPlan } from "../../sizing/types";
import { tagAutoScalingGroup, type NodeTemplate } from "./autoscaler-tags";
import {
  createEfaResources,
  EFA_LABEL,
  EFA_RESOURCE,
  efaInterfacesFor,
  efaNetworkInterfaces,
} from "./efa";
import { createNodeLaunchTemplate, launchTemplateReference } from "./launch-template";
import { nodeGroupOptions, POOL_LABEL } from "./node-group";

/** Extended resource and taint key of NVIDIA GPUs. */
export const GPU_RESOURCE = "nvidia.com/gpu";
export const GPU_TAINT_KEY = GPU_RESOURCE;

/** Node labels that pods select on. */
export const MODEL_LABEL = "servekit.dev/model";
export const INSTANCE_TYPE_LABEL = "servekit.dev/instance-type";
/** The NVIDIA device plugin's default node affinity requires this label. */
export const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";

/** Cluster outputs a GPU node pool uses; `Cluster` provides all of them. */
export interface NodePoolCluster {
  clusterName: pulumi.Input<string>;
  kubernetesVersion: pulumi.Input<string>;
  nodeRoleArn: pulumi.Input<string>;
  /** Attached to EFA nodes' primary interface, which EKS then leaves to the launch template. */
  clusterSecurityGroupId: pulumi.Input<string>;
  /** Resources nodes need before they join, such as the VPC CNI add-on. */
  nodeDependencies?: pulumi.Resource[];
}

export interface GpuNodePoolArgs {
  /** The planner's decision; the pool renders `plan.nodePool` and `plan.parallelism`. */
  plan: SizingPlan;
  /** The stack's `nodePool` settings: AMI type and capacity type. */
  nodePool: StackConfig["nodePool"];
  cluster: NodePoolCluster;
  vpcId: pulumi.Input<string>;
  /** Private subnets in two or more availability zones. */
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Tags added to every AWS resource. */
  tags?: Record<string, string>;
}

/**
 * One EKS managed node group of GPU nodes for one served model. Its `nvidia.com/gpu` taint keeps
 * out pods that do not tolerate it, and its Auto Scaling group tags let the cluster autoscaler
 * scale it from zero. When a replica spans several nodes, the nodes get EFA interfaces and share
 * a cluster placement group.
 */
export class GpuNodePool extends pulumi.ComponentResource {
  readonly nodeGroup: aws.eks.NodeGroup;
  readonly nodeGroupName: pulumi.Output<string>;
  /** Labels of every node in the pool, for node selectors. */
  readonly labels: Record<string, string>;
  readonly taintKey: string;
  /** EFA interfaces per node; 0 when the pool has none. */
  readonly efaInterfaces: number;

  constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("servekit:aws:GpuNodePool", name, {}, opts);
    const { plan } = args;
    const tags = { ...args.tags, [MODEL_LABEL]: plan.model.name };
    this.efaInterfaces = efaInterfacesFor(
      plan.nodePool.instanceType,
      plan.parallelism.nodesPerReplica,
    );
    this.labels = gpuNodeLabels(plan, this.efaInterfaces > 0);
    this.taintKey = GPU_TAINT_KEY;
    this.warnAboutRisks(name, args);

    const launchTemplate = this.createLaunchTemplate(name, args, tags);
    this.nodeGroup = this.createNodeGroup(name, args, launchTemplate, tags);
    this.nodeGroupName = this.nodeGroup.nodeGroupName;

    tagAutoScalingGroup(
      name,
      autoScalingGroupName(this.nodeGroup),
      args.cluster.clusterName,
      this.nodeTemplate(plan),
      this,
    );
    this.registerOutputs({
      nodeGroupName: this.nodeGroupName,
      labels: this.labels,
      taintKey: this.taintKey,
      efaInterfaces: this.efaInterfaces,
    });
  }

  private createNodeGroup(
    name: string,
    args: GpuNodePoolArgs,
    launchTemplate: aws.ec2.LaunchTemplate,
    tags: Record<string, string>,
  ): aws.eks.NodeGroup {
    const { plan } = args;
    // No fixed nodeGroupName: an auto-named group is replaced create-before-delete when the
    // instance type changes, so the new group exists before EKS drains the old group's nodes.
    return new aws.eks.NodeGroup(
      `${name}-node-group`,
      {
        clusterName: args.cluster.clusterName,
        version: args.cluster.kubernetesVersion,
        nodeRoleArn: args.cluster.nodeRoleArn,
        subnetIds:
          this.efaInterfaces > 0 ? firstSubnet(args.privateSubnetIds) : args.privateSubnetIds,
        instanceTypes: [plan.nodePool.instanceType],
        amiType: args.nodePool.amiType,
        capacityType: args.nodePool.capacityType === "spot" ? "SPOT" : "ON_DEMAND",
        scalingConfig: {
          minSize: plan.nodePool.minSize,
          maxSize: plan.nodePool.maxSize,
          desiredSize: plan.nodePool.minSize,
        },
        labels: this.labels,
        taints: [{ key: GPU_TAINT_KEY, value: "true", effect: "NO_SCHEDULE" }],
        launchTemplate: launchTemplateReference(launchTemplate),
        tags,
      },
      nodeGroupOptions(this, args.cluster.nodeDependencies),
    );
  }

  private createLaunchTemplate(
    name: string,
    args: GpuNodePoolArgs,
    tags: Record<string, string>,
  ): aws.ec2.LaunchTemplate {
    const settings = {
      rootVolumeGiB: args.plan.nodePool.rootVolumeGiB,
      rootVolumePerformance: {
        throughputMiBps: args.plan.nodePool.rootVolumeThroughputMiBps,
        iops: args.plan.nodePool.rootVolumeIops,
      },
      tags: { ...tags, Name: `${name}-gpu-node` },
    };
    if (this.efaInterfaces === 0) {
      return createNodeLaunchTemplate(`${name}-launch-template`, settings, this);
    }
    const efa = createEfaResources(name, args.vpcId, tags, this);
    return createNodeLaunchTemplate(
      `${name}-launch-template`,
      {
        ...settings,
        networkInterfaces: efaNetworkInterfaces(
          this.efaInterfaces,
          args.cluster.clusterSecurityGroupId,
          efa.securityGroup.id,
        ),
        placementGroupName: efa.placementGroup.name,
      },
      this,
    );
  }

  /** Describes a node of the pool for the cluster autoscaler's scale-up from zero. */
  private nodeTemplate(plan: SizingPlan): NodeTemplate {
    const resources: Record<string, number | string> = {
      [GPU_RESOURCE]: plan.gpu.gpusPerNode,
      // Without this the autoscaler cannot tell that a node started from zero fits pods that
      // request the model cache as ephemeral storage.
      "ephemeral-storage": `${plan.nodePool.allocatableDiskGiB}Gi`,
    };
    if (this.efaInterfaces > 0) resources[EFA_RESOURCE] = this.efaInterfaces;
    return {
      labels: this.labels,
      taints: [{ key: GPU_TAINT_KEY, value: "true", effect: "NoSchedule" }],
      resources,
    };
  }

  private warnAboutRisks(name: string, args: GpuNodePoolArgs): void {
    // The planner already warns about spot capacity, with its cost and multi-node effects.
    if (args.nodePool.amiType === "AL2_x86_64_GPU") {
      pulumi.log.warn(
        `GPU node pool ${name} uses nodePool.amiType AL2_x86_64_GPU: EKS stopped publishing ` +
          "Amazon Linux 2 AMIs in November 2025, so nodes get no further driver or security " +
          "updates, and recent vLLM images may need a newer NVIDIA driver than the last AL2 AMI " +
          "carries. Set nodePool.amiType to AL2023_x86_64_NVIDIA.",
        this,
      );
    }
    if (this.efaInterfaces > 0) {
      pulumi.log.warn(
        `GPU node pool ${name} spans ${args.plan.parallelism.nodesPerReplica} nodes per replica ` +
          "over EFA in a cluster placement group, which lives in one availability zone. All its " +
          "nodes go to the first private subnet, so that zone's GPU capacity alone limits " +
          "scaling. A replica that fits one node (for example quantization fp8 or int4, or gpu " +
          "h200-141gb) spreads over every zone.",
        this,
      );
    }
  }
}

/** Returns the labels of every node in a GPU pool for the planned model and instance type. */
export function gpuNodeLabels(plan: SizingPlan, efa: boolean): Record<string, string> {
  const labels: Record<string, string> = {
    [POOL_LABEL]: "gpu",
    [MODEL_LABEL]: plan.model.name,
    [GPU_PRESENT_LABEL]: "true",
    [INSTANCE_TYPE_LABEL]: plan.nodePool.instanceType,
  };
  if (efa) labels[EFA_LABEL] = "true";
  return labels;
}

/** Returns a list with the first subnet only: a cluster placement group cannot span zones. */
function firstSubnet(subnetIds: pulumi.Input<pulumi.Input<string>[]>): pulumi.Output<string[]> {
  return pulumi.output(subnetIds).apply((ids) => ids.slice(0, 1));
}

/** Returns the name of the Auto Scaling group EKS created for a managed node group. */
function autoScalingGroupName(nodeGroup: aws.eks.NodeGroup): pulumi.Output<string> {
  return nodeGroup.resources.apply((resources) => {
    const group = resources?.[0]?.autoscalingGroups?.[0]?.name;
    if (!group) throw new Error("EKS reported no Auto Scaling group for the GPU node group");
    return group;
  });
}
