import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { nodeTemplateTags, tagResourceSuffix } from "../../../components/aws/autoscaler-tags";
import { EFA_INTERFACES, efaInterfacesFor } from "../../../components/aws/efa";
import { policyResourceSuffix } from "../../../components/aws/iam";
import {
  createNodeLaunchTemplate,
  NODE_METADATA_OPTIONS,
  type NodeLaunchTemplateArgs,
} from "../../../components/aws/launch-template";
import { nodeGroupOptions } from "../../../components/aws/node-group";
import { parseStackConfig } from "../../../config/parse";
import { INSTANCE_TYPES } from "../../../config/schema";
import type { ProgramRun } from "../../../plan/run";
import { plan } from "../../sizing/helpers";
import { parsedConfig, resourceNamed, stackValues } from "../../support/stack";
import { runAws } from "./fixtures";

describe("nodeGroupOptions", () => {
  const parent = {} as never;

  it("ignores the desired size", () => {
    expect(nodeGroupOptions(parent).ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
  });

  it("keeps replacements create-before-delete", () => {
    expect(nodeGroupOptions(parent).deleteBeforeReplace).toBeUndefined();
  });

  it("passes parent and dependencies", () => {
    const dependency = {} as never;
    const options = nodeGroupOptions(parent, [dependency]);
    expect(options.parent).toBe(parent);
    expect(options.dependsOn).toEqual([dependency]);
  });

  it("returns a fresh list each call", () => {
    const first = nodeGroupOptions(parent);
    first.ignoreChanges?.push("labels");
    expect(nodeGroupOptions(parent).ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
  });
});

describe("nodeTemplateTags", () => {
  it("renders labels, taints and resources", () => {
    const tags = nodeTemplateTags({
      labels: { "servekit.dev/pool": "gpu" },
      taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
      resources: { "nvidia.com/gpu": 8 },
    });
    expect(tags).toEqual({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/node-template/label/servekit.dev/pool": "gpu",
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "8",
    });
  });

  it("names tag resources in kebab case", () => {
    expect(
      tagResourceSuffix("k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa"),
    ).toBe("resources-vpc-amazonaws-com-efa");
  });
});

describe("EFA_INTERFACES", () => {
  it.each(INSTANCE_TYPES)("covers %s", (instanceType) => {
    expect(EFA_INTERFACES[instanceType]).toBeGreaterThan(0);
  });

  it.each([
    ["p4d.24xlarge", 4],
    ["p4de.24xlarge", 4],
    ["p5.48xlarge", 32],
    ["p5e.48xlarge", 32],
    ["p5en.48xlarge", 16],
  ] as const)("gives %s %i interfaces", (instanceType, count) => {
    expect(efaInterfacesFor(instanceType, 2)).toBe(count);
  });

  it("gives single-node replicas none", () => {
    expect(efaInterfacesFor("p5.48xlarge", 1)).toBe(0);
  });
});

describe("NODE_METADATA_OPTIONS", () => {
  it("requires IMDSv2 tokens", () => {
    expect(NODE_METADATA_OPTIONS.httpTokens).toBe("required");
  });

  it("stops at the node", () => {
    expect(NODE_METADATA_OPTIONS.httpPutResponseHopLimit).toBe(1);
  });
});

/** Creates one launch template under the mocks and returns its root block device's `ebs`. */
async function rootEbs(args: NodeLaunchTemplateArgs): Promise<Record<string, unknown>> {
  const run: ProgramRun = await runAws(() => {
    const parent = new pulumi.ComponentResource("servekit:test:Parent", "parent");
    createNodeLaunchTemplate("test-launch-template", args, parent);
  });
  const template = resourceNamed(
    run,
    "aws:ec2/launchTemplate:LaunchTemplate",
    "test-launch-template",
  );
  const [root] = template.inputs.blockDeviceMappings as { ebs: Record<string, unknown> }[];
  return root.ebs;
}

describe("launch template root volume", () => {
  // Scout INT4 at TP 1 on p4de: eight pods share each node's root volume.
  const sized = plan({ model: "llama-4-scout", quantization: "int4", gpu: "a100-80gb" });
  let provisioned: Record<string, unknown>;
  let baseline: Record<string, unknown>;
  beforeAll(async () => {
    provisioned = await rootEbs({
      rootVolumeGiB: sized.nodePool.rootVolumeGiB,
      rootVolumePerformance: {
        throughputMiBps: sized.nodePool.rootVolumeThroughputMiBps,
        iops: sized.nodePool.rootVolumeIops,
      },
      tags: {},
    });
    baseline = await rootEbs({ rootVolumeGiB: 50, tags: {} });
  });

  it("provisions the planned throughput", () => {
    expect(sized.parallelism.replicasPerNode).toBe(8);
    expect(provisioned.throughput).toBe(1000);
    expect(provisioned.iops).toBe(4000);
  });

  it("keeps the gp3 encrypted root", () => {
    expect(provisioned.volumeType).toBe("gp3");
    expect(provisioned.volumeSize).toBe(sized.nodePool.rootVolumeGiB);
    expect(provisioned.encrypted).toBe("true");
  });

  it("leaves gp3 defaults without settings", () => {
    expect(baseline).toEqual({
      volumeSize: 50,
      volumeType: "gp3",
      encrypted: "true",
      deleteOnTermination: "true",
    });
    expect("throughput" in baseline).toBe(false);
    expect("iops" in baseline).toBe(false);
  });
});

describe("policyResourceSuffix", () => {
  it.each([
    ["AmazonEKSClusterPolicy", "amazon-eks-cluster-policy"],
    ["AmazonEC2ContainerRegistryPullOnly", "amazon-ec2-container-registry-pull-only"],
    ["AmazonEKS_CNI_Policy", "amazon-eks-cni-policy"],
  ])("turns %s into %s", (policy, suffix) => {
    expect(policyResourceSuffix(policy)).toBe(suffix);
  });
});

describe("GPU AMI type case", () => {
  it("defaults to AL2023 NVIDIA", () => {
    expect(parsedConfig().nodePool.amiType).toBe("AL2023_x86_64_NVIDIA");
  });

  it("rejects AL2 on Kubernetes 1.34", () => {
    const result = parseStackConfig(stackValues({ nodePool: { amiType: "AL2_x86_64_GPU" } }));
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((problem) => problem.path);
    expect(paths).toContain("nodePool.amiType");
  });
});
