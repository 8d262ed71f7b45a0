import { INSTANCES } from "../../sizing/catalog/instances";
import type { SizingPlan } from "../../sizing/types";
import { SHUTDOWN_TIMEOUT_SECONDS } from "./command";

/**
 * Size of the memory-backed `/dev/shm`. NCCL and vLLM's inter-process queues need more than the
 * container default of 64 MiB; vLLM's multi-node guide runs its containers with
 * `--shm-size=16G` (`docs/serving/parallelism_scaling.md`).
 */
export const SHM_SIZE_GIB = 16;

/**
 * Shares of a node's vCPUs and memory, in proportion to the GPUs a pod uses, that the pod
 * requests. The rest is left to the kubelet's reservation and the add-on DaemonSets.
 * NOTE: chosen, not measured against the kubelet's reservation on these instance sizes.
 */
export const CPU_REQUEST_SHARE = 0.9;
export const MEMORY_REQUEST_SHARE = 0.85;

/** Seconds between start-up, readiness and liveness probes of `/health`. */
export const STARTUP_PROBE_PERIOD_SECONDS = 10;

/**
 * Seconds a group member may wait for the cluster autoscaler to add the node of a later pod:
 * launching a GPU instance, installing drivers and joining the cluster. NOTE: an estimate.
 */
export const NODE_PROVISIONING_SECONDS = 900;

/**
 * Seconds the pod keeps serving after Kubernetes marks it terminating, so that the load balancer
 * stops sending new connections before vLLM receives SIGTERM. The pause is a `sleep` pre-stop
 * action, which needs no binary in the image (on by default since Kubernetes 1.30).
 */
export const PRESTOP_SLEEP_SECONDS = 30;

/** Grace period: the pre-stop pause, vLLM's drain and 30 s for the processes to exit. */
export const TERMINATION_GRACE_SECONDS = PRESTOP_SLEEP_SECONDS + SHUTDOWN_TIMEOUT_SECONDS + 30;

/** CPU and memory a vLLM pod requests, and the limits it runs under. */
export interface PodSizes {
  /** Whole vCPUs requested; no CPU limit, so that tokenization and scheduling never throttle. */
  cpu: number;
  memoryRequestGiB: number;
  /** The request plus the memory-backed `/dev/shm`, whose pages count against the limit. */
  memoryLimitGiB: number;
  /** Size limit of the model cache, also requested as ephemeral storage. */
  cacheGiB: number;
}

/** Sizes a pod's CPU, memory and cache from its share of the node's GPUs. */
export function podSizes(plan: SizingPlan): PodSizes {
  const instance = INSTANCES[plan.gpu.instanceType];
  const share = plan.parallelism.gpusPerPod / plan.gpu.gpusPerNode;
  const memoryRequestGiB = Math.floor(instance.memoryGiB * share * MEMORY_REQUEST_SHARE);
  return {
    cpu: Math.floor(instance.vcpus * share * CPU_REQUEST_SHARE),
    memoryRequestGiB,
    memoryLimitGiB: memoryRequestGiB + SHM_SIZE_GIB,
    cacheGiB: modelCacheGiB(plan),
  };
}

/** Model cache size of one pod, as the planner sized it together with the root volume. */
export function modelCacheGiB(plan: SizingPlan): number {
  return plan.nodePool.modelCacheGiB;
}

/** Period and failure threshold of the start-up probe; their product is the time allowed. */
export interface StartupBudget {
  periodSeconds: number;
  failureThreshold: number;
  /** periodSeconds × failureThreshold. */
  seconds: number;
}

/**
 * Start-up probe budget: the planner's `startupTimeoutSeconds`, which grows with the weights to
 * download and load. A multi-node group also waits for its last node, so the time the cluster
 * autoscaler takes to add one is added.
 */
export function startupBudget(plan: SizingPlan): StartupBudget {
  const extra = plan.parallelism.nodesPerReplica > 1 ? NODE_PROVISIONING_SECONDS : 0;
  const failureThreshold = Math.ceil(
    (plan.startupTimeoutSeconds + extra) / STARTUP_PROBE_PERIOD_SECONDS,
  );
  return {
    periodSeconds: STARTUP_PROBE_PERIOD_SECONDS,
    failureThreshold,
    seconds: failureThreshold * STARTUP_PROBE_PERIOD_SECONDS,
  };
}

/**
 * Seconds a rollout may take before it counts as stuck: a new node, then the start-up budget.
 * Used for the Deployment's progress deadline and Pulumi's create and update timeouts.
 */
export function rolloutDeadlineSeconds(plan: SizingPlan): number {
  return startupBudget(plan).seconds + NODE_PROVISIONING_SECONDS;
}
