/**
 * Node labels, taints and pod annotations that the add-ons, the node groups and the serving
 * workload agree on. The chart files in `charts/` repeat the selectors as plain values, and the
 * add-on tests check that they match these constants.
 */
import { GPU_PRESENT_LABEL as GPU_PRESENT_LABEL_KEY, GPU_TAINT_KEY } from "../aws/gpu-node-pool";
import { POOL_LABEL } from "../aws/node-group";

export { GPU_TAINT_KEY };

/** Label of the untainted system node group, where every controller and Prometheus run. */
export const SYSTEM_NODE_SELECTOR = { [POOL_LABEL]: "system" } as const;

/**
 * Node label that NVIDIA's device plugin selects GPU nodes by. The GPU node pools set it, and
 * tolerations of the GPU taint use `operator: Exists` without an effect, so they match any value.
 */
export const GPU_PRESENT_LABEL = { key: GPU_PRESENT_LABEL_KEY, value: "true" } as const;

/** Port of vLLM's OpenAI-compatible server, which serves `/metrics` too (vLLM's default 8000). */
export const VLLM_METRICS_PORT = 8000;

/**
 * Pod annotations that make the Prometheus add-on scrape a pod. Its default `kubernetes-pods` job
 * keeps pods with `prometheus.io/scrape: "true"` and scrapes the annotated port and path. Put them
 * on the vLLM pod template, and for a LeaderWorkerSet on the leader template only, because
 * workers serve no HTTP.
 */
export const METRICS_SCRAPE_ANNOTATIONS = {
  "prometheus.io/scrape": "true",
  "prometheus.io/port": String(VLLM_METRICS_PORT),
  "prometheus.io/path": "/metrics",
} as const;
