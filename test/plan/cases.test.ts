import { beforeAll, describe, expect, it } from "vitest";
import { StackConfigError } from "../../config/problems";
import type { Manifest } from "../../plan/manifests";
import type { OfflinePlan } from "../../plan/offline";
import { runProgram, type RecordedResource } from "../../plan/run";
import { deployServekit } from "../../program";
import {
  manifestsOfKind,
  planStack,
  releaseOfChart,
  resourcesOf,
  stackNames,
  waitsFor,
} from "../support/plans";
import { stackValues, TEST_SECRETS } from "../support/stack";

// Failures that people running vLLM on Kubernetes or Pulumi on EKS have reported in public,
// each checked on the objects that every stack in stacks/ renders.

const plans = new Map<string, OfflinePlan>();

beforeAll(async () => {
  for (const stack of stackNames()) plans.set(stack, await planStack(stack));
});

/** Pod specs of the vLLM workload: the Deployment's, or the LWS leader's and worker's. */
function vllmPodSpecs(plan: OfflinePlan): any[] {
  const deployment = manifestsOfKind(plan, "Deployment")[0] as any;
  if (deployment) return [deployment.spec.template.spec];
  const lws = manifestsOfKind(plan, "LeaderWorkerSet")[0] as any;
  const template = lws.spec.leaderWorkerTemplate;
  return [template.leaderTemplate.spec, template.workerTemplate.spec];
}

function gpuNodeGroup(plan: OfflinePlan): RecordedResource {
  return resourcesOf(plan, "aws:eks/nodeGroup:NodeGroup").find(
    (group) => group.name !== "servekit-system-node-group",
  ) as RecordedResource;
}

/** Parses a Kubernetes quantity in Gi, Mi or plain bytes into GiB. */
function gibibytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Gi|Mi|Ki)?$/.exec(quantity);
  if (!match) throw new Error(`unexpected quantity ${quantity}`);
  const scale = { Gi: 1, Mi: 1 / 1024, Ki: 1 / 1024 ** 2 }[match[2] ?? ""] ?? 1 / 1024 ** 3;
  return Number(match[1]) * scale;
}

describe.each(stackNames())("stack %s", (stack) => {
  const plan = () => plans.get(stack) as OfflinePlan;

  // A fractional or missing GPU request schedules pods without the GPUs vLLM needs.
  it("requests whole GPUs as limits", () => {
    for (const spec of vllmPodSpecs(plan())) {
      const resources = spec.containers[0].resources;
      const gpus = Number(resources.limits["nvidia.com/gpu"]);
      expect(Number.isInteger(gpus)).toBe(true);
      expect(gpus).toBe(plan().sizing.parallelism.gpusPerPod);
      expect(resources.requests["nvidia.com/gpu"]).toBe(resources.limits["nvidia.com/gpu"]);
    }
  });

  // A pool smaller than the replicas leaves KEDA's new replicas Pending forever.
  it("sizes the GPU pool for every replica", () => {
    const { replicas, parallelism } = plan().sizing;
    const nodesNeeded = Math.ceil(
      (replicas.max * parallelism.nodesPerReplica) / parallelism.replicasPerNode,
    );
    const scaling = (gpuNodeGroup(plan()).inputs as any).scalingConfig;
    expect(scaling.maxSize).toBeGreaterThanOrEqual(nodesNeeded);
    expect(scaling.minSize).toBe(plan().sizing.nodePool.minSize);
  });

  it("fits the pods of a node on its disk", () => {
    const perNode = plan().sizing.parallelism.replicasPerNode;
    const tags = resourcesOf(plan(), "aws:autoscaling/tag:Tag").map(
      (tag) => (tag.inputs as any).tag,
    );
    const template = tags.find((tag) => tag.key.endsWith("/resources/ephemeral-storage"));
    for (const spec of vllmPodSpecs(plan())) {
      const request = gibibytes(spec.containers[0].resources.requests["ephemeral-storage"]);
      expect(request * perNode).toBeLessThanOrEqual(gibibytes(template.value));
    }
  });

  // The container default of 64 MiB /dev/shm breaks NCCL under tensor parallel.
  it("mounts memory-backed shm", () => {
    for (const spec of vllmPodSpecs(plan())) {
      const shm = spec.volumes.find((volume: any) => volume.emptyDir?.medium === "Memory");
      expect(shm).toBeDefined();
      const mount = spec.containers[0].volumeMounts.find((m: any) => m.name === shm.name);
      expect(mount.mountPath).toBe("/dev/shm");
      const limit = gibibytes(spec.containers[0].resources.limits.memory);
      expect(limit).toBeGreaterThan(gibibytes(shm.emptyDir.sizeLimit));
    }
  });

  // A probe with a short budget kills a model while it still downloads weights.
  it("gives loading models time", () => {
    const container = vllmPodSpecs(plan())[0].containers[0];
    const startup = container.startupProbe;
    expect(startup.httpGet.path).toBe("/health");
    expect(startup.failureThreshold * startup.periodSeconds).toBeGreaterThanOrEqual(
      plan().sizing.startupTimeoutSeconds,
    );
    expect(container.livenessProbe.initialDelaySeconds ?? 0).toBeLessThanOrEqual(30);
    expect(container.readinessProbe.initialDelaySeconds ?? 0).toBeLessThanOrEqual(30);
  });

  // A toleration with a fixed value misses a GPU taint with another value.
  it("tolerates the GPU taint", () => {
    const taints = (gpuNodeGroup(plan()).inputs as any).taints;
    expect(taints).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
    for (const spec of vllmPodSpecs(plan())) {
      expect(spec.tolerations).toContainEqual(
        expect.objectContaining({ key: "nvidia.com/gpu", operator: "Exists" }),
      );
    }
    const values = (releaseOfChart(plan(), "nvidia-device-plugin").inputs as any).values;
    expect(values.tolerations).toContainEqual(
      expect.objectContaining({ key: "nvidia.com/gpu", operator: "Exists" }),
    );
  });

  // EKS publishes no Amazon Linux 2 AMIs for Kubernetes 1.33 and later.
  it("uses the AL2023 NVIDIA AMI", () => {
    expect((gpuNodeGroup(plan()).inputs as any).amiType).toBe("AL2023_x86_64_NVIDIA");
  });

  // GPU utilisation is high as soon as one request runs, so it cannot drive scaling.
  it("scales on the request queue", () => {
    const scaledObject = manifestsOfKind(plan(), "ScaledObject")[0] as any;
    const trigger = scaledObject.spec.triggers[0];
    expect(trigger.type).toBe("prometheus");
    expect(trigger.metadata.query).toContain("vllm:num_requests_waiting");
    expect(trigger.metadata.query).toContain(`model_name="${plan().sizing.model.servedModelName}"`);
    expect(trigger.metadata.query).not.toMatch(/gpu|DCGM/i);
  });

  // A custom resource created before its CRD fails with an unknown kind.
  it("creates custom resources after their CRDs", () => {
    const scaledObjects = resourcesOf(plan(), "kubernetes:keda.sh/v1alpha1:ScaledObject");
    expect(scaledObjects).toHaveLength(1);
    const scaledObject = scaledObjects[0];
    expect(waitsFor(plan(), scaledObject, releaseOfChart(plan(), "keda"))).toBe(true);
    const groups = resourcesOf(plan(), "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet");
    // Only multi-node stacks render a LeaderWorkerSet, so the loop below checks those.
    expect(groups).toHaveLength(plan().sizing.parallelism.nodesPerReplica > 1 ? 1 : 0);
    for (const lws of groups) {
      expect(waitsFor(plan(), lws, releaseOfChart(plan(), "lws"))).toBe(true);
    }
  });

  // A token written into a manifest ends up in Git and in kubectl output.
  it("passes the token by reference", () => {
    for (const spec of vllmPodSpecs(plan())) {
      const env = spec.containers[0].env.find((variable: any) => variable.name === "HF_TOKEN");
      expect(env.value).toBeUndefined();
      expect(env.valueFrom.secretKeyRef.name).toBeTruthy();
      // The reference must resolve to the Secret that contains the token.
      const holder = resourcesOf(plan(), "kubernetes:core/v1:Secret").find((secret) =>
        JSON.stringify(secret.inputs).includes(TEST_SECRETS.hfToken),
      ) as any;
      expect(env.valueFrom.secretKeyRef.name).toBe(holder.inputs.metadata.name);
      expect(holder.inputs.stringData[env.valueFrom.secretKeyRef.key]).toBe(TEST_SECRETS.hfToken);
    }
    const rendered = JSON.stringify(plan().manifests);
    expect(rendered).not.toContain(TEST_SECRETS.hfToken);
  });

  // An NLB left behind holds network interfaces that block deleting the VPC.
  it("deletes the Service before its dependencies", () => {
    const service = resourcesOf(plan(), "kubernetes:core/v1:Service")[0];
    expect(waitsFor(plan(), service, releaseOfChart(plan(), "aws-load-balancer-controller"))).toBe(
      true,
    );
    expect(waitsFor(plan(), service, gpuNodeGroup(plan()))).toBe(true);
  });

  // A Service named vllm injects VLLM_PORT=tcp://..., which vLLM reads as its own setting.
  it("never names a Service vllm", () => {
    const services = manifestsOfKind(plan(), "Service") as Manifest[];
    expect(services.length).toBeGreaterThan(0);
    for (const service of services) {
      expect(service.metadata.name).not.toBe("vllm");
    }
  });
});

describe("plain token in the stack file", () => {
  it("is rejected by pulumi preview", async () => {
    const input = {
      stackName: "plain-token",
      values: stackValues({ hfToken: "hf_plain_value_42" }),
      secrets: {},
      otherNamespaces: {},
    };
    const error = (await runProgram(input, deployServekit).catch(
      (caught: unknown) => caught,
    )) as StackConfigError;
    expect(error).toBeInstanceOf(StackConfigError);
    const problem = error.problems.find((p) => p.path === "hfToken");
    expect(problem?.message).toContain("pulumi config set --secret servekit:hfToken");
    expect(error.message).not.toContain("hf_plain_value_42");
  });
});
