import { beforeAll, describe, expect, it } from "vitest";
import { Cluster, eksClusterName } from "../../../components/aws/cluster";
import { ROOT_DEVICE_NAME } from "../../../components/aws/launch-template";
import type { ProgramRun, RecordedResource } from "../../../plan/run";
import { parsedConfig, resourceNamed, resourcesOfType } from "../../support/stack";
import { runAws } from "./fixtures";

const CLUSTER = "aws:eks/cluster:Cluster";
const ADDON = "aws:eks/addon:Addon";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const SUBNETS = ["subnet-0aaa", "subnet-0bbb"];

/** Runs a Cluster named `servekit` with the given `cluster` stack settings. */
function runCluster(cluster: Record<string, unknown>): Promise<ProgramRun> {
  const config = parsedConfig({ cluster });
  return runAws(() => {
    const component = new Cluster("servekit", {
      cluster: config.cluster,
      vpcId: "vpc-0abc",
      privateSubnetIds: SUBNETS,
      tags: { team: "ml" },
    });
    return { kubeconfig: component.kubeconfig, clusterName: component.clusterName };
  });
}

/** Returns the URN names a resource depends on explicitly. */
function dependencyNames(resource: RecordedResource): string[] {
  return resource.dependsOn.map((urn) => urn.split("::").pop() as string);
}

function trustPolicy(role: RecordedResource) {
  return JSON.parse(role.inputs.assumeRolePolicy as string);
}

describe("Cluster with default settings", () => {
  let run: ProgramRun;
  let eks: RecordedResource;
  beforeAll(async () => {
    run = await runCluster({ apiAccessCidrs: ["198.51.100.7/32", "203.0.113.0/24"] });
    eks = resourceNamed(run, CLUSTER, "servekit-cluster");
  });

  it("registers the component", () => {
    expect(resourceNamed(run, "servekit:aws:Cluster", "servekit").custom).toBe(false);
  });

  it("names the cluster after the stack", () => {
    expect(eks.inputs.name).toBe("servekit-test");
  });

  it("uses the configured version", () => {
    expect(eks.inputs.version).toBe("1.34");
  });

  it("limits the public endpoint to the configured ranges", () => {
    const vpcConfig = eks.inputs.vpcConfig as Record<string, unknown>;
    expect(vpcConfig.publicAccessCidrs).toEqual(["198.51.100.7/32", "203.0.113.0/24"]);
    expect(vpcConfig.endpointPrivateAccess).toBe(true);
    expect(vpcConfig.subnetIds).toEqual(SUBNETS);
  });

  it("does not warn about the endpoint", () => {
    expect(run.warnings.filter((warning) => warning.includes("apiAccessCidrs"))).toEqual([]);
  });

  it("authenticates through access entries only", () => {
    expect(eks.inputs.accessConfig).toEqual({
      authenticationMode: "API",
      bootstrapClusterCreatorAdminPermissions: true,
    });
  });

  it("encrypts Secrets with a rotating key", () => {
    const key = resourceNamed(run, "aws:kms/key:Key", "servekit-secrets-key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(key.inputs.deletionWindowInDays).toBe(7);
    expect(eks.inputs.encryptionConfig).toEqual({
      provider: { keyArn: "arn:aws:kms:us-east-1:123456789012:servekit-secrets-key" },
      resources: ["secrets"],
    });
  });

  it("lets the cluster role use the key", () => {
    const policy = resourceNamed(
      run,
      "aws:iam/rolePolicy:RolePolicy",
      "servekit-cluster-role-policy",
    );
    const [kms] = JSON.parse(policy.inputs.policy as string).Statement;
    expect(kms.Effect).toBe("Allow");
    expect(kms.Resource).toBe("arn:aws:kms:us-east-1:123456789012:servekit-secrets-key");
    expect(kms.Action).toEqual(["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]);
  });

  it("stops EKS recreating the log group", () => {
    const policy = resourceNamed(
      run,
      "aws:iam/rolePolicy:RolePolicy",
      "servekit-cluster-role-policy",
    );
    const [, logs] = JSON.parse(policy.inputs.policy as string).Statement;
    expect(logs).toEqual({ Effect: "Deny", Action: ["logs:CreateLogGroup"], Resource: "*" });
  });

  it("logs api, audit and authenticator", () => {
    expect(eks.inputs.enabledClusterLogTypes).toEqual(["api", "audit", "authenticator"]);
  });

  it("owns the control plane log group", () => {
    const logs = resourceNamed(
      run,
      "aws:cloudwatch/logGroup:LogGroup",
      "servekit-control-plane-logs",
    );
    expect(logs.inputs.name).toBe("/aws/eks/servekit-test/cluster");
    expect(logs.inputs.retentionInDays).toBe(90);
    expect(dependencyNames(eks)).toContain("servekit-control-plane-logs");
  });

  it("trusts EKS with the cluster role", () => {
    const role = resourceNamed(run, ROLE, "servekit-cluster-role");
    expect(trustPolicy(role).Statement[0].Principal).toEqual({ Service: "eks.amazonaws.com" });
    expect(trustPolicy(role).Statement[0].Action).toEqual(["sts:AssumeRole"]);
    const attachment = resourceNamed(
      run,
      ATTACHMENT,
      "servekit-cluster-role-amazon-eks-cluster-policy",
    );
    expect(attachment.inputs.policyArn).toBe("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy");
  });

  it("keeps the CNI policy off the node role", () => {
    const attached = resourcesOfType(run, ATTACHMENT)
      .filter((attachment) => attachment.name.startsWith("servekit-node-role-"))
      .map((attachment) => attachment.inputs.policyArn);
    expect(attached).toEqual([
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    ]);
  });

  it("installs the core add-ons", () => {
    const names = resourcesOfType(run, ADDON).map((addon) => addon.inputs.addonName);
    expect(names).toEqual(["eks-pod-identity-agent", "vpc-cni", "kube-proxy", "coredns"]);
  });

  it("overwrites add-on conflicts", () => {
    const addon = resourceNamed(run, ADDON, "servekit-addon-kube-proxy");
    expect(addon.inputs.resolveConflictsOnCreate).toBe("OVERWRITE");
    expect(addon.inputs.resolveConflictsOnUpdate).toBe("OVERWRITE");
  });

  it("gives the VPC CNI a Pod Identity role", () => {
    const association = resourceNamed(
      run,
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      "servekit-vpc-cni-association",
    );
    expect(association.inputs.namespace).toBe("kube-system");
    expect(association.inputs.serviceAccount).toBe("aws-node");
    const attachment = resourceNamed(run, ATTACHMENT, "servekit-vpc-cni-amazon-eks-cni-policy");
    expect(attachment.inputs.policyArn).toBe("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy");
    const cni = resourceNamed(run, ADDON, "servekit-addon-vpc-cni");
    expect(dependencyNames(cni)).toContain("servekit-vpc-cni-association");
  });

  it("enforces NetworkPolicies in the VPC CNI", () => {
    const cni = resourceNamed(run, ADDON, "servekit-addon-vpc-cni");
    expect(JSON.parse(cni.inputs.configurationValues as string)).toEqual({
      enableNetworkPolicy: "true",
    });
  });

  it("skips the self-managed add-ons", () => {
    expect(eks.inputs.bootstrapSelfManagedAddons).toBe(false);
  });

  it("starts CoreDNS after the system nodes", () => {
    const dns = resourceNamed(run, ADDON, "servekit-addon-coredns");
    expect(dependencyNames(dns)).toEqual(["servekit-system-node-group"]);
  });
});

describe("Cluster system node group", () => {
  let run: ProgramRun;
  let nodes: RecordedResource;
  beforeAll(async () => {
    run = await runCluster({ apiAccessCidrs: ["198.51.100.7/32"] });
    nodes = resourceNamed(run, NODE_GROUP, "servekit-system-node-group");
  });

  it("runs two to three general-purpose nodes", () => {
    expect(nodes.inputs.instanceTypes).toEqual(["m6i.large"]);
    expect(nodes.inputs.amiType).toBe("AL2023_x86_64_STANDARD");
    expect(nodes.inputs.scalingConfig).toEqual({ minSize: 2, maxSize: 3, desiredSize: 2 });
  });

  it("has no taint", () => {
    expect(nodes.inputs.taints).toBeUndefined();
  });

  it("labels the system pool", () => {
    expect(nodes.inputs.labels).toEqual({ "servekit.dev/pool": "system" });
  });

  it("spans the private subnets", () => {
    expect(nodes.inputs.subnetIds).toEqual(SUBNETS);
  });

  it("waits for the node add-ons and role", () => {
    expect(dependencyNames(nodes)).toEqual([
      "servekit-addon-eks-pod-identity-agent",
      "servekit-addon-kube-proxy",
      "servekit-addon-vpc-cni",
      "servekit-node-role-amazon-ec2-container-registry-pull-only",
      "servekit-node-role-amazon-eks-worker-node-policy",
    ]);
  });

  it("requires IMDSv2 with one hop", () => {
    const template = resourceNamed(
      run,
      "aws:ec2/launchTemplate:LaunchTemplate",
      "servekit-system-launch-template",
    );
    expect(template.inputs.metadataOptions).toEqual({
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
    const [root] = template.inputs.blockDeviceMappings as Record<string, unknown>[];
    expect(root.deviceName).toBe(ROOT_DEVICE_NAME);
    expect(root.ebs).toEqual({
      volumeSize: 50,
      volumeType: "gp3",
      encrypted: "true",
      deleteOnTermination: "true",
    });
  });
});

describe("Cluster kubeconfig", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runCluster({ apiAccessCidrs: ["198.51.100.7/32"] });
  });

  it("is a secret output", () => {
    expect(run.outputs.kubeconfig).toBe("[secret]");
  });

  it("authenticates with aws eks get-token", () => {
    const provider = resourceNamed(run, "pulumi:providers:kubernetes", "servekit-kubernetes");
    // The mocks record inputs with secrets unwrapped, so the kubeconfig is the plain JSON text.
    const config = JSON.parse(provider.inputs.kubeconfig as string);
    expect(config.users[0].user.exec.command).toBe("aws");
    expect(config.users[0].user.exec.args).toEqual([
      "eks",
      "get-token",
      "--cluster-name",
      "servekit-test",
      "--region",
      "us-east-1",
    ]);
    expect(config.clusters[0].cluster.server).toBe(
      "https://servekit-test.gr7.us-east-1.eks.amazonaws.com",
    );
  });
});

describe("Cluster with an open endpoint", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runCluster({ apiAccessCidrs: ["0.0.0.0/0"] });
  });

  it("keeps the configured range", () => {
    const vpcConfig = resourceNamed(run, CLUSTER, "servekit-cluster").inputs.vpcConfig as Record<
      string,
      unknown
    >;
    expect(vpcConfig.publicAccessCidrs).toEqual(["0.0.0.0/0"]);
  });

  it("warns and names the key", () => {
    const warning = run.warnings.find((text) => text.includes("0.0.0.0/0"));
    expect(warning).toContain("cluster.apiAccessCidrs");
  });
});

describe("Cluster with a given KMS key", () => {
  const keyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runCluster({ apiAccessCidrs: ["198.51.100.7/32"], secretsKmsKeyArn: keyArn });
  });

  it("creates no key", () => {
    expect(resourcesOfType(run, "aws:kms/key:Key")).toEqual([]);
  });

  it("encrypts Secrets with it", () => {
    const eks = resourceNamed(run, CLUSTER, "servekit-cluster");
    expect(eks.inputs.encryptionConfig).toEqual({ provider: { keyArn }, resources: ["secrets"] });
  });

  it("lets the cluster role use it", () => {
    const policy = resourceNamed(
      run,
      "aws:iam/rolePolicy:RolePolicy",
      "servekit-cluster-role-policy",
    );
    const [kms] = JSON.parse(policy.inputs.policy as string).Statement;
    expect(kms.Resource).toBe(keyArn);
  });
});

describe("Cluster without API ranges", () => {
  it("throws before registering", () => {
    const config = parsedConfig();
    const cluster = { ...config.cluster, apiAccessCidrs: undefined };
    expect(
      () => new Cluster("servekit", { cluster, vpcId: "vpc-0abc", privateSubnetIds: SUBNETS }),
    ).toThrow(/cluster.apiAccessCidrs is missing/);
  });
});

describe("eksClusterName", () => {
  it("joins name and stack", () => {
    expect(eksClusterName("servekit", "maverick-prod")).toBe("servekit-maverick-prod");
  });

  it("replaces characters EKS rejects", () => {
    expect(eksClusterName("servekit", "team.prod")).toBe("servekit-team-prod");
  });

  it("stops at 100 characters", () => {
    expect(eksClusterName("servekit", "x".repeat(120))).toHaveLength(100);
  });
});
