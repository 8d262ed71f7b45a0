import type { ConfigProblem } from "../config/problems";
import type {
  GpuType,
  InstanceType,
  KvCacheDtype,
  ModelName,
  Quantization,
} from "../config/schema";

/**
 * The planner's decision for one served model: what to run, on how many GPUs and nodes, with
 * which vLLM settings, and what it costs. Components render it; they never recompute it.
 */
export interface SizingPlan {
  model: {
    name: ModelName;
    /** Hugging Face repository id of the checkpoint vLLM loads. */
    checkpoint: string;
    /** Name clients send in the OpenAI `model` field (`--served-model-name`). */
    servedModelName: string;
    /** Checkpoint size on disk in GiB (binary). */
    weightsGiB: number;
    /** True when the checkpoint size is an estimate rather than a published figure. */
    weightsEstimated: boolean;
  };
  quantization: Quantization;
  /** The stack's `kvCacheDtype` as given (`auto` stays `auto`). */
  kvCacheDtype: KvCacheDtype;
  /** Bytes per KV element after resolving `auto`: 2 for BF16, 1 for FP8. */
  kvCacheBytesPerElement: 1 | 2;
  /** Whether vLLM keeps only the last chunk of chunked-local layers (hybrid KV cache). */
  hybridKvCache: boolean;
  gpu: {
    type: GpuType;
    instanceType: InstanceType;
    gpusPerNode: number;
    /** Memory per GPU as reported by the driver, in GiB. */
    memoryGiB: number;
  };
  parallelism: {
    tensor: number;
    pipeline: number;
    gpusPerReplica: number;
    nodesPerReplica: number;
    /** Replicas that share one node (2 for a 4-GPU replica on an 8-GPU node); 1 when multi-node. */
    replicasPerNode: number;
    /** GPUs each vLLM pod requests: the whole replica on one node, or a whole node per pod. */
    gpusPerPod: number;
  };
  context: {
    /** `--max-model-len` the server is started with. */
    maxModelLen: number;
    /** Largest `--max-model-len` for which one request still fits this replica's KV cache. */
    maxFeasibleModelLen: number;
    /** Tokens the KV cache of one replica stores at `maxModelLen` (hybrid mode counted). */
    kvCacheTokens: number;
    /** Requests of `maxModelLen` tokens the KV cache stores at once. */
    fullLengthRequests: number;
    /** The model's own maximum context in tokens (`max_position_embeddings`). */
    modelMaxLen: number;
  };
  /** Per-GPU memory budget in GiB: usable = weights + overhead + kvCache. */
  memoryPerGpuGiB: { usable: number; weights: number; overhead: number; kvCache: number };
  replicas: { min: number; max: number };
  nodePool: {
    instanceType: InstanceType;
    minSize: number;
    maxSize: number;
    /** Root volume in GiB: the vLLM image, the weights and headroom. */
    rootVolumeGiB: number;
    /** Provisioned gp3 throughput of the root volume in MiB/s, shared by the node's vLLM pods. */
    rootVolumeThroughputMiBps: number;
    /** Provisioned gp3 IOPS of the root volume, enough for its throughput. */
    rootVolumeIops: number;
    /** Ephemeral storage each node offers pods, in GiB (kubelet eviction threshold excluded). */
    allocatableDiskGiB: number;
    /** Model cache each vLLM pod requests as ephemeral storage, in GiB. */
    modelCacheGiB: number;
  };
  /** Hourly on-demand cost at minimum and maximum replicas; null when the price is unknown. */
  costUsdPerHour: {
    min: number | null;
    max: number | null;
    pricePerNode: number | null;
    /** Source of the price: the catalog's source and date, or the stack's override. */
    priceSource: string;
  };
  /** Server settings passed to vLLM exactly as sized. */
  vllm: { gpuMemoryUtilization: number; maxNumBatchedTokens: number };
  /** Seconds the start-up probe allows for downloading and loading the weights. */
  startupTimeoutSeconds: number;
  /** Sentences explaining the choices, for the plan report. */
  explanation: string[];
  /** Allowed but risky choices, each naming the setting that changes it. */
  warnings: string[];
}

/** The planner's outcome: a plan, or every reason the stack cannot be served as written. */
export type PlanResult = { ok: true; plan: SizingPlan } | { ok: false; problems: ConfigProblem[] };
