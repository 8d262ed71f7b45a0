import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";

/**
 * AWS Load Balancer Controller IAM policy: the vendor's published document
 * `docs/install/iam_policy.json` in kubernetes-sigs/aws-load-balancer-controller at tag v3.5.0,
 * kept unchanged as a data file.
 *
 * NOTE: the stored copies of that repository available while writing held only older revisions of
 * the file. This copy follows the newest published revision seen, which adds the actions newer
 * controllers call (ec2:DescribeIpamPools, ec2:DescribeRouteTables,
 * elasticloadbalancing:ModifyIpPools, elasticloadbalancing:SetRulePriorities). Diff it against the
 * file at the tag before the first `pulumi up`.
 */
export const LOAD_BALANCER_CONTROLLER_POLICY_FILE = join(
  __dirname,
  "policies",
  "aws-load-balancer-controller-v3.5.0.json",
);

/** Returns the load balancer controller's IAM policy document as compact JSON. */
export function loadBalancerControllerPolicyJson(): string {
  const document: unknown = JSON.parse(readFileSync(LOAD_BALANCER_CONTROLLER_POLICY_FILE, "utf8"));
  return JSON.stringify(document);
}

/**
 * Read-only calls the cluster autoscaler makes with auto-discovery on EKS managed node groups,
 * from the IAM policy in cluster-autoscaler/cloudprovider/aws/README.md of kubernetes/autoscaler.
 * These actions do not support resource-level scoping, so their resource is `*`.
 */
const AUTOSCALER_DESCRIBE_ACTIONS = [
  "autoscaling:DescribeAutoScalingGroups",
  "autoscaling:DescribeAutoScalingInstances",
  "autoscaling:DescribeLaunchConfigurations",
  "autoscaling:DescribeScalingActivities",
  "autoscaling:DescribeTags",
  "ec2:DescribeImages",
  "ec2:DescribeInstanceTypes",
  "ec2:DescribeLaunchTemplateVersions",
  "ec2:GetInstanceTypesFromInstanceRequirements",
  "eks:DescribeNodegroup",
];

/** Calls that change capacity, allowed only on Auto Scaling groups that this cluster owns. */
const AUTOSCALER_SCALING_ACTIONS = [
  "autoscaling:SetDesiredCapacity",
  "autoscaling:TerminateInstanceInAutoScalingGroup",
];

/**
 * Builds the cluster autoscaler's least-privilege IAM policy. Scaling calls need the group tag
 * `k8s.io/cluster-autoscaler/<cluster>` = `owned`, which EKS managed node groups put on their Auto
 * Scaling groups, so the autoscaler cannot resize groups of another cluster in the account.
 */
export function clusterAutoscalerPolicyJson(
  clusterName: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.output(clusterName).apply((cluster) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DescribeScalingTargets",
          Effect: "Allow",
          Action: AUTOSCALER_DESCRIBE_ACTIONS,
          Resource: "*",
        },
        {
          Sid: "ScaleOwnedNodeGroups",
          Effect: "Allow",
          Action: AUTOSCALER_SCALING_ACTIONS,
          Resource: "*",
          Condition: {
            StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned" },
          },
        },
      ],
    }),
  );
}
