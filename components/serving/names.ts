import { VLLM_METRICS_PORT } from "../addons/scheduling";
import type { SizingPlan } from "../../sizing/types";

/** Port of vLLM's OpenAI-compatible server (`--port`), which serves `/health` and `/metrics` too. */
export const VLLM_PORT = VLLM_METRICS_PORT;

/** Name of the vLLM container in every pod template. */
export const VLLM_CONTAINER = "vllm";

/** Pod label the LeaderWorkerSet controller sets to the name of the set a pod belongs to. */
export const LWS_NAME_LABEL = "leaderworkerset.sigs.k8s.io/name";

/** Pod label with the pod's index in its group, "0" for the leader. */
export const LWS_WORKER_INDEX_LABEL = "leaderworkerset.sigs.k8s.io/worker-index";

/** Pod label with a hash that is the same for every pod of one group. */
export const LWS_GROUP_KEY_LABEL = "leaderworkerset.sigs.k8s.io/group-key";

/** Names of the Kubernetes objects of one served model, stable across edits of the stack. */
export interface ServingNames {
  namespace: string;
  /** Deployment or LeaderWorkerSet, ScaledObject and PodDisruptionBudget. */
  workload: string;
  /**
   * LoadBalancer Service. Never `vllm`: Kubernetes would inject `VLLM_PORT=tcp://...` into pods,
   * which vLLM reads as its own port setting and crashes on (vLLM issue #34199).
   */
  service: string;
  serviceAccount: string;
  networkPolicy: string;
  hfTokenSecret: string;
  apiKeySecret: string;
}

/** Key of the token in the Hugging Face Secret, and of the key in the API key Secret. */
export const SECRET_KEY = "token";

/** Returns the object names for a plan, which derive from the model only and not its sizing. */
export function servingNames(plan: SizingPlan): ServingNames {
  const model = plan.model.name;
  return {
    namespace: `servekit-${model}`,
    workload: model,
    service: `${model}-api`,
    serviceAccount: `${model}-server`,
    networkPolicy: `${model}-ingress`,
    hfTokenSecret: "hf-token",
    apiKeySecret: "vllm-api-key",
  };
}

/** Returns the labels that select the model's pods. They form the Deployment selector, so never change them. */
export function selectorLabels(plan: SizingPlan): Record<string, string> {
  return {
    "app.kubernetes.io/name": "vllm",
    "app.kubernetes.io/instance": plan.model.name,
  };
}

/** Returns the labels of every object and pod of the model. */
export function commonLabels(plan: SizingPlan): Record<string, string> {
  return {
    ...selectorLabels(plan),
    "app.kubernetes.io/component": "inference-server",
    "app.kubernetes.io/part-of": "servekit",
  };
}

/** Returns whether one replica spans several nodes and so runs as a LeaderWorkerSet group. */
export function isMultiNode(plan: SizingPlan): boolean {
  return plan.parallelism.nodesPerReplica > 1;
}
