import { describe, expect, it } from "vitest";
import { leaderWorkerSetObject, servingNames } from "../../../components/serving";
import { LWS_SCHEMA_SOURCE, validateLeaderWorkerSet } from "../../../plan/lws-schema";
import { maverickBf16MultiNodePlan } from "./fixtures";

/** Renders the LeaderWorkerSet of Maverick BF16 on two nodes, as the component does. */
function renderedLws() {
  const plan = maverickBf16MultiNodePlan();
  const names = servingNames(plan);
  return leaderWorkerSetObject(
    { name: names.workload, namespace: names.namespace },
    {
      plan,
      image: "vllm/vllm-openai:v0.31.0",
      names,
      role: "leader",
      efaInterfaces: 32,
      nodeSelector: { "servekit.dev/pool": "gpu" },
    },
  );
}

/** Returns a deep copy of the rendered object with one change applied. */
function changed(edit: (object: ReturnType<typeof renderedLws>) => void) {
  const object = structuredClone(renderedLws());
  edit(object);
  return object;
}

function template(object: ReturnType<typeof renderedLws>): Record<string, unknown> {
  return object.spec.leaderWorkerTemplate as Record<string, unknown>;
}

describe("validateLeaderWorkerSet", () => {
  it("accepts the rendered group", async () => {
    expect(await validateLeaderWorkerSet(renderedLws())).toEqual([]);
  });

  it("names its upstream source", () => {
    expect(LWS_SCHEMA_SOURCE.repository).toBe("https://github.com/kubernetes-sigs/lws");
    expect(LWS_SCHEMA_SOURCE.path).toBe(
      "config/crd/bases/leaderworkerset.x-k8s.io_leaderworkersets.yaml",
    );
    expect(LWS_SCHEMA_SOURCE.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it("rejects an unknown restart policy", async () => {
    const object = changed((o) => (template(o).restartPolicy = "Always"));
    expect(await validateLeaderWorkerSet(object)).toEqual([
      "spec.leaderWorkerTemplate.restartPolicy: must be equal to one of the allowed values " +
        "(Default, RecreateGroupOnPodRestart, None)",
    ]);
  });

  it("rejects an unknown startup policy", async () => {
    const object = changed((o) => (o.spec.startupPolicy = "LeaderScheduled"));
    expect(await validateLeaderWorkerSet(object)).toEqual([
      "spec.startupPolicy: must be equal to one of the allowed values (LeaderCreated, LeaderReady)",
    ]);
  });

  it("rejects a size given as text", async () => {
    const object = changed((o) => (template(o).size = "2"));
    expect(await validateLeaderWorkerSet(object)).toEqual([
      "spec.leaderWorkerTemplate.size: must be integer",
    ]);
  });

  it("rejects a missing worker template", async () => {
    const object = changed((o) => delete template(o).workerTemplate);
    expect(await validateLeaderWorkerSet(object)).toEqual([
      "spec.leaderWorkerTemplate: must have required property 'workerTemplate'",
    ]);
  });

  it("rejects a misspelt field", async () => {
    const object = changed((o) => (template(o).groupSize = 2));
    expect(await validateLeaderWorkerSet(object)).toEqual([
      "spec.leaderWorkerTemplate: must NOT have additional properties (groupSize)",
    ]);
  });

  it("rejects an invalid pod template", async () => {
    const object = changed((o) => {
      const worker = template(o).workerTemplate as { spec: { containers: { ports?: unknown }[] } };
      worker.spec.containers[0].ports = [{ containerPort: "8000" }];
    });
    expect(await validateLeaderWorkerSet(object)).toEqual([
      "spec.leaderWorkerTemplate.workerTemplate.spec.containers[0].ports[0].containerPort: " +
        "must be integer",
    ]);
  });

  it("rejects a wrong api version", async () => {
    const object = changed((o) => (o.apiVersion = "leaderworkerset.x-k8s.io/v1beta1"));
    expect(await validateLeaderWorkerSet(object)).toEqual([
      "apiVersion: must be equal to constant (leaderworkerset.x-k8s.io/v1)",
    ]);
  });

  it("rejects a rollout type", async () => {
    const object = changed((o) => ((o.spec.rolloutStrategy as { type: string }).type = "Recreate"));
    expect(await validateLeaderWorkerSet(object)).toEqual([
      "spec.rolloutStrategy.type: must be equal to one of the allowed values (RollingUpdate)",
    ]);
  });

  it("lists every problem at once", async () => {
    const object = changed((o) => {
      template(o).restartPolicy = "Always";
      o.spec.startupPolicy = "Never";
    });
    expect(await validateLeaderWorkerSet(object)).toHaveLength(2);
  });
});
