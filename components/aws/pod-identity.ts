import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { managedPolicyArn, policyResourceSuffix } from "./iam";

/** Service principal of EKS Pod Identity. */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";

export interface PodIdentityRoleArgs {
  clusterName: pulumi.Input<string>;
  /** Namespace of the service account. */
  namespace: string;
  /** Kubernetes service account whose pods get the role's credentials. */
  serviceAccount: string;
  /** IAM policy document (JSON) attached inline; keep it to the actions the add-on calls. */
  policyJson?: pulumi.Input<string>;
  /** Names of AWS managed policies to attach, such as `AmazonEKS_CNI_Policy`. */
  managedPolicies?: string[];
  tags?: Record<string, string>;
}

/** The role of one service account and the association that hands its credentials to pods. */
export interface PodIdentityRole {
  role: aws.iam.Role;
  association: aws.eks.PodIdentityAssociation;
  /** Inline policy and managed policy attachments; the association waits for them. */
  policies: pulumi.Resource[];
}

/**
 * Returns the trust policy of a Pod Identity role. EKS Pod Identity assumes the role with
 * `sts:AssumeRole` and tags the session with `sts:TagSession`. Conditions on those session tags
 * restrict the role to one service account in one namespace of one cluster (Amazon EKS User Guide,
 * "Create IAM role with trust policy required by EKS Pod Identity").
 */
export function podIdentityTrustPolicy(
  clusterName: pulumi.Input<string>,
  namespace: string,
  serviceAccount: string,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: POD_IDENTITY_PRINCIPAL },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:RequestTag/eks-cluster-name": clusterName,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccount,
          },
        },
      },
    ],
  });
}

/**
 * Creates an IAM role for one Kubernetes service account through EKS Pod Identity: the role
 * `${name}-role`, its policies, and the association `${name}-association`. The cluster needs the
 * `eks-pod-identity-agent` add-on. Children take `opts`, so pass `{ parent: this }`.
 */
export function podIdentityRole(
  name: string,
  args: PodIdentityRoleArgs,
  opts?: pulumi.CustomResourceOptions,
): PodIdentityRole {
  if (!args.policyJson && !args.managedPolicies?.length) {
    throw new Error(
      `podIdentityRole ${name} has no permissions: set policyJson or managedPolicies`,
    );
  }
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      assumeRolePolicy: podIdentityTrustPolicy(
        args.clusterName,
        args.namespace,
        args.serviceAccount,
      ),
      description: `EKS Pod Identity role of ${args.namespace}/${args.serviceAccount}`,
      tags: args.tags,
    },
    opts,
  );
  const policies = attachPolicies(name, role, args, opts);
  const association = new aws.eks.PodIdentityAssociation(
    `${name}-association`,
    {
      clusterName: args.clusterName,
      namespace: args.namespace,
      serviceAccount: args.serviceAccount,
      roleArn: role.arn,
      tags: args.tags,
    },
    { ...opts, dependsOn: policies },
  );
  return { role, association, policies };
}

function attachPolicies(
  name: string,
  role: aws.iam.Role,
  args: PodIdentityRoleArgs,
  opts?: pulumi.CustomResourceOptions,
): pulumi.Resource[] {
  const policies: pulumi.Resource[] = [];
  if (args.policyJson) {
    policies.push(
      new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: args.policyJson }, opts),
    );
  }
  const managed = args.managedPolicies ?? [];
  if (managed.length > 0) {
    const partition = aws.getPartitionOutput({}, { parent: opts?.parent }).partition;
    for (const policy of managed) {
      const attachment = new aws.iam.RolePolicyAttachment(
        `${name}-${policyResourceSuffix(policy)}`,
        { role: role.name, policyArn: managedPolicyArn(partition, policy) },
        opts,
      );
      policies.push(attachment);
    }
  }
  return policies;
}
