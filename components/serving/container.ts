import type * as k8s from "@pulumi/kubernetes";
import { EFA_RESOURCE } from "../aws/efa";
import type { SizingPlan } from "../../sizing/types";
import { hybridKvCacheEnv, SHUTDOWN_TIMEOUT_SECONDS, vllmArgs, type ServerRole } from "./command";
import { SECRET_KEY, VLLM_CONTAINER, VLLM_PORT, type ServingNames } from "./names";
import {
  podSizes,
  PRESTOP_SLEEP_SECONDS,
  startupBudget,
  STARTUP_PROBE_PERIOD_SECONDS,
} from "./resources";

type Container = k8s.types.input.core.v1.Container;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type Probe = k8s.types.input.core.v1.Probe;

/** Mount path of the model cache volume, which `HF_HOME` points to. */
export const HF_HOME = "/root/.cache/huggingface";

/** GPU resource of NVIDIA's Kubernetes device plugin. */
export const GPU_RESOURCE = "nvidia.com/gpu";

/** Inputs of {@link vllmContainer}. */
export interface ContainerInputs {
  plan: SizingPlan;
  image: string;
  names: ServingNames;
  role: ServerRole;
  /** EFA interfaces to request; 0 requests none. */
  efaInterfaces: number;
}

/** Builds the vLLM container of a pod template for one role. */
export function vllmContainer(inputs: ContainerInputs): Container {
  const { plan, role } = inputs;
  const serves = role !== "worker";
  return {
    name: VLLM_CONTAINER,
    image: inputs.image,
    args: vllmArgs(plan, role),
    ports: serves ? [{ name: "http", containerPort: VLLM_PORT, protocol: "TCP" }] : undefined,
    env: vllmEnv(inputs),
    resources: containerResources(plan, inputs.efaInterfaces),
    volumeMounts: [
      { name: "dshm", mountPath: "/dev/shm" },
      { name: "model-cache", mountPath: HF_HOME },
    ],
    ...(serves ? serverProbes(plan) : {}),
    lifecycle: { preStop: { sleep: { seconds: preStopSeconds(role) } } },
    securityContext: containerSecurityContext(inputs.efaInterfaces),
  };
}

/**
 * Seconds a terminating container keeps running before SIGTERM. A server pauses so that the load
 * balancer stops sending it new connections. A worker pauses until its leader has drained, because
 * the leader's in-flight requests need every pipeline stage; it then exits with its group.
 */
export function preStopSeconds(role: ServerRole): number {
  return role === "worker"
    ? PRESTOP_SLEEP_SECONDS + SHUTDOWN_TIMEOUT_SECONDS
    : PRESTOP_SLEEP_SECONDS;
}

/**
 * Builds the environment of the vLLM container. Secrets arrive only through `secretKeyRef`, so
 * their values never appear in a pod spec. vLLM reads `VLLM_API_KEY` when `--api-key` is absent
 * (`build_app` in vllm-project/vllm `vllm/entrypoints/openai/api_server.py`), which keeps the key
 * off the process command line. Headless workers serve no HTTP and get no API key.
 */
function vllmEnv(inputs: ContainerInputs): EnvVar[] {
  const { plan, names, role } = inputs;
  const env: EnvVar[] = [
    secretEnv("HF_TOKEN", names.hfTokenSecret),
    { name: "HF_HOME", value: HF_HOME },
    { name: "VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE", value: hybridKvCacheEnv(plan) },
    // Stops vLLM's usage reports to stats.vllm.ai (`VLLM_NO_USAGE_STATS` in `vllm/envs.py`).
    { name: "VLLM_NO_USAGE_STATS", value: "1" },
  ];
  if (role !== "worker") env.push(secretEnv("VLLM_API_KEY", names.apiKeySecret));
  if (role !== "single") env.push(...groupEnv(inputs.efaInterfaces));
  return env;
}

function secretEnv(name: string, secretName: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key: SECRET_KEY } } };
}

/**
 * Builds the environment of a multi-node group member. vLLM advertises `VLLM_HOST_IP` to the
 * other ranks, so it is the pod IP. NCCL and Gloo use the pod's `eth0`, the VPC CNI's interface.
 * With EFA, libfabric uses its EFA provider with GPUDirect RDMA, which p4d and p5 support.
 * NOTE: the EFA settings help only an image that ships libfabric and the aws-ofi-nccl plugin.
 * vllm/vllm-openai releases lacked both until at least September 2026 (vLLM issue #55635), and
 * without them NCCL sends pipeline traffic over TCP sockets.
 */
function groupEnv(efaInterfaces: number): EnvVar[] {
  const env: EnvVar[] = [
    { name: "VLLM_HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
    { name: "NCCL_SOCKET_IFNAME", value: "eth0" },
    { name: "GLOO_SOCKET_IFNAME", value: "eth0" },
  ];
  if (efaInterfaces > 0) {
    env.push({ name: "FI_PROVIDER", value: "efa" }, { name: "FI_EFA_USE_DEVICE_RDMA", value: "1" });
  }
  return env;
}

/**
 * Builds the resources. GPU and EFA requests equal their limits, as extended resources require.
 * CPU and memory are requested from the pod's share of the node. The memory limit leaves room
 * for the memory-backed `/dev/shm`, because its pages are charged to the pod.
 */
function containerResources(
  plan: SizingPlan,
  efaInterfaces: number,
): k8s.types.input.core.v1.ResourceRequirements {
  const sizes = podSizes(plan);
  const devices: Record<string, string> = { [GPU_RESOURCE]: String(plan.parallelism.gpusPerPod) };
  if (efaInterfaces > 0) devices[EFA_RESOURCE] = String(efaInterfaces);
  return {
    requests: {
      ...devices,
      cpu: String(sizes.cpu),
      memory: `${sizes.memoryRequestGiB}Gi`,
      "ephemeral-storage": `${sizes.cacheGiB}Gi`,
    },
    limits: { ...devices, memory: `${sizes.memoryLimitGiB}Gi` },
  };
}

/**
 * Builds the probes on `/health`, which returns 200 only when the engine runs. For a group leader
 * that means every rank has joined, so leader readiness is group readiness. The start-up probe holds
 * back the other two until the weights are loaded, so they need no initial delay.
 */
function serverProbes(plan: SizingPlan): {
  startupProbe: Probe;
  readinessProbe: Probe;
  livenessProbe: Probe;
} {
  const health = { path: "/health", port: VLLM_PORT };
  const budget = startupBudget(plan);
  return {
    startupProbe: {
      httpGet: health,
      periodSeconds: budget.periodSeconds,
      failureThreshold: budget.failureThreshold,
      timeoutSeconds: 5,
    },
    readinessProbe: {
      httpGet: health,
      periodSeconds: STARTUP_PROBE_PERIOD_SECONDS,
      failureThreshold: 3,
      timeoutSeconds: 5,
    },
    livenessProbe: {
      httpGet: health,
      periodSeconds: 15,
      // A busy engine can take seconds to respond, so a restart takes two minutes of failures.
      failureThreshold: 8,
      timeoutSeconds: 10,
    },
  };
}

/**
 * Builds the container hardening that the vLLM image allows. The `vllm-openai` image runs as root
 * because its Dockerfile target sets no `USER`, so `runAsNonRoot` would stop it. Instead every
 * capability is dropped and privilege escalation is off. A pod that uses EFA gets `IPC_LOCK` back,
 * because GPUDirect RDMA pins memory pages (vLLM `docs/serving/parallelism_scaling.md`, "Enabling
 * GPUDirect RDMA").
 * NOTE: the root filesystem stays writable because vLLM, Triton, FlashInfer and torch.compile
 * write caches under `$HOME/.cache` and `/tmp` at start-up and no list of those paths is
 * maintained upstream.
 */
function containerSecurityContext(efaInterfaces: number): k8s.types.input.core.v1.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"], ...(efaInterfaces > 0 ? { add: ["IPC_LOCK"] } : {}) },
    readOnlyRootFilesystem: false,
  };
}
