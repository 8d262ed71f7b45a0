import { beforeAll, describe, expect, it } from "vitest";
import { vllmArgs } from "../../../components/serving";
import type { ProgramRun, RecordedResource } from "../../../plan/run";
import { resourceNamed, resourcesOfType, TEST_SECRETS } from "../../support/stack";
import {
  envOf,
  inputAt,
  maverickFp8Plan,
  runServing,
  scoutInt4Plan,
  type TestContainer,
  type TestPodTemplate,
} from "./fixtures";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const COMPONENT = "servekit:serving:VllmService";

function podTemplateOf(deployment: RecordedResource): TestPodTemplate {
  return inputAt(deployment, "spec.template") as TestPodTemplate;
}

function containerOf(deployment: RecordedResource): TestContainer {
  return podTemplateOf(deployment).spec.containers[0];
}

describe("VllmService single node", () => {
  const plan = maverickFp8Plan();
  let run: ProgramRun;
  let deployment: RecordedResource;
  let container: TestContainer;

  beforeAll(async () => {
    run = await runServing({ plan });
    deployment = resourceNamed(run, DEPLOYMENT, "llama-4-maverick-deployment");
    container = containerOf(deployment);
  });

  it("registers the expected children", () => {
    const component = resourceNamed(run, COMPONENT, "llama-4-maverick");
    const children = run.resources
      .filter((resource) => resource.parent === component.urn)
      .map((resource) => `${resource.type} ${resource.name}`);
    expect(children.sort()).toEqual(
      [
        "kubernetes:apps/v1:Deployment llama-4-maverick-deployment",
        "kubernetes:core/v1:Namespace llama-4-maverick-namespace",
        "kubernetes:core/v1:Secret llama-4-maverick-api-key",
        "kubernetes:core/v1:Secret llama-4-maverick-hf-token",
        "kubernetes:core/v1:Service llama-4-maverick-service",
        "kubernetes:core/v1:ServiceAccount llama-4-maverick-service-account",
        "kubernetes:keda.sh/v1alpha1:ScaledObject llama-4-maverick-scaledobject",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy llama-4-maverick-networkpolicy",
        "kubernetes:policy/v1:PodDisruptionBudget llama-4-maverick-pdb",
      ].sort(),
    );
  });

  it("renders no leaderworkerset", () => {
    const sets = run.resources.filter((resource) => resource.type.includes("LeaderWorkerSet"));
    expect(sets).toEqual([]);
  });

  it("names the objects after the model", () => {
    expect(inputAt(deployment, "metadata.name")).toBe("llama-4-maverick");
    expect(inputAt(deployment, "metadata.namespace")).toBe("servekit-llama-4-maverick");
  });

  it("runs the sized vllm command line", () => {
    expect(container.image).toBe("vllm/vllm-openai:v0.31.0");
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(vllmArgs(plan));
  });

  it("sets the hybrid kv cache switch", () => {
    const variable = envOf(container, "VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE");
    expect(variable?.value).toBe("1");
  });

  it("gpu requests equal limits", () => {
    const { requests, limits } = container.resources;
    expect(requests["nvidia.com/gpu"]).toBe("8");
    expect(limits["nvidia.com/gpu"]).toBe("8");
    expect(Number.isInteger(Number(requests["nvidia.com/gpu"]))).toBe(true);
  });

  it("requests cpu and memory from the node share", () => {
    expect(container.resources.requests.cpu).toBe("172");
    expect(container.resources.requests.memory).toBe("1740Gi");
    expect(container.resources.limits.cpu).toBeUndefined();
  });

  it("memory limit leaves room for shm", () => {
    const request = parseInt(container.resources.requests.memory, 10);
    const limit = parseInt(container.resources.limits.memory, 10);
    expect(limit - request).toBe(16);
  });

  it("tolerates the gpu taint with exists", () => {
    const template = podTemplateOf(deployment);
    expect(template.spec.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists" }]);
    expect(template.spec.nodeSelector).toEqual({ "servekit.dev/pool": "gpu" });
  });

  it("mounts a memory-backed shm", () => {
    const volume = podTemplateOf(deployment).spec.volumes.find((v) => v.name === "dshm");
    expect(volume?.emptyDir.medium).toBe("Memory");
    expect(volume?.emptyDir.sizeLimit).toBe("16Gi");
    const mount = container.volumeMounts.find((m) => m.name === "dshm");
    expect(mount?.mountPath).toBe("/dev/shm");
  });

  it("model cache holds the weights", () => {
    const volume = podTemplateOf(deployment).spec.volumes.find((v) => v.name === "model-cache");
    expect(volume?.emptyDir.medium).toBeUndefined();
    expect(parseInt(volume?.emptyDir.sizeLimit ?? "0", 10)).toBeGreaterThanOrEqual(388);
    const mount = container.volumeMounts.find((m) => m.name === "model-cache");
    expect(envOf(container, "HF_HOME")?.value).toBe(mount?.mountPath);
    expect(container.resources.requests["ephemeral-storage"]).toBe(volume?.emptyDir.sizeLimit);
  });

  it("startup probe covers the plan's budget", () => {
    const probe = container.startupProbe!;
    expect(probe.httpGet).toEqual({ path: "/health", port: 8000 });
    const budget = probe.periodSeconds * probe.failureThreshold;
    expect(budget).toBeGreaterThanOrEqual(plan.startupTimeoutSeconds);
    expect(budget).toBeLessThan(plan.startupTimeoutSeconds + probe.periodSeconds);
  });

  it("readiness and liveness start at once", () => {
    expect(container.readinessProbe?.httpGet).toEqual({ path: "/health", port: 8000 });
    expect(container.livenessProbe?.httpGet).toEqual({ path: "/health", port: 8000 });
    expect(container.readinessProbe?.initialDelaySeconds ?? 0).toBeLessThanOrEqual(10);
    expect(container.livenessProbe?.initialDelaySeconds ?? 0).toBeLessThanOrEqual(10);
  });

  it("secrets reach the container by reference", () => {
    expect(envOf(container, "HF_TOKEN")).toEqual({
      name: "HF_TOKEN",
      valueFrom: { secretKeyRef: { name: "hf-token", key: "token" } },
    });
    expect(envOf(container, "VLLM_API_KEY")).toEqual({
      name: "VLLM_API_KEY",
      valueFrom: { secretKeyRef: { name: "vllm-api-key", key: "token" } },
    });
    expect(container.args.join(" ")).not.toContain("--api-key");
  });

  it("secrets hold the pulumi secret values", () => {
    const hf = resourceNamed(run, "kubernetes:core/v1:Secret", "llama-4-maverick-hf-token");
    const key = resourceNamed(run, "kubernetes:core/v1:Secret", "llama-4-maverick-api-key");
    expect(JSON.stringify(hf.inputs.stringData)).toContain(TEST_SECRETS.hfToken);
    expect(JSON.stringify(key.inputs.stringData)).toContain(TEST_SECRETS.apiKey);
    expect(inputAt(hf, "metadata.name")).toBe("hf-token");
    expect(inputAt(key, "metadata.name")).toBe("vllm-api-key");
  });

  it("secret values appear only in secret data", () => {
    const values = Object.values(TEST_SECRETS).flatMap((value) => [
      value,
      Buffer.from(value).toString("base64"),
    ]);
    for (const resource of run.resources) {
      const inputs =
        resource.type === "kubernetes:core/v1:Secret"
          ? { ...resource.inputs, stringData: undefined, data: undefined }
          : resource.inputs;
      const text = JSON.stringify(inputs);
      for (const value of values) expect(text, `${resource.name}`).not.toContain(value);
    }
    const outputs = JSON.stringify(run.outputs);
    for (const value of values) expect(outputs).not.toContain(value);
  });

  it("rolls one new pod before removing one", () => {
    expect(inputAt(deployment, "spec.strategy")).toEqual({
      type: "RollingUpdate",
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect(inputAt(deployment, "spec.replicas")).toBe(plan.replicas.min);
    const deadline = inputAt(deployment, "spec.progressDeadlineSeconds") as number;
    expect(deadline).toBeGreaterThan(plan.startupTimeoutSeconds);
  });

  it("gives long generations time to drain", () => {
    const template = podTemplateOf(deployment);
    expect(container.lifecycle?.preStop?.sleep?.seconds).toBe(30);
    expect(template.spec.terminationGracePeriodSeconds).toBeGreaterThan(30 + 600);
  });

  it("pods run without privilege escalation", () => {
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.capabilities).toEqual({ drop: ["ALL"] });
    const spec = podTemplateOf(deployment).spec;
    expect(spec.securityContext).toEqual({ seccompProfile: { type: "RuntimeDefault" } });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.serviceAccountName).toBe("llama-4-maverick-server");
  });

  it("service account mounts no token", () => {
    const account = resourceNamed(
      run,
      "kubernetes:core/v1:ServiceAccount",
      "llama-4-maverick-service-account",
    );
    expect(inputAt(account, "automountServiceAccountToken")).toBe(false);
  });

  it("pods carry the scrape annotations", () => {
    expect(podTemplateOf(deployment).metadata.annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "8000",
      "prometheus.io/path": "/metrics",
    });
  });

  it("namespace enables readiness gates", () => {
    const namespace = resourceNamed(
      run,
      "kubernetes:core/v1:Namespace",
      "llama-4-maverick-namespace",
    );
    const labels = inputAt(namespace, "metadata.labels") as Record<string, string>;
    expect(inputAt(namespace, "metadata.name")).toBe("servekit-llama-4-maverick");
    expect(labels["elbv2.k8s.aws/pod-readiness-gate-inject"]).toBe("enabled");
    expect(labels["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  });

  it("exports the endpoint", () => {
    const host = "llama-4-maverick-service.elb.us-east-1.amazonaws.com";
    expect(run.outputs).toEqual({
      serviceHostname: host,
      endpointUrl: `http://${host}`,
      openaiBaseUrl: `http://${host}/v1`,
      servedModelName: "llama-4-maverick",
      namespace: "servekit-llama-4-maverick",
    });
  });

  it("logs no warning for an internal stack", () => {
    expect(run.warnings).toEqual([]);
  });
});

describe("VllmService pod sizing", () => {
  it("startup budget grows with the weights", async () => {
    const maverick = await runServing({ plan: maverickFp8Plan() });
    const scout = await runServing({ plan: scoutInt4Plan() });
    const budget = (run: ProgramRun, name: string) => {
      const probe = containerOf(resourceNamed(run, DEPLOYMENT, name)).startupProbe!;
      return probe.periodSeconds * probe.failureThreshold;
    };
    const maverickBudget = budget(maverick, "llama-4-maverick-deployment");
    const scoutBudget = budget(scout, "llama-4-scout-deployment");
    expect(maverickBudget).toBeGreaterThan(scoutBudget);
  });

  it("scout shares a node between two pods", async () => {
    const run = await runServing({ plan: scoutInt4Plan() });
    const deployments = resourcesOfType(run, DEPLOYMENT);
    expect(deployments.map((resource) => resource.name)).toEqual(["llama-4-scout-deployment"]);
    const container = containerOf(deployments[0]);
    expect(container.resources.requests["nvidia.com/gpu"]).toBe("4");
    expect(container.resources.limits["nvidia.com/gpu"]).toBe("4");
    expect(container.resources.requests.cpu).toBe("86");
    expect(container.resources.requests.memory).toBe("870Gi");
  });

  it("hybrid kv cache off reaches env and args", async () => {
    const run = await runServing({ plan: { ...maverickFp8Plan(), hybridKvCache: false } });
    const container = containerOf(resourceNamed(run, DEPLOYMENT, "llama-4-maverick-deployment"));
    const variable = envOf(container, "VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE");
    expect(variable?.value).toBe("0");
    expect(container.args).toContain("--disable-hybrid-kv-cache-manager");
  });

  it("warns about scale from zero", async () => {
    const run = await runServing({ plan: maverickFp8Plan({ replicas: { min: 0 } }) });
    expect(run.warnings.some((warning) => warning.startsWith("replicas.min is 0"))).toBe(true);
    const deployment = resourceNamed(run, DEPLOYMENT, "llama-4-maverick-deployment");
    expect(inputAt(deployment, "spec.replicas")).toBe(0);
  });
});
