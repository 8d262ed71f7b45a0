import { beforeAll, describe, expect, it } from "vitest";
import {
  GpuNodePool,
  gpuNodeLabels,
  type NodePoolCluster,
} from "../../../components/aws/gpu-node-pool";
import type { ProgramRun, RecordedResource } from "../../../plan/run";
import type { SizingPlan } from "../../../sizing/types";
import { parsedConfig, resourceNamed, resourcesOfType } from "../../support/stack";
import { maverickBf16MultiNodePlan, maverickFp8Plan, runAws } from "./fixtures";

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
const ASG_TAG = "aws:autoscaling/tag:Tag";
const SUBNETS = ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"];
const NAME = "llama-4-maverick";

const CLUSTER: NodePoolCluster = {
  clusterName: "servekit-test",
  kubernetesVersion: "1.34",
  nodeRoleArn: "arn:aws:iam::123456789012:role/servekit-node-role",
  clusterSecurityGroupId: "sg-0cluster",
};

interface PoolRun {
  run: ProgramRun;
  efaInterfaces: number;
  labels: Record<string, string>;
  taintKey: string;
}

/** Runs one GPU node pool for `plan` with the given `nodePool` stack settings. */
async function runPool(
  plan: SizingPlan,
  nodePool: Record<string, unknown> = {},
  stack: Record<string, unknown> = {},
): Promise<PoolRun> {
  const config = parsedConfig({ nodePool, ...stack });
  let pool: GpuNodePool | undefined;
  const run = await runAws(() => {
    pool = new GpuNodePool(NAME, {
      plan,
      nodePool: config.nodePool,
      cluster: CLUSTER,
      vpcId: "vpc-0abc",
      privateSubnetIds: SUBNETS,
      tags: { team: "ml" },
    });
  });
  const created = pool as GpuNodePool;
  return {
    run,
    efaInterfaces: created.efaInterfaces,
    labels: created.labels,
    taintKey: created.taintKey,
  };
}

/** Returns the ASG tags of a run as key → value. */
function asgTags(run: ProgramRun): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const resource of resourcesOfType(run, ASG_TAG)) {
    const tag = resource.inputs.tag as { key: string; value: string; propagateAtLaunch: boolean };
    tags[tag.key] = tag.value;
  }
  return tags;
}

describe("GpuNodePool on one node per replica", () => {
  let pool: PoolRun;
  let nodeGroup: RecordedResource;
  let template: RecordedResource;
  beforeAll(async () => {
    pool = await runPool(maverickFp8Plan());
    nodeGroup = resourceNamed(pool.run, NODE_GROUP, `${NAME}-node-group`);
    template = resourceNamed(pool.run, LAUNCH_TEMPLATE, `${NAME}-launch-template`);
  });

  it("registers the component", () => {
    expect(resourceNamed(pool.run, "servekit:aws:GpuNodePool", NAME).custom).toBe(false);
  });

  it("uses the planned instance type", () => {
    expect(nodeGroup.inputs.instanceTypes).toEqual(["p5.48xlarge"]);
  });

  it("uses the AL2023 NVIDIA AMI", () => {
    expect(nodeGroup.inputs.amiType).toBe("AL2023_x86_64_NVIDIA");
  });

  it("runs on demand", () => {
    expect(nodeGroup.inputs.capacityType).toBe("ON_DEMAND");
  });

  it("scales between the planned sizes", () => {
    expect(nodeGroup.inputs.scalingConfig).toEqual({ minSize: 1, maxSize: 2, desiredSize: 1 });
  });

  it("taints GPU nodes", () => {
    expect(nodeGroup.inputs.taints).toEqual([
      { key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" },
    ]);
  });

  it("labels the pool", () => {
    expect(nodeGroup.inputs.labels).toEqual({
      "servekit.dev/pool": "gpu",
      "servekit.dev/model": "llama-4-maverick",
      "servekit.dev/instance-type": "p5.48xlarge",
      "nvidia.com/gpu.present": "true",
    });
    expect(pool.labels).toEqual(nodeGroup.inputs.labels);
  });

  it("exposes the taint key", () => {
    expect(pool.taintKey).toBe("nvidia.com/gpu");
  });

  it("spans every private subnet", () => {
    expect(nodeGroup.inputs.subnetIds).toEqual(SUBNETS);
  });

  it("is auto-named", () => {
    expect(nodeGroup.inputs.nodeGroupName).toBeUndefined();
  });

  it("uses the cluster's node role and version", () => {
    expect(nodeGroup.inputs.nodeRoleArn).toBe(CLUSTER.nodeRoleArn);
    expect(nodeGroup.inputs.version).toBe("1.34");
  });

  it("requires IMDSv2 with one hop", () => {
    expect(template.inputs.metadataOptions).toEqual({
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
  });

  it("encrypts the planned root volume", () => {
    expect(template.inputs.blockDeviceMappings).toEqual([
      {
        deviceName: "/dev/xvda",
        ebs: {
          volumeSize: 510,
          volumeType: "gp3",
          encrypted: "true",
          deleteOnTermination: "true",
          throughput: 125,
          iops: 3000,
        },
      },
    ]);
  });

  it("uses the launch template", () => {
    expect(nodeGroup.inputs.launchTemplate).toEqual({
      id: `${NAME}-launch-template-id`,
      version: "1",
    });
  });

  it("sets no network interfaces", () => {
    expect(template.inputs.networkInterfaces).toBeUndefined();
    expect(template.inputs.placement).toBeUndefined();
  });

  it("creates no EFA resources", () => {
    expect(pool.efaInterfaces).toBe(0);
    expect(resourcesOfType(pool.run, "aws:ec2/placementGroup:PlacementGroup")).toEqual([]);
    expect(resourcesOfType(pool.run, "aws:ec2/securityGroup:SecurityGroup")).toEqual([]);
  });

  it("tags the ASG for scale from zero", () => {
    expect(asgTags(pool.run)).toEqual({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/servekit-test": "owned",
      "k8s.io/cluster-autoscaler/node-template/label/servekit.dev/pool": "gpu",
      "k8s.io/cluster-autoscaler/node-template/label/servekit.dev/model": "llama-4-maverick",
      "k8s.io/cluster-autoscaler/node-template/label/servekit.dev/instance-type": "p5.48xlarge",
      "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.present": "true",
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
      "k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage": "458Gi",
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "8",
    });
  });

  it("tags the node group's ASG only", () => {
    const tags = resourcesOfType(pool.run, ASG_TAG);
    expect(tags).toHaveLength(9);
    for (const tag of tags) {
      expect(tag.inputs.autoscalingGroupName).toBe(`eks-${NAME}-node-group-asg`);
      expect((tag.inputs.tag as { propagateAtLaunch: boolean }).propagateAtLaunch).toBe(false);
    }
  });

  it("names ASG tags after their keys", () => {
    const taint = resourceNamed(pool.run, ASG_TAG, `${NAME}-asg-tag-taint-nvidia-com-gpu`);
    expect((taint.inputs.tag as { key: string }).key).toBe(
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu",
    );
  });

  it("does not warn", () => {
    expect(pool.run.warnings).toEqual([]);
  });
});

describe("GpuNodePool across two nodes per replica", () => {
  let pool: PoolRun;
  let nodeGroup: RecordedResource;
  let template: RecordedResource;
  beforeAll(async () => {
    pool = await runPool(maverickBf16MultiNodePlan());
    nodeGroup = resourceNamed(pool.run, NODE_GROUP, `${NAME}-node-group`);
    template = resourceNamed(pool.run, LAUNCH_TEMPLATE, `${NAME}-launch-template`);
  });

  it("exposes all 32 EFA interfaces of p5", () => {
    expect(pool.efaInterfaces).toBe(32);
    expect(template.inputs.networkInterfaces).toHaveLength(32);
  });

  it("makes card 0 the primary EFA", () => {
    const [primary] = template.inputs.networkInterfaces as Record<string, unknown>[];
    expect(primary).toEqual({
      networkCardIndex: 0,
      deviceIndex: 0,
      interfaceType: "efa",
      associatePublicIpAddress: "false",
      deleteOnTermination: "true",
      securityGroups: ["sg-0cluster", `${NAME}-efa-security-group-id`],
    });
  });

  it("makes other cards EFA-only", () => {
    const interfaces = (template.inputs.networkInterfaces as Record<string, unknown>[]).slice(1);
    expect(interfaces.map((item) => item.networkCardIndex)).toEqual(
      Array.from({ length: 31 }, (_, index) => index + 1),
    );
    for (const item of interfaces) {
      expect(item.deviceIndex).toBe(1);
      expect(item.interfaceType).toBe("efa-only");
      expect(item.securityGroups).toEqual([`${NAME}-efa-security-group-id`]);
    }
  });

  it("uses a cluster placement group", () => {
    const group = resourceNamed(
      pool.run,
      "aws:ec2/placementGroup:PlacementGroup",
      `${NAME}-placement-group`,
    );
    expect(group.inputs.strategy).toBe("cluster");
    expect(template.inputs.placement).toEqual({ groupName: `${NAME}-placement-group` });
  });

  it("stays in one subnet", () => {
    expect(nodeGroup.inputs.subnetIds).toEqual(["subnet-0aaa"]);
  });

  it("warns about the single zone", () => {
    const warning = pool.run.warnings.find((text) => text.includes("one availability zone"));
    expect(warning).toContain(NAME);
  });

  it("lets EFA traffic flow within its group", () => {
    const securityGroupId = `${NAME}-efa-security-group-id`;
    const ingress = resourceNamed(
      pool.run,
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      `${NAME}-efa-ingress-self`,
    );
    const egress = resourceNamed(
      pool.run,
      "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
      `${NAME}-efa-egress-self`,
    );
    for (const rule of [ingress, egress]) {
      expect(rule.inputs.securityGroupId).toBe(securityGroupId);
      expect(rule.inputs.referencedSecurityGroupId).toBe(securityGroupId);
      expect(rule.inputs.ipProtocol).toBe("-1");
      expect(rule.inputs.cidrIpv4).toBeUndefined();
    }
  });

  it("labels EFA nodes", () => {
    expect(
      (nodeGroup.inputs.labels as Record<string, string>)["vpc.amazonaws.com/efa.present"],
    ).toBe("true");
  });

  it("tags the ASG with EFA resources", () => {
    const tags = asgTags(pool.run);
    expect(tags["k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa"]).toBe(
      "32",
    );
    expect(
      tags["k8s.io/cluster-autoscaler/node-template/label/vpc.amazonaws.com/efa.present"],
    ).toBe("true");
  });

  it("scales between the planned sizes", () => {
    expect(nodeGroup.inputs.scalingConfig).toEqual({ minSize: 2, maxSize: 4, desiredSize: 2 });
  });

  it("scales from zero nodes", async () => {
    const parked = maverickBf16MultiNodePlan({ replicas: { min: 0 }, nodePool: { minSize: 0 } });
    const run = (await runPool(parked)).run;
    const group = resourceNamed(run, NODE_GROUP, `${NAME}-node-group`);
    expect(group.inputs.scalingConfig).toEqual({ minSize: 0, maxSize: 4, desiredSize: 0 });
  });
});

describe("GpuNodePool on p5en across nodes", () => {
  it("exposes 16 EFA interfaces", async () => {
    const base = maverickBf16MultiNodePlan();
    const plan: SizingPlan = {
      ...base,
      gpu: { ...base.gpu, type: "h200-141gb", instanceType: "p5en.48xlarge", memoryGiB: 140.4 },
      nodePool: { ...base.nodePool, instanceType: "p5en.48xlarge" },
    };
    const pool = await runPool(plan);
    expect(pool.efaInterfaces).toBe(16);
    const template = resourceNamed(pool.run, LAUNCH_TEMPLATE, `${NAME}-launch-template`);
    expect(template.inputs.networkInterfaces).toHaveLength(16);
  });
});

describe("GpuNodePool on spot", () => {
  let pool: PoolRun;
  beforeAll(async () => {
    pool = await runPool(maverickFp8Plan(), { capacityType: "spot" });
  });

  it("requests spot capacity", () => {
    const nodeGroup = resourceNamed(pool.run, NODE_GROUP, `${NAME}-node-group`);
    expect(nodeGroup.inputs.capacityType).toBe("SPOT");
  });

  it("leaves the spot warning to the planner", () => {
    expect(pool.run.warnings.filter((text) => text.includes("spot"))).toEqual([]);
  });
});

describe("GpuNodePool on Amazon Linux 2", () => {
  it("warns and names the AMI to use", async () => {
    // EKS still accepts AL2 node groups on Kubernetes 1.32, the last version with AL2 AMIs.
    const cluster = { kubernetesVersion: "1.32", apiAccessCidrs: ["198.51.100.7/32"] };
    const pool = await runPool(maverickFp8Plan(), { amiType: "AL2_x86_64_GPU" }, { cluster });
    const warning = pool.run.warnings.find((text) => text.includes("AL2_x86_64_GPU"));
    expect(warning).toContain("Set nodePool.amiType to AL2023_x86_64_NVIDIA");
  });
});

describe("gpuNodeLabels", () => {
  it("adds the EFA label on request", () => {
    const labels = gpuNodeLabels(maverickFp8Plan(), true);
    expect(labels["vpc.amazonaws.com/efa.present"]).toBe("true");
  });

  it("omits it otherwise", () => {
    const labels = gpuNodeLabels(maverickFp8Plan(), false);
    expect(labels).not.toHaveProperty("vpc.amazonaws.com/efa.present");
  });
});
