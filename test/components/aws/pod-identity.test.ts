import { beforeAll, describe, expect, it } from "vitest";
import { podIdentityRole } from "../../../components/aws/pod-identity";
import type { ProgramRun } from "../../../plan/run";
import { resourceNamed, resourcesOfType } from "../../support/stack";
import { runAws } from "./fixtures";

const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

const AUTOSCALER_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity"], Resource: "*" }],
});

describe("podIdentityRole with an inline policy", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runAws(() => {
      podIdentityRole("autoscaler", {
        clusterName: "servekit-test",
        namespace: "kube-system",
        serviceAccount: "cluster-autoscaler",
        policyJson: AUTOSCALER_POLICY,
        tags: { team: "ml" },
      });
    });
  });

  it("trusts EKS Pod Identity", () => {
    const role = resourceNamed(run, ROLE, "autoscaler-role");
    const [statement] = JSON.parse(role.inputs.assumeRolePolicy as string).Statement;
    expect(statement.Effect).toBe("Allow");
    expect(statement.Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(statement.Action).toEqual(["sts:AssumeRole", "sts:TagSession"]);
  });

  it("limits the trust to one service account", () => {
    const role = resourceNamed(run, ROLE, "autoscaler-role");
    const [statement] = JSON.parse(role.inputs.assumeRolePolicy as string).Statement;
    expect(statement.Condition).toEqual({
      StringEquals: {
        "aws:RequestTag/eks-cluster-name": "servekit-test",
        "aws:RequestTag/kubernetes-namespace": "kube-system",
        "aws:RequestTag/kubernetes-service-account": "cluster-autoscaler",
      },
    });
  });

  it("attaches the policy inline", () => {
    const policy = resourceNamed(run, "aws:iam/rolePolicy:RolePolicy", "autoscaler-policy");
    expect(policy.inputs.policy).toBe(AUTOSCALER_POLICY);
    expect(policy.inputs.role).toBe("autoscaler-role-id");
  });

  it("attaches no managed policy", () => {
    expect(resourcesOfType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
  });

  it("associates the role with the service account", () => {
    const association = resourceNamed(run, ASSOCIATION, "autoscaler-association");
    expect(association.inputs).toMatchObject({
      clusterName: "servekit-test",
      namespace: "kube-system",
      serviceAccount: "cluster-autoscaler",
      roleArn: "arn:aws:iam::123456789012:role/autoscaler-role",
    });
  });

  it("associates after the policy", () => {
    const association = resourceNamed(run, ASSOCIATION, "autoscaler-association");
    expect(association.dependsOn.map((urn) => urn.split("::").pop())).toEqual([
      "autoscaler-policy",
    ]);
  });
});

describe("podIdentityRole with managed policies", () => {
  it("attaches them by name", async () => {
    const run = await runAws(() => {
      podIdentityRole("cni", {
        clusterName: "servekit-test",
        namespace: "kube-system",
        serviceAccount: "aws-node",
        managedPolicies: ["AmazonEKS_CNI_Policy"],
      });
    });
    const attachment = resourceNamed(
      run,
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "cni-amazon-eks-cni-policy",
    );
    expect(attachment.inputs.policyArn).toBe("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy");
    expect(resourcesOfType(run, "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
  });
});

describe("podIdentityRole without permissions", () => {
  it("throws before registering", () => {
    expect(() =>
      podIdentityRole("empty", {
        clusterName: "servekit-test",
        namespace: "default",
        serviceAccount: "reader",
      }),
    ).toThrow(/podIdentityRole empty has no permissions: set policyJson or managedPolicies/);
  });
});
