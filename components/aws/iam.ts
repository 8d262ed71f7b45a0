import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Managed policy of the cluster role (Amazon EKS User Guide, "Amazon EKS cluster IAM role"). */
export const CLUSTER_ROLE_POLICIES = ["AmazonEKSClusterPolicy"];

/**
 * AWS managed policies of the node role (Amazon EKS User Guide, "Amazon EKS node IAM role").
 * `AmazonEKS_CNI_Policy` is left out, as that page recommends: the VPC CNI gets it through its own
 * Pod Identity role, so no other process on a node has it.
 */
export const NODE_ROLE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryPullOnly",
];

/** Returns a trust policy that lets one AWS service principal assume a role. */
export function serviceTrustPolicy(service: string, actions: string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }],
  });
}

/** Returns the ARN of an AWS managed policy in the current partition. */
export function managedPolicyArn(partition: pulumi.Input<string>, policy: string) {
  return pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;
}

/** Turns a policy name into the kebab-case part of a resource name. */
export function policyResourceSuffix(policy: string): string {
  return policy
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** A role with the AWS managed policies attached; dependants wait on the attachments. */
export interface RoleWithPolicies {
  role: aws.iam.Role;
  attachments: aws.iam.RolePolicyAttachment[];
}

/** Creates a role trusted by `service` and attaches the given AWS managed policies. */
export function createServiceRole(
  name: string,
  args: { service: string; actions: string[]; policies: string[]; description: string },
  tags: Record<string, string>,
  parent: pulumi.Resource,
): RoleWithPolicies {
  const partition = aws.getPartitionOutput({}, { parent }).partition;
  const role = new aws.iam.Role(
    name,
    {
      assumeRolePolicy: serviceTrustPolicy(args.service, args.actions),
      description: args.description,
      tags,
    },
    { parent },
  );
  const attachments = args.policies.map(
    (policy) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-${policyResourceSuffix(policy)}`,
        { role: role.name, policyArn: managedPolicyArn(partition, policy) },
        { parent },
      ),
  );
  return { role, attachments };
}

/**
 * Returns the inline policy of the cluster role. It allows the KMS actions that envelope encryption
 * of Kubernetes Secrets uses on the one key, and denies `logs:CreateLogGroup` so that logs written
 * during a destroy cannot recreate the control plane log group after Pulumi deleted it. Both
 * statements follow terraform-aws-modules/terraform-aws-eks `main.tf`.
 */
export function clusterRolePolicy(secretsKeyArn: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
        Resource: secretsKeyArn,
      },
      { Effect: "Deny", Action: ["logs:CreateLogGroup"], Resource: "*" },
    ],
  });
}
