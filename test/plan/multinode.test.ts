import { beforeAll, describe, expect, it } from "vitest";
import type { OfflinePlan } from "../../plan/offline";
import { manifestsOfKind, planStack, resourcesOf } from "../support/plans";

// Maverick in BF16 is about 748 GiB of weights: more than one node of 8 × H100 holds, so each
// replica is a LeaderWorkerSet group of two nodes, TP 8 inside each and PP 2 across them.
let plan: OfflinePlan;

beforeAll(async () => {
  plan = await planStack("maverick-bf16-multinode");
});

function flagValue(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

describe("Maverick BF16 on H100", () => {
  it("sizes two nodes per replica", () => {
    expect(plan.sizing.parallelism).toMatchObject({
      tensor: 8,
      pipeline: 2,
      nodesPerReplica: 2,
      gpusPerPod: 8,
    });
    expect(plan.sizing.replicas).toEqual({ min: 1, max: 2 });
  });

  it("caps the GPU pool at four nodes", () => {
    const group = resourcesOf(plan, "aws:eks/nodeGroup:NodeGroup").find(
      (resource) => resource.name === "servekit-llama-4-maverick-node-group",
    );
    expect((group?.inputs as any).scalingConfig).toMatchObject({ minSize: 2, maxSize: 4 });
  });

  it("renders one group of two pods", () => {
    expect(manifestsOfKind(plan, "Deployment")).toEqual([]);
    const groups = manifestsOfKind(plan, "LeaderWorkerSet") as any[];
    expect(groups).toHaveLength(1);
    expect(groups[0].spec.leaderWorkerTemplate.size).toBe(2);
  });

  it("gives leader and worker a whole node", () => {
    const template = (manifestsOfKind(plan, "LeaderWorkerSet")[0] as any).spec.leaderWorkerTemplate;
    for (const pod of [template.leaderTemplate, template.workerTemplate]) {
      const resources = pod.spec.containers[0].resources;
      expect(resources.limits["nvidia.com/gpu"]).toBe("8");
      expect(resources.requests["nvidia.com/gpu"]).toBe("8");
    }
  });

  it("starts vLLM with TP 8 and PP 2", () => {
    const template = (manifestsOfKind(plan, "LeaderWorkerSet")[0] as any).spec.leaderWorkerTemplate;
    const args: string[] = template.leaderTemplate.spec.containers[0].args;
    expect(flagValue(args, "--tensor-parallel-size")).toBe("8");
    expect(flagValue(args, "--pipeline-parallel-size")).toBe("2");
    expect(args[0]).toBe("meta-llama/Llama-4-Maverick-17B-128E-Instruct");
  });

  it("passes schema validation", () => {
    expect(plan.manifestErrors).toEqual([]);
  });

  it("scales whole groups", () => {
    const scaledObject = manifestsOfKind(plan, "ScaledObject")[0] as any;
    expect(scaledObject.spec.scaleTargetRef.kind).toBe("LeaderWorkerSet");
    expect(scaledObject.spec.scaleTargetRef.apiVersion).toBe("leaderworkerset.x-k8s.io/v1");
    expect(scaledObject.spec.maxReplicaCount).toBe(2);
  });

  it("lets EFA pods lock memory", () => {
    const template = (manifestsOfKind(plan, "LeaderWorkerSet")[0] as any).spec.leaderWorkerTemplate;
    for (const pod of [template.leaderTemplate, template.workerTemplate]) {
      const context = pod.spec.containers[0].securityContext;
      expect(context.capabilities).toEqual({ drop: ["ALL"], add: ["IPC_LOCK"] });
      expect(context.allowPrivilegeEscalation).toBe(false);
    }
    const namespace = manifestsOfKind(plan, "Namespace").find(
      (manifest) => manifest.metadata.name === "servekit-llama-4-maverick",
    ) as any;
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(namespace.metadata.labels["pod-security.kubernetes.io/warn"]).toBe("baseline");
  });

  it("keeps single-node pods at baseline", async () => {
    const single = await planStack("maverick-prod");
    const pod = (manifestsOfKind(single, "Deployment")[0] as any).spec.template.spec;
    expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ["ALL"] });
    const namespace = manifestsOfKind(single, "Namespace").find(
      (manifest) => manifest.metadata.name === "servekit-llama-4-maverick",
    ) as any;
    expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  });

  it("sends traffic to leaders only", () => {
    const service = manifestsOfKind(plan, "Service")[0] as any;
    expect(service.spec.selector["leaderworkerset.sigs.k8s.io/worker-index"]).toBe("0");
  });
});
