import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { createAddon, createNodeAddons, DNS_ADDON } from "./addons";
import {
  CLUSTER_ROLE_POLICIES,
  createServiceRole,
  NODE_ROLE_POLICIES,
  clusterRolePolicy,
} from "./iam";
import { buildKubeconfig } from "./kubeconfig";
import {
  createSystemNodeGroup,
  SYSTEM_NODE_GROUP_DEFAULTS,
  type SystemNodeGroupSettings,
} from "./system-node-group";

/** Control plane log types sent to CloudWatch Logs. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator"];

/**
 * Days CloudWatch keeps control plane logs. EKS would create the log group itself with no expiry
 * and leave it behind on destroy, so the program creates it, with this retention, and deletes it.
 */
export const CONTROL_PLANE_LOG_RETENTION_DAYS = 90;

/** CIDR range that matches every IPv4 address. */
const ANY_IPV4 = "0.0.0.0/0";

export interface ClusterArgs {
  /** The stack's `cluster` settings. */
  cluster: StackConfig["cluster"];
  vpcId: pulumi.Input<string>;
  /** Private subnets in two or more zones, for the control plane's network interfaces and nodes. */
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Tags added to every AWS resource. */
  tags?: Record<string, string>;
  /** Overrides for the system node group. @default SYSTEM_NODE_GROUP_DEFAULTS */
  systemNodeGroup?: Partial<SystemNodeGroupSettings>;
}

/**
 * An EKS cluster ready for add-ons: IAM roles, the control plane with KMS-encrypted Secrets and
 * access entries, the core EKS add-ons, an untainted system node group, and a Kubernetes provider
 * that authenticates with `aws eks get-token`.
 */
export class Cluster extends pulumi.ComponentResource {
  /** EKS cluster name: `<component name>-<stack>`. */
  readonly clusterName: pulumi.Output<string>;
  readonly kubernetesVersion: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  /** Base64 certificate authority data. */
  readonly certificateAuthority: pulumi.Output<string>;
  /** Kubeconfig that runs `aws eks get-token`; a secret output. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  /** Role of all nodes, system and GPU; EKS creates its access entry with each node group. */
  readonly nodeRoleArn: pulumi.Output<string>;
  /** Security group EKS creates for the control plane and nodes. */
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  /** OIDC issuer of the cluster; add-on roles use Pod Identity instead. */
  readonly oidcIssuerUrl: pulumi.Output<string>;
  readonly systemNodeGroup: aws.eks.NodeGroup;
  /** Add-ons and node role policies that nodes need to join; node groups depend on them. */
  readonly nodeDependencies: pulumi.Resource[];
  readonly coreAddons: aws.eks.Addon[];

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const apiAccessCidrs = requireApiAccessCidrs(args.cluster);
    super("servekit:aws:Cluster", name, {}, opts);
    const tags = args.tags ?? {};
    const clusterName = eksClusterName(name, pulumi.getStack());
    this.warnAboutOpenEndpoint(apiAccessCidrs);

    const cluster = this.createControlPlane(name, clusterName, args, apiAccessCidrs, tags);
    const nodes = this.createNodes(name, clusterName, cluster, args, tags);

    this.clusterName = cluster.name;
    this.kubernetesVersion = cluster.version;
    this.endpoint = cluster.endpoint;
    this.certificateAuthority = cluster.certificateAuthority.data;
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    this.oidcIssuerUrl = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
    this.nodeRoleArn = nodes.nodeRoleArn;
    this.systemNodeGroup = nodes.systemNodeGroup;
    this.nodeDependencies = nodes.nodeDependencies;
    this.coreAddons = nodes.coreAddons;

    this.kubeconfig = buildKubeconfig({
      clusterName: cluster.name,
      endpoint: cluster.endpoint,
      certificateAuthority: this.certificateAuthority,
      region: aws.getRegionOutput({}, { parent: this }).region,
    });
    this.provider = new k8s.Provider(
      `${name}-kubernetes`,
      { kubeconfig: this.kubeconfig },
      { parent: this },
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      endpoint: this.endpoint,
      kubeconfig: this.kubeconfig,
      nodeRoleArn: this.nodeRoleArn,
      clusterSecurityGroupId: this.clusterSecurityGroupId,
    });
  }

  private warnAboutOpenEndpoint(apiAccessCidrs: string[]): void {
    if (!apiAccessCidrs.includes(ANY_IPV4)) return;
    pulumi.log.warn(
      `cluster.apiAccessCidrs contains ${ANY_IPV4}: the Kubernetes API endpoint accepts ` +
        "connections from any internet address (requests still need AWS credentials). " +
        "Set cluster.apiAccessCidrs to the ranges that run kubectl and `pulumi up`.",
      this,
    );
  }

  /** Creates the node role, the add-ons nodes need, the system node group, then CoreDNS. */
  private createNodes(
    name: string,
    clusterName: string,
    cluster: aws.eks.Cluster,
    args: ClusterArgs,
    tags: Record<string, string>,
  ) {
    const addonArgs = {
      clusterName: cluster.name,
      kubernetesVersion: args.cluster.kubernetesVersion,
      tags,
    };
    const nodeAddons = createNodeAddons(name, addonArgs, this);
    const nodeRole = createServiceRole(
      `${name}-node-role`,
      {
        service: "ec2.amazonaws.com",
        actions: ["sts:AssumeRole"],
        policies: NODE_ROLE_POLICIES,
        description: `Nodes of EKS cluster ${clusterName}`,
      },
      tags,
      this,
    );
    // Node groups wait for the role's policies, and on destroy go before them.
    const nodeDependencies = [...nodeAddons, ...nodeRole.attachments];
    const systemNodeGroup = createSystemNodeGroup(
      `${name}-system`,
      {
        clusterName: cluster.name,
        kubernetesVersion: cluster.version,
        nodeRoleArn: nodeRole.role.arn,
        subnetIds: args.privateSubnetIds,
        settings: { ...SYSTEM_NODE_GROUP_DEFAULTS, ...args.systemNodeGroup },
        tags,
      },
      this,
      nodeDependencies,
    );
    const dns = createAddon(name, DNS_ADDON, addonArgs, {
      parent: this,
      dependsOn: [systemNodeGroup],
    });
    return {
      nodeRoleArn: nodeRole.role.arn,
      systemNodeGroup,
      nodeDependencies,
      coreAddons: [...nodeAddons, dns],
    };
  }

  private createControlPlane(
    name: string,
    clusterName: string,
    args: ClusterArgs,
    apiAccessCidrs: string[],
    tags: Record<string, string>,
  ): aws.eks.Cluster {
    const role = this.createClusterRole(name, clusterName, args, tags);
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      {
        name: `/aws/eks/${clusterName}/cluster`,
        retentionInDays: CONTROL_PLANE_LOG_RETENTION_DAYS,
        tags,
      },
      { parent: this },
    );
    return new aws.eks.Cluster(
      `${name}-cluster`,
      {
        name: clusterName,
        version: args.cluster.kubernetesVersion,
        roleArn: role.roleArn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: true,
          publicAccessCidrs: apiAccessCidrs,
        },
        // Access entries only: the identity that runs `pulumi up` becomes cluster admin, and EKS
        // creates the node role's entry with each managed node group.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        encryptionConfig: { provider: { keyArn: role.secretsKeyArn }, resources: ["secrets"] },
        enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
        // The VPC CNI, kube-proxy and CoreDNS are installed as managed EKS add-ons instead.
        bootstrapSelfManagedAddons: false,
        tags,
      },
      { parent: this, dependsOn: [...role.policies, logGroup] },
    );
  }

  /** Creates the control plane's role with access to the Secrets key, and the key unless given. */
  private createClusterRole(
    name: string,
    clusterName: string,
    args: ClusterArgs,
    tags: Record<string, string>,
  ) {
    const clusterRole = createServiceRole(
      `${name}-cluster-role`,
      {
        service: "eks.amazonaws.com",
        actions: ["sts:AssumeRole"],
        policies: CLUSTER_ROLE_POLICIES,
        description: `EKS control plane of ${clusterName}`,
      },
      tags,
      this,
    );
    const secretsKeyArn =
      args.cluster.secretsKmsKeyArn ?? this.createSecretsKey(name, clusterName, tags);
    const inlinePolicy = new aws.iam.RolePolicy(
      `${name}-cluster-role-policy`,
      { role: clusterRole.role.id, policy: clusterRolePolicy(secretsKeyArn) },
      { parent: this },
    );
    return {
      roleArn: clusterRole.role.arn,
      secretsKeyArn,
      policies: [...clusterRole.attachments, inlinePolicy],
    };
  }

  /** Creates the KMS key for Kubernetes Secrets, with yearly automatic rotation. */
  private createSecretsKey(
    name: string,
    clusterName: string,
    tags: Record<string, string>,
  ): pulumi.Output<string> {
    const key = new aws.kms.Key(
      `${name}-secrets-key`,
      {
        description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${clusterName}`,
        enableKeyRotation: true,
        // AWS keeps a deleted key pending deletion for 7 to 30 days; the shortest leaves the
        // least behind after `pulumi destroy`.
        deletionWindowInDays: 7,
        tags,
      },
      { parent: this },
    );
    return key.arn;
  }
}

/** Returns the API access ranges, which the stack config requires. */
function requireApiAccessCidrs(cluster: StackConfig["cluster"]): string[] {
  if (!cluster.apiAccessCidrs || cluster.apiAccessCidrs.length === 0) {
    throw new Error(
      "cluster.apiAccessCidrs is missing: list the CIDR ranges that may reach the Kubernetes " +
        "API, including the address of the machine that runs `pulumi up`",
    );
  }
  return [...cluster.apiAccessCidrs];
}

/**
 * Returns the EKS cluster name `<name>-<stack>`. EKS allows letters, digits, hyphens and
 * underscores, up to 100 characters (EKS API Reference, CreateCluster `name`), so other characters
 * become `-` and the name is cut at 100.
 */
export function eksClusterName(name: string, stack: string): string {
  return `${name}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 100);
}
