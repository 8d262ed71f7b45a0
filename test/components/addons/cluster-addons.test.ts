import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ClusterAddons, type ClusterAddonsArgs } from "../../../components/addons/cluster-addons";
import {
  CLUSTER_AUTOSCALER_IMAGE_TAGS,
  clusterAutoscalerImageTag,
} from "../../../components/addons/cluster-autoscaler";
import { METRICS_SCRAPE_ANNOTATIONS } from "../../../components/addons/scheduling";
import { podIdentityRole } from "../../../components/aws/pod-identity";
import { type ProgramRun, type RecordedResource, runProgram } from "../../../plan/run";
import { resourceNamed, resourcesOfType } from "../../support/stack";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const CLUSTER = "servekit-test";

type AddonOptions = Pick<ClusterAddonsArgs, "multiNode" | "efa" | "kubernetesVersion">;

/** Resource options of each Helm release by name, because the shared recorder keeps only dependsOn. */
const releaseOptions = new Map<string, pulumi.CustomResourceOptions>();

/** Runs ClusterAddons under the mocks with a mocked system node group to wait for. */
async function runAddons(options: Partial<AddonOptions> = {}): Promise<ProgramRun> {
  return runProgram(
    { stackName: "addons-test", values: {}, secrets: {}, otherNamespaces: {} },
    async () => {
      pulumi.runtime.registerStackTransformation((transform) => {
        if (transform.type === RELEASE) releaseOptions.set(transform.name, transform.opts);
        return undefined;
      });
      const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
      const systemNodes = new aws.eks.NodeGroup("system-nodes", {
        clusterName: CLUSTER,
        nodeRoleArn: "arn:aws:iam::123456789012:role/nodes",
        subnetIds: ["subnet-0a", "subnet-0b"],
        scalingConfig: { minSize: 2, maxSize: 3, desiredSize: 2 },
      });
      const addons = new ClusterAddons("addons", {
        clusterName: pulumi.output(CLUSTER),
        region: "us-east-1",
        vpcId: pulumi.output("vpc-0test"),
        kubernetesVersion: options.kubernetesVersion ?? "1.34",
        provider,
        dependsOn: [systemNodes],
        multiNode: options.multiNode ?? false,
        efa: options.efa ?? false,
        podIdentityRole,
      });
      return {
        prometheusServerUrl: addons.prometheusServerUrl,
        scrapeAnnotations: addons.metricsScrapeAnnotations,
        lwsCreated: addons.releases.lws !== undefined,
        efaCreated: addons.releases.efaDevicePlugin !== undefined,
      };
    },
  );
}

function release(run: ProgramRun, addon: string): RecordedResource {
  return resourceNamed(run, RELEASE, `addons-${addon}`);
}

/** Helm values as recorded: nested mappings, with the leaves the tests compare. */
interface ValuesTree {
  [key: string]: ValuesTree;
}

function values(run: ProgramRun, addon: string): ValuesTree {
  return release(run, addon).inputs.values as ValuesTree;
}

interface PolicyStatement {
  Action: string | string[];
  Resource: string | string[];
  Principal?: unknown;
  Condition?: Record<string, unknown>;
}

/** Parses a recorded IAM policy document. */
function policyOf(resource: RecordedResource, input: string): { Statement: PolicyStatement[] } {
  return JSON.parse(resource.inputs[input] as string);
}

function actionsOf(statement: PolicyStatement): string[] {
  return [statement.Action].flat();
}

describe("ClusterAddons single-node", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runAddons();
  });

  it("creates the five releases", () => {
    const names = resourcesOfType(run, RELEASE)
      .map((resource) => resource.name)
      .sort();
    expect(names).toEqual([
      "addons-aws-load-balancer-controller",
      "addons-cluster-autoscaler",
      "addons-keda",
      "addons-nvidia-device-plugin",
      "addons-prometheus",
    ]);
  });

  it("omits lws and efa", () => {
    expect(run.outputs.lwsCreated).toBe(false);
    expect(run.outputs.efaCreated).toBe(false);
  });

  it.each([
    [
      "nvidia-device-plugin",
      "nvidia-device-plugin",
      "0.20.0",
      "https://nvidia.github.io/k8s-device-plugin",
      "nvidia-device-plugin",
    ],
    ["keda", "keda", "2.20.2", "https://kedacore.github.io/charts", "keda"],
    [
      "prometheus",
      "prometheus",
      "29.27.0",
      "https://prometheus-community.github.io/helm-charts",
      "monitoring",
    ],
    [
      "aws-load-balancer-controller",
      "aws-load-balancer-controller",
      "3.5.0",
      "https://aws.github.io/eks-charts",
      "kube-system",
    ],
    [
      "cluster-autoscaler",
      "cluster-autoscaler",
      "9.59.0",
      "https://kubernetes.github.io/autoscaler",
      "kube-system",
    ],
  ])("%s release inputs", (addon, chart, version, repo, namespace) => {
    const inputs = release(run, addon).inputs;
    expect(inputs.name).toBe(addon);
    expect(inputs.chart).toBe(chart);
    expect(inputs.version).toBe(version);
    expect(inputs.repositoryOpts).toEqual({ repo });
    expect(inputs.namespace).toBe(namespace);
  });

  it("device plugin tolerates GPU taint", () => {
    expect(values(run, "nvidia-device-plugin").tolerations).toEqual([
      { key: "nvidia.com/gpu", operator: "Exists" },
    ]);
  });

  it("device plugin skips the wait", () => {
    const inputs = release(run, "nvidia-device-plugin").inputs;
    expect(inputs.skipAwait).toBe(true);
    expect(inputs.atomic).toBe(false);
  });

  it.each(["keda", "prometheus", "aws-load-balancer-controller", "cluster-autoscaler"])(
    "%s waits and rolls back",
    (addon) => {
      const inputs = release(run, addon).inputs;
      expect(inputs.skipAwait).toBe(false);
      expect(inputs.atomic).toBe(true);
      expect(inputs.timeout).toBe(600);
    },
  );

  it("load balancer controller values", () => {
    const controller = values(run, "aws-load-balancer-controller");
    expect(controller.clusterName).toBe(CLUSTER);
    expect(controller.region).toBe("us-east-1");
    expect(controller.vpcId).toBe("vpc-0test");
    expect(controller.serviceAccount).toEqual({
      create: true,
      name: "aws-load-balancer-controller",
    });
    expect(controller.nodeSelector).toEqual({ "servekit.dev/pool": "system" });
  });

  it("autoscaler values", () => {
    const autoscaler = values(run, "cluster-autoscaler");
    expect(autoscaler.autoDiscovery).toEqual({ clusterName: CLUSTER });
    expect(autoscaler.awsRegion).toBe("us-east-1");
    expect(autoscaler.image).toEqual({ tag: "v1.34.5" });
    expect(autoscaler.extraArgs["skip-nodes-with-local-storage"]).toBe(false);
    expect(autoscaler.extraArgs["balance-similar-node-groups"]).toBe(true);
    expect(autoscaler.extraArgs.expander).toBe("least-waste");
  });

  it("keda keeps its CRDs", () => {
    expect(values(run, "keda").crds).toEqual({
      install: true,
      additionalAnnotations: { "helm.sh/resource-policy": "keep" },
    });
  });

  it("prometheus server URL", () => {
    expect(run.outputs.prometheusServerUrl).toBe("http://prometheus-server.monitoring.svc:80");
    const server = values(run, "prometheus").server;
    expect(server.fullnameOverride).toBe("prometheus-server");
    expect(server.service.servicePort).toBe(80);
  });

  it("exports scrape annotations", () => {
    expect(run.outputs.scrapeAnnotations).toEqual(METRICS_SCRAPE_ANNOTATIONS);
    expect(METRICS_SCRAPE_ANNOTATIONS).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "8000",
      "prometheus.io/path": "/metrics",
    });
  });

  it("creates namespaces outside kube-system", () => {
    const names = resourcesOfType(run, NAMESPACE)
      .map((resource) => resource.name)
      .sort();
    expect(names).toEqual([
      "addons-keda-namespace",
      "addons-monitoring-namespace",
      "addons-nvidia-device-plugin-namespace",
    ]);
    const keda = resourceNamed(run, NAMESPACE, "addons-keda-namespace");
    expect(keda.inputs.metadata).toEqual({ name: "keda" });
  });

  it("releases wait for the node group", () => {
    const nodeGroup = resourceNamed(run, "aws:eks/nodeGroup:NodeGroup", "system-nodes");
    const releases = resourcesOfType(run, RELEASE);
    expect(releases).toHaveLength(5);
    for (const resource of releases) {
      expect(resource.dependsOn, resource.name).toContain(nodeGroup.urn);
    }
  });

  it("releases wait for their namespace", () => {
    const namespace = resourceNamed(run, NAMESPACE, "addons-keda-namespace");
    expect(release(run, "keda").dependsOn).toContain(namespace.urn);
  });

  it.each(["keda", "prometheus", "cluster-autoscaler"])("%s waits for the controller", (addon) => {
    const controller = release(run, "aws-load-balancer-controller");
    expect(release(run, addon).dependsOn).toContain(controller.urn);
  });

  it("controller has long delete timeout", () => {
    const options = releaseOptions.get("addons-aws-load-balancer-controller");
    expect(options?.customTimeouts).toEqual({ create: "20m", update: "20m", delete: "30m" });
  });

  it("releases are children of the component", () => {
    const releases = resourcesOfType(run, RELEASE);
    expect(releases).toHaveLength(5);
    for (const resource of releases) {
      expect(resource.parent, resource.name).toMatch(/servekit:addons:ClusterAddons::addons$/);
    }
  });
});

describe("ClusterAddons pod identity", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runAddons();
  });

  it("creates one role per controller", () => {
    const names = resourcesOfType(run, ROLE)
      .map((resource) => resource.name)
      .sort();
    expect(names).toEqual(["addons-autoscaler-identity-role", "addons-lbc-identity-role"]);
  });

  it.each(["addons-autoscaler-identity-role", "addons-lbc-identity-role"])(
    "%s trusts EKS Pod Identity",
    (name) => {
      const trust = policyOf(resourceNamed(run, ROLE, name), "assumeRolePolicy");
      expect(trust.Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
      expect(trust.Statement[0].Action).toEqual(["sts:AssumeRole", "sts:TagSession"]);
    },
  );

  it.each([
    ["addons-lbc-identity-association", "kube-system", "aws-load-balancer-controller"],
    ["addons-autoscaler-identity-association", "kube-system", "cluster-autoscaler"],
  ])("%s binds the service account", (name, namespace, serviceAccount) => {
    const association = resourceNamed(run, ASSOCIATION, name);
    expect(association.inputs.clusterName).toBe(CLUSTER);
    expect(association.inputs.namespace).toBe(namespace);
    expect(association.inputs.serviceAccount).toBe(serviceAccount);
  });

  it("controllers wait for their association", () => {
    const lbc = resourceNamed(run, ASSOCIATION, "addons-lbc-identity-association");
    const autoscaler = resourceNamed(run, ASSOCIATION, "addons-autoscaler-identity-association");
    expect(release(run, "aws-load-balancer-controller").dependsOn).toContain(lbc.urn);
    expect(release(run, "cluster-autoscaler").dependsOn).toContain(autoscaler.urn);
  });

  it("autoscaler policy has no wildcard action", () => {
    const policy = policyOf(
      resourceNamed(run, ROLE_POLICY, "addons-autoscaler-identity-policy"),
      "policy",
    );
    for (const statement of policy.Statement) {
      expect(actionsOf(statement)).not.toContain("*");
      expect(actionsOf(statement).some((action) => action.endsWith(":*"))).toBe(false);
    }
  });

  it("autoscaler scaling is scoped by tag", () => {
    const policy = policyOf(
      resourceNamed(run, ROLE_POLICY, "addons-autoscaler-identity-policy"),
      "policy",
    );
    const scaling = policy.Statement.find((statement) =>
      actionsOf(statement).includes("autoscaling:SetDesiredCapacity"),
    );
    expect(scaling?.Action).toEqual([
      "autoscaling:SetDesiredCapacity",
      "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]);
    expect(scaling?.Condition).toEqual({
      StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${CLUSTER}`]: "owned" },
    });
  });

  it("autoscaler unconditioned actions only describe", () => {
    const policy = policyOf(
      resourceNamed(run, ROLE_POLICY, "addons-autoscaler-identity-policy"),
      "policy",
    );
    const unconditioned = policy.Statement.filter((statement) => !statement.Condition);
    const actions = unconditioned.flatMap(actionsOf);
    for (const action of actions) {
      expect(action).toMatch(/^[a-z0-9]+:(Describe|Get)[A-Za-z]+$/);
    }
  });

  it("controller policy is the vendor document", () => {
    const policy = policyOf(
      resourceNamed(run, ROLE_POLICY, "addons-lbc-identity-policy"),
      "policy",
    );
    const actions = policy.Statement.flatMap(actionsOf);
    expect(policy.Statement).toHaveLength(16);
    expect(actions).toContain("elasticloadbalancing:CreateLoadBalancer");
    expect(actions).toContain("ec2:GetSecurityGroupsForVpc");
    expect(actions).not.toContain("*");
  });
});

describe("ClusterAddons multi-node with EFA", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runAddons({ multiNode: true, efa: true });
  });

  it("adds lws and efa releases", () => {
    expect(run.outputs.lwsCreated).toBe(true);
    expect(run.outputs.efaCreated).toBe(true);
    expect(resourcesOfType(run, RELEASE)).toHaveLength(7);
  });

  it("lws comes from oci", () => {
    const inputs = release(run, "lws").inputs;
    expect(inputs.chart).toBe("oci://registry.k8s.io/lws/charts/lws");
    expect(inputs.version).toBe("0.10.0");
    expect(inputs.repositoryOpts).toBeUndefined();
    expect(inputs.namespace).toBe("lws-system");
    expect(inputs.skipAwait).toBe(false);
  });

  it("lws waits for the controller", () => {
    const controller = release(run, "aws-load-balancer-controller");
    expect(release(run, "lws").dependsOn).toContain(controller.urn);
  });

  it("efa plugin inputs", () => {
    const inputs = release(run, "aws-efa-k8s-device-plugin").inputs;
    expect(inputs.chart).toBe("aws-efa-k8s-device-plugin");
    expect(inputs.version).toBe("v0.5.30");
    expect(inputs.repositoryOpts).toEqual({ repo: "https://aws.github.io/eks-charts" });
    expect(inputs.namespace).toBe("kube-system");
  });

  it("efa plugin tolerates GPU taint", () => {
    expect(values(run, "aws-efa-k8s-device-plugin").tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Exists",
    });
  });
});

describe("ClusterAddons EFA only", () => {
  it("efa without lws", async () => {
    const run = await runAddons({ efa: true });
    expect(run.outputs.lwsCreated).toBe(false);
    expect(run.outputs.efaCreated).toBe(true);
  });
});

describe("cluster autoscaler image", () => {
  it.each(Object.entries(CLUSTER_AUTOSCALER_IMAGE_TAGS))("%s uses %s", (minor, tag) => {
    expect(tag).toMatch(new RegExp(`^v${minor.replace(".", "\\.")}\\.\\d+$`));
  });

  it("follows the stack's minor", async () => {
    const run = await runAddons({ kubernetesVersion: "1.36" });
    expect(values(run, "cluster-autoscaler").image).toEqual({ tag: "v1.36.1" });
  });

  it("unknown minor is rejected", () => {
    expect(() => clusterAutoscalerImageTag("1.31")).toThrow(
      /kubernetesVersion 1\.31 has no pinned cluster autoscaler image\. Use one of 1\.32/,
    );
  });
});
