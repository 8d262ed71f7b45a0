import type { KvCacheDtype } from "../../config/schema";
import type { SizingPlan } from "../../sizing/types";
import { VLLM_PORT } from "./names";

/**
 * Role of a vLLM process in its replica. `single` serves a whole replica on one node, `leader` is
 * node rank 0 of a multi-node group and serves HTTP, and `worker` is a headless rank above 0.
 */
export type ServerRole = "single" | "leader" | "worker";

/**
 * Seconds vLLM keeps finishing in-flight requests after SIGTERM before it exits
 * (`--shutdown-timeout`, vLLM pull requests #34730 and #36666, in releases from v0.18.0). Its
 * default of 0 aborts them.
 * Ten minutes covers long generations; the pod's grace period and the load balancer's
 * deregistration delay are derived from it.
 */
export const SHUTDOWN_TIMEOUT_SECONDS = 600;

/**
 * Port of the distributed rendezvous on the leader: vLLM's `--master-port` default 29501
 * (`ParallelConfig.master_port` in vllm-project/vllm `vllm/config/parallel.py`).
 */
export const MASTER_PORT = 29501;

/**
 * vLLM `--kv-cache-dtype` value for the stack's `kvCacheDtype`. vLLM spells BF16 `bfloat16`
 * (`CacheDType` in vllm-project/vllm `vllm/config/cache.py`); `auto` follows the model dtype.
 */
export function kvCacheDtypeFlag(dtype: KvCacheDtype): string {
  const flags: Record<KvCacheDtype, string> = { auto: "auto", bf16: "bfloat16", fp8: "fp8" };
  return flags[dtype];
}

/**
 * Builds the `vllm serve` arguments for a plan, exactly as sized: nothing here is recomputed.
 * They follow the image's entrypoint, which the pods keep. In the `vllm-openai` target of
 * vllm-project/vllm `docker/Dockerfile` that is `vllm serve`. Recent versions put
 * `efa-entrypoint.sh` in front, which enables the image's EFA libraries when an EFA device is
 * visible, so a `command` here would skip that wrapper.
 *
 * No `--quantization` flag: FP8 and compressed-tensors (INT4 W4A16) checkpoints declare their
 * format in `config.json`, which vLLM reads (`ModelConfig._parse_quant_hf_config` in
 * `vllm/config/model.py`). `--max-model-len` is always explicit, because vLLM's default is the
 * model's maximum (10,485,760 tokens for Scout), and vLLM refuses to start when one request of
 * that length does not fit the KV cache.
 */
export function vllmArgs(plan: SizingPlan, role: ServerRole = "single"): string[] {
  const args = [
    plan.model.checkpoint,
    "--served-model-name",
    plan.model.servedModelName,
    "--tensor-parallel-size",
    String(plan.parallelism.tensor),
    "--pipeline-parallel-size",
    String(plan.parallelism.pipeline),
    "--max-model-len",
    String(plan.context.maxModelLen),
    "--kv-cache-dtype",
    kvCacheDtypeFlag(plan.kvCacheDtype),
    "--gpu-memory-utilization",
    String(plan.vllm.gpuMemoryUtilization),
    "--max-num-batched-tokens",
    String(plan.vllm.maxNumBatchedTokens),
    "--port",
    String(VLLM_PORT),
    ...hybridKvCacheArgs(plan),
  ];
  if (role !== "worker") args.push("--shutdown-timeout", String(SHUTDOWN_TIMEOUT_SECONDS));
  return [...args, ...multiNodeArgs(role)];
}

/**
 * Turns the hybrid KV cache manager off when the plan sized for it off. The flag is a scheduler
 * option of `vllm/engine/arg_utils.py`; when it is absent vLLM enables the manager unless another
 * setting rules it out, and for Llama 4's chunked-local attention that depends on the
 * environment variable set in {@link hybridKvCacheEnv}.
 */
function hybridKvCacheArgs(plan: SizingPlan): string[] {
  return plan.hybridKvCache ? [] : ["--disable-hybrid-kv-cache-manager"];
}

/**
 * Environment value of `VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE`. Without "1", vLLM
 * disables the hybrid KV cache manager for models with chunked-local attention such as Llama 4
 * (`VllmConfig.__post_init__` in vllm-project/vllm `vllm/config/vllm.py`), and the KV cache has
 * room for fewer tokens than the plan assumed. Its default changed between releases, so it is always set.
 */
export function hybridKvCacheEnv(plan: SizingPlan): string {
  return plan.hybridKvCache ? "1" : "0";
}

/**
 * Arguments of vLLM's own multi-node launch (multiprocessing executor, no Ray), filled from the
 * variables the LeaderWorkerSet controller injects into every container; Kubernetes expands
 * `$(NAME)` in arguments from the container's environment. Flags as documented in vLLM's
 * `docs/serving/parallelism_scaling.md`: rank 0 serves the API, the other ranks run `--headless`.
 * NOTE: `LWS_LEADER_ADDRESS` is the leader's DNS name, while vLLM's examples pass an IP; whether
 * every socket vLLM opens on that address accepts a name was not verified on a cluster.
 */
function multiNodeArgs(role: ServerRole): string[] {
  if (role === "single") return [];
  const rank = role === "leader" ? "0" : "$(LWS_WORKER_INDEX)";
  const args = [
    "--distributed-executor-backend",
    "mp",
    "--nnodes",
    "$(LWS_GROUP_SIZE)",
    "--node-rank",
    rank,
    "--master-addr",
    "$(LWS_LEADER_ADDRESS)",
    "--master-port",
    String(MASTER_PORT),
  ];
  return role === "worker" ? [...args, "--headless"] : args;
}
