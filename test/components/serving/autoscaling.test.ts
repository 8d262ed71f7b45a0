import { beforeAll, describe, expect, it } from "vitest";
import type { ProgramRun, RecordedResource } from "../../../plan/run";
import { resourceNamed } from "../../support/stack";
import {
  inputAt,
  maverickFp8Plan,
  runServing,
  TEST_PROMETHEUS_URL,
  TEST_VPC_CIDR,
  urnOf,
} from "./fixtures";

const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";

interface Trigger {
  type: string;
  metadata: Record<string, string>;
}

describe("ScaledObject", () => {
  let run: ProgramRun;
  let scaled: RecordedResource;
  let trigger: Trigger;

  beforeAll(async () => {
    run = await runServing({
      plan: maverickFp8Plan({ replicas: { min: 1, max: 3 } }),
      values: { autoscaling: { queueDepthPerReplica: 4, activationQueueDepth: 2 } },
    });
    scaled = resourceNamed(run, SCALED_OBJECT, "llama-4-maverick-scaledobject");
    trigger = (inputAt(scaled, "spec.triggers") as Trigger[])[0];
  });

  it("is a keda scaledobject", () => {
    expect(inputAt(scaled, "apiVersion")).toBe("keda.sh/v1alpha1");
    expect(inputAt(scaled, "kind")).toBe("ScaledObject");
    expect(inputAt(scaled, "metadata.name")).toBe("llama-4-maverick");
    expect(inputAt(scaled, "metadata.namespace")).toBe("servekit-llama-4-maverick");
  });

  it("targets the deployment", () => {
    expect(inputAt(scaled, "spec.scaleTargetRef")).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "llama-4-maverick",
    });
  });

  it("scales between the plan's replicas", () => {
    expect(inputAt(scaled, "spec.minReplicaCount")).toBe(1);
    expect(inputAt(scaled, "spec.maxReplicaCount")).toBe(3);
  });

  it("queries the model's queue", () => {
    expect(trigger.type).toBe("prometheus");
    expect(trigger.metadata.serverAddress).toBe(TEST_PROMETHEUS_URL);
    expect(trigger.metadata.query).toBe(
      'sum(vllm:num_requests_waiting{namespace="servekit-llama-4-maverick",model_name="llama-4-maverick"})',
    );
  });

  it("never scales on gpu utilisation", () => {
    expect(trigger.metadata.query).not.toMatch(/DCGM|gpu_util|GPU_UTIL/i);
  });

  it("uses the stack's thresholds", () => {
    expect(trigger.metadata.threshold).toBe("4");
    expect(trigger.metadata.activationThreshold).toBe("2");
    expect(inputAt(scaled, "spec.pollingInterval")).toBe(15);
    expect(inputAt(scaled, "spec.cooldownPeriod")).toBe(600);
  });

  it("falls back without scaling in", () => {
    expect(inputAt(scaled, "spec.fallback")).toEqual({
      failureThreshold: 3,
      replicas: 1,
      behavior: "currentReplicasIfHigher",
    });
  });

  it("depends on keda and the deployment", () => {
    expect(scaled.dependsOn).toContain(urnOf(run, "kubernetes:helm.sh/v3:Release", "keda"));
    expect(scaled.dependsOn).toContain(
      urnOf(run, "kubernetes:apps/v1:Deployment", "llama-4-maverick-deployment"),
    );
  });

  it("passes keda's schema", async () => {
    const { ScaledObject } = await import("@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject");
    const object = new ScaledObject(scaled.inputs as never);
    expect(() => object.validate()).not.toThrow();
    // The same validator must reject a ScaledObject without its required target.
    const spec = { ...(scaled.inputs.spec as object), scaleTargetRef: undefined };
    const broken = new ScaledObject({ ...scaled.inputs, spec } as never);
    expect(() => broken.validate()).toThrow();
  });
});

describe("PodDisruptionBudget and NetworkPolicy", () => {
  let run: ProgramRun;

  beforeAll(async () => {
    run = await runServing({ plan: maverickFp8Plan(), prometheusNamespace: "monitoring" });
  });

  it("pdb evicts one pod at a time", () => {
    const pdb = resourceNamed(
      run,
      "kubernetes:policy/v1:PodDisruptionBudget",
      "llama-4-maverick-pdb",
    );
    expect(inputAt(pdb, "spec")).toEqual({
      maxUnavailable: 1,
      selector: {
        matchLabels: {
          "app.kubernetes.io/name": "vllm",
          "app.kubernetes.io/instance": "llama-4-maverick",
        },
      },
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    });
  });

  it("policy admits only port 8000", () => {
    const policy = resourceNamed(
      run,
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "llama-4-maverick-networkpolicy",
    );
    const rules = inputAt(policy, "spec.ingress") as { ports?: unknown[]; from: unknown[] }[];
    expect(inputAt(policy, "spec.policyTypes")).toEqual(["Ingress"]);
    expect(rules).toHaveLength(2);
    for (const rule of rules) expect(rule.ports).toEqual([{ protocol: "TCP", port: 8000 }]);
    expect(rules[0].from).toEqual([{ ipBlock: { cidr: TEST_VPC_CIDR } }]);
    expect(rules[1].from).toEqual([
      { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
    ]);
  });

  it("policy selects the vllm pods", () => {
    const policy = resourceNamed(
      run,
      "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      "llama-4-maverick-networkpolicy",
    );
    expect(inputAt(policy, "spec.podSelector")).toEqual({
      matchLabels: {
        "app.kubernetes.io/name": "vllm",
        "app.kubernetes.io/instance": "llama-4-maverick",
      },
    });
  });
});
