import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityRole } from "./pod-identity";

/** CoreDNS runs as a Deployment, so it is installed after the system nodes that run its pods. */
export const DNS_ADDON = "coredns";

/** Service account of the VPC CNI's `aws-node` DaemonSet. */
const VPC_CNI_SERVICE_ACCOUNT = { namespace: "kube-system", serviceAccount: "aws-node" };

export interface CoreAddonArgs {
  clusterName: pulumi.Input<string>;
  kubernetesVersion: string;
  tags: Record<string, string>;
  /** Add-on settings as the JSON document EKS accepts for the add-on. */
  configurationValues?: string;
}

/**
 * VPC CNI settings: enforce Kubernetes NetworkPolicies, which the CNI ignores until this is on
 * ("Configure your cluster for Kubernetes network policies", Amazon EKS User Guide).
 */
export const VPC_CNI_CONFIGURATION = JSON.stringify({ enableNetworkPolicy: "true" });

/**
 * Installs one EKS add-on at the version EKS marks as default for the cluster's Kubernetes
 * version (`mostRecent: false`). The plan therefore shows the version, and raising
 * `cluster.kubernetesVersion` moves each add-on to the new default in the same update. Pulumi owns
 * the add-on's configuration, so conflicts with edits made in the cluster are overwritten.
 */
export function createAddon(
  name: string,
  addonName: string,
  args: CoreAddonArgs,
  opts: pulumi.CustomResourceOptions,
): aws.eks.Addon {
  const version = aws.eks.getAddonVersionOutput(
    { addonName, kubernetesVersion: args.kubernetesVersion, mostRecent: false },
    { parent: opts.parent },
  ).version;
  return new aws.eks.Addon(
    `${name}-addon-${addonName}`,
    {
      clusterName: args.clusterName,
      addonName,
      addonVersion: version,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      configurationValues: args.configurationValues,
      tags: args.tags,
    },
    opts,
  );
}

/**
 * Installs the add-ons nodes need before they turn Ready, and node groups depend on the result.
 * The Pod Identity agent comes first because it hands out add-on roles, including the VPC CNI's
 * role with `AmazonEKS_CNI_Policy`. It tolerates every taint (aws/eks-pod-identity-agent
 * `charts/eks-pod-identity-agent/values.yaml`), so it also runs on the tainted GPU nodes. Then the
 * VPC CNI gives pods their addresses, and kube-proxy programs Service routing.
 */
export function createNodeAddons(
  name: string,
  args: CoreAddonArgs,
  parent: pulumi.Resource,
): aws.eks.Addon[] {
  const agent = createAddon(name, "eks-pod-identity-agent", args, { parent });
  const cniRole = podIdentityRole(
    `${name}-vpc-cni`,
    {
      clusterName: args.clusterName,
      ...VPC_CNI_SERVICE_ACCOUNT,
      managedPolicies: ["AmazonEKS_CNI_Policy"],
      tags: args.tags,
    },
    { parent, dependsOn: [agent] },
  );
  const cniArgs = { ...args, configurationValues: VPC_CNI_CONFIGURATION };
  const cni = createAddon(name, "vpc-cni", cniArgs, {
    parent,
    dependsOn: [agent, cniRole.association],
  });
  const kubeProxy = createAddon(name, "kube-proxy", args, { parent });
  return [agent, cni, kubeProxy];
}
