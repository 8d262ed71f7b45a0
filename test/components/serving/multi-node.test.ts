import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun, RecordedResource } from "../../../plan/run";
import { validateLeaderWorkerSet } from "../../../plan/lws-schema";
import { resourceNamed, resourcesOfType } from "../../support/stack";
import {
  envOf,
  flagValue,
  inputAt,
  maverickBf16MultiNodePlan,
  runServing,
  urnOf,
  type TestContainer,
  type TestPodTemplate,
} from "./fixtures";

const LWS = "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet";
const ZONE_AFFINITY = {
  podAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: [
      {
        labelSelector: { matchLabels: { "leaderworkerset.sigs.k8s.io/name": "llama-4-maverick" } },
        matchLabelKeys: ["leaderworkerset.sigs.k8s.io/group-key"],
        topologyKey: "topology.kubernetes.io/zone",
      },
    ],
  },
};

describe("VllmService multi-node", () => {
  const plan = maverickBf16MultiNodePlan();
  let run: ProgramRun;
  let lws: RecordedResource;
  let leader: TestPodTemplate;
  let worker: TestPodTemplate;
  let leaderContainer: TestContainer;
  let workerContainer: TestContainer;

  beforeAll(async () => {
    run = await runServing({ plan, efaInterfaces: 32, prometheusNamespace: "monitoring" });
    lws = resourceNamed(run, LWS, "llama-4-maverick-leaderworkerset");
    leader = inputAt(lws, "spec.leaderWorkerTemplate.leaderTemplate") as TestPodTemplate;
    worker = inputAt(lws, "spec.leaderWorkerTemplate.workerTemplate") as TestPodTemplate;
    leaderContainer = leader.spec.containers[0];
    workerContainer = worker.spec.containers[0];
  });

  it("renders a leaderworkerset and no deployment", () => {
    expect(resourcesOfType(run, LWS)).toHaveLength(1);
    expect(resourcesOfType(run, "kubernetes:apps/v1:Deployment")).toEqual([]);
    expect(inputAt(lws, "apiVersion")).toBe("leaderworkerset.x-k8s.io/v1");
    expect(inputAt(lws, "kind")).toBe("LeaderWorkerSet");
    expect(inputAt(lws, "metadata.name")).toBe("llama-4-maverick");
  });

  it("groups two nodes", () => {
    expect(inputAt(lws, "spec.leaderWorkerTemplate.size")).toBe(2);
    expect(inputAt(lws, "spec.replicas")).toBe(plan.replicas.min);
  });

  it("restarts and starts groups safely", () => {
    expect(inputAt(lws, "spec.leaderWorkerTemplate.restartPolicy")).toBe(
      "RecreateGroupOnPodRestart",
    );
    expect(inputAt(lws, "spec.startupPolicy")).toBe("LeaderCreated");
    expect(inputAt(lws, "spec.rolloutStrategy")).toEqual({
      type: "RollingUpdate",
      rollingUpdateConfiguration: { maxSurge: 1, maxUnavailable: 0 },
    });
  });

  it("each pod takes a whole node", () => {
    for (const container of [leaderContainer, workerContainer]) {
      expect(container.resources.requests["nvidia.com/gpu"]).toBe("8");
      expect(container.resources.limits["nvidia.com/gpu"]).toBe("8");
    }
  });

  it("each pod requests the efa interfaces", () => {
    for (const container of [leaderContainer, workerContainer]) {
      expect(container.resources.requests["vpc.amazonaws.com/efa"]).toBe("32");
      expect(container.resources.limits["vpc.amazonaws.com/efa"]).toBe("32");
      expect(envOf(container, "FI_PROVIDER")?.value).toBe("efa");
      expect(envOf(container, "FI_EFA_USE_DEVICE_RDMA")?.value).toBe("1");
    }
  });

  it("runs tp 8 and pp 2", () => {
    for (const container of [leaderContainer, workerContainer]) {
      expect(flagValue(container.args, "--tensor-parallel-size")).toBe("8");
      expect(flagValue(container.args, "--pipeline-parallel-size")).toBe("2");
      expect(container.args[0]).toBe("meta-llama/Llama-4-Maverick-17B-128E-Instruct");
    }
  });

  it("wires the lws variables", () => {
    expect(flagValue(leaderContainer.args, "--nnodes")).toBe("$(LWS_GROUP_SIZE)");
    expect(flagValue(leaderContainer.args, "--node-rank")).toBe("0");
    expect(flagValue(leaderContainer.args, "--master-addr")).toBe("$(LWS_LEADER_ADDRESS)");
    expect(flagValue(workerContainer.args, "--nnodes")).toBe("$(LWS_GROUP_SIZE)");
    expect(flagValue(workerContainer.args, "--node-rank")).toBe("$(LWS_WORKER_INDEX)");
    expect(flagValue(workerContainer.args, "--master-addr")).toBe("$(LWS_LEADER_ADDRESS)");
    expect(workerContainer.args).toContain("--headless");
    expect(envOf(leaderContainer, "VLLM_HOST_IP")?.valueFrom).toEqual({
      fieldRef: { fieldPath: "status.podIP" },
    });
  });

  it("only the leader serves http", () => {
    expect(leaderContainer.ports).toEqual([{ name: "http", containerPort: 8000, protocol: "TCP" }]);
    expect(workerContainer.ports).toBeUndefined();
    expect(leaderContainer.startupProbe?.httpGet).toEqual({ path: "/health", port: 8000 });
    expect(workerContainer.startupProbe).toBeUndefined();
    expect(workerContainer.readinessProbe).toBeUndefined();
    expect(envOf(leaderContainer, "VLLM_API_KEY")).toBeDefined();
    expect(envOf(leaderContainer, "VLLM_API_KEY")?.valueFrom).toEqual({
      secretKeyRef: { name: "vllm-api-key", key: "token" },
    });
    expect(envOf(workerContainer, "VLLM_API_KEY")).toBeUndefined();
    expect(leader.metadata.annotations?.["prometheus.io/scrape"]).toBe("true");
    expect(worker.metadata.annotations).toBeUndefined();
  });

  it("both roles get the token, shm and cache", () => {
    for (const template of [leader, worker]) {
      const container = template.spec.containers[0];
      expect(envOf(container, "HF_TOKEN")?.valueFrom).toEqual({
        secretKeyRef: { name: "hf-token", key: "token" },
      });
      const dshm = template.spec.volumes.find((volume) => volume.name === "dshm");
      expect(dshm?.emptyDir.medium).toBe("Memory");
      const mounts = container.volumeMounts.map((mount) => mount.mountPath);
      expect(mounts).toEqual(["/dev/shm", "/root/.cache/huggingface"]);
      expect(template.spec.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists" }]);
      expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    }
  });

  it("startup allows every node to download", () => {
    const probe = leaderContainer.startupProbe!;
    expect(probe.periodSeconds * probe.failureThreshold).toBeGreaterThanOrEqual(
      plan.startupTimeoutSeconds + 900,
    );
  });

  it("workers outlive the leader's drain", () => {
    expect(leaderContainer.lifecycle?.preStop?.sleep?.seconds).toBe(30);
    expect(workerContainer.lifecycle?.preStop?.sleep?.seconds).toBe(630);
    expect(worker.spec.terminationGracePeriodSeconds).toBeGreaterThan(630);
  });

  it("keeps a group in one zone", () => {
    expect(leader.spec.affinity).toEqual(ZONE_AFFINITY);
    expect(worker.spec.affinity).toEqual(ZONE_AFFINITY);
  });

  it("service selects leaders", () => {
    const service = resourceNamed(run, "kubernetes:core/v1:Service", "llama-4-maverick-service");
    expect(inputAt(service, "spec.selector")).toEqual({
      "leaderworkerset.sigs.k8s.io/name": "llama-4-maverick",
      "leaderworkerset.sigs.k8s.io/worker-index": "0",
    });
  });

  it("scaledobject targets the lws", () => {
    const scaled = resourceNamed(
      run,
      "kubernetes:keda.sh/v1alpha1:ScaledObject",
      "llama-4-maverick-scaledobject",
    );
    expect(inputAt(scaled, "spec.scaleTargetRef")).toEqual({
      apiVersion: "leaderworkerset.x-k8s.io/v1",
      kind: "LeaderWorkerSet",
      name: "llama-4-maverick",
    });
    expect(scaled.dependsOn).toContain(lws.urn);
  });

  it("depends on the lws release and gpu pool", () => {
    expect(lws.dependsOn).toContain(urnOf(run, "kubernetes:helm.sh/v3:Release", "lws"));
    expect(lws.dependsOn).toContain(urnOf(run, "aws:eks/nodeGroup:NodeGroup", "gpu-node-group"));
    expect(lws.dependsOn).toContain(
      urnOf(run, "kubernetes:core/v1:Service", "llama-4-maverick-service"),
    );
  });

  it("pdb counts every group pod", () => {
    const pdb = resourceNamed(
      run,
      "kubernetes:policy/v1:PodDisruptionBudget",
      "llama-4-maverick-pdb",
    );
    expect(inputAt(pdb, "spec.selector")).toEqual({
      matchLabels: { "leaderworkerset.sigs.k8s.io/name": "llama-4-maverick" },
    });
  });

  it("policy admits traffic within the group", () => {
    const policy = resourceNamed(
      run,
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "llama-4-maverick-networkpolicy",
    );
    const rules = inputAt(policy, "spec.ingress") as { ports?: unknown[]; from: unknown[] }[];
    expect(rules).toHaveLength(3);
    expect(rules[2]).toEqual({
      from: [
        {
          podSelector: { matchLabels: { "leaderworkerset.sigs.k8s.io/name": "llama-4-maverick" } },
        },
      ],
    });
  });

  it("passes the lws schema", async () => {
    expect(await validateLeaderWorkerSet(lws.inputs)).toEqual([]);
  });

  it("warns about the upstream image", () => {
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toContain("may lack the AWS EFA libraries");
  });
});

describe("VllmService multi-node without efa", () => {
  it("requests no efa and sets no libfabric env", async () => {
    const run = await runServing({ plan: maverickBf16MultiNodePlan(), efaInterfaces: 0 });
    const lws = resourceNamed(run, LWS, "llama-4-maverick-leaderworkerset");
    const leader = inputAt(lws, "spec.leaderWorkerTemplate.leaderTemplate") as TestPodTemplate;
    const container = leader.spec.containers[0];
    expect(container.resources.requests["vpc.amazonaws.com/efa"]).toBeUndefined();
    expect(envOf(container, "FI_PROVIDER")).toBeUndefined();
    expect(envOf(container, "NCCL_SOCKET_IFNAME")?.value).toBe("eth0");
  });
});
