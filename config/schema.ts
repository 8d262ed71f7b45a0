import { z } from "zod";

/** Models servekit can size and serve. */
export const MODEL_NAMES = ["llama-4-scout", "llama-4-maverick"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Weight formats: BF16 originals, FP8 checkpoints and INT4 W4A16 checkpoints. */
export const QUANTIZATIONS = ["bf16", "fp8", "int4"] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

/** GPU models, named by family and memory size. */
export const GPU_TYPES = ["a100-40gb", "a100-80gb", "h100-80gb", "h200-141gb"] as const;
export type GpuType = (typeof GPU_TYPES)[number];

/** EC2 instance types with eight of one of the GPU types above. */
export const INSTANCE_TYPES = [
  "p4d.24xlarge",
  "p4de.24xlarge",
  "p5.48xlarge",
  "p5e.48xlarge",
  "p5en.48xlarge",
] as const;
export type InstanceType = (typeof INSTANCE_TYPES)[number];

/** vLLM `--kv-cache-dtype` values; `auto` stores the KV cache in the model's activation dtype. */
export const KV_CACHE_DTYPES = ["auto", "bf16", "fp8"] as const;
export type KvCacheDtype = (typeof KV_CACHE_DTYPES)[number];

/**
 * EKS managed node group AMI types accepted by the schema. The AL2 type is listed only so that
 * the cross-key check can reject it with a reason: EKS publishes no AL2 AMIs for Kubernetes 1.33+.
 */
export const AMI_TYPES = ["AL2023_x86_64_NVIDIA", "AL2_x86_64_GPU"] as const;

/** EKS Kubernetes minor versions the program accepts (1.32 and 1.33 are in paid extended support). */
export const KUBERNETES_VERSIONS = ["1.32", "1.33", "1.34", "1.35", "1.36"] as const;

/** Context used when the stack sets no `maxModelLen`; capped at the model's own maximum. */
export const DEFAULT_MAX_MODEL_LEN = 32_768;

/** Pinned vLLM OpenAI-compatible server image; Llama 4 needs v0.8.3 or newer. */
export const DEFAULT_VLLM_IMAGE = "vllm/vllm-openai:v0.31.0";

const positiveInt = z.number().int().positive();
const cidr = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/, {
    message:
      "must be an IPv4 CIDR range such as 203.0.113.0/24; write one address as 198.51.100.7/32",
  })
  .refine(
    (value) =>
      value
        .split("/")[0]
        .split(".")
        .every((octet) => Number(octet) <= 255),
    {
      message: "must be an IPv4 CIDR range with octets from 0 to 255",
    },
  );

/** Tells whether a valid IPv4 CIDR range has no host bits set (10.0.0.0/16, not 10.0.0.5/16). */
function isNetworkAddress(range: string): boolean {
  const [address, prefix] = range.split("/");
  const value = address.split(".").reduce((total, octet) => total * 256 + Number(octet), 0);
  const hostBits = 32 - Number(prefix);
  return value % 2 ** hostBits === 0;
}

/** ARN of a KMS key in any AWS partition: arn:aws:kms:<region>:<account>:key/<id>. */
const kmsKeyArn = z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, {
  message: "must be a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-...",
});

/** ARN of an ACM certificate: arn:aws:acm:<region>:<account>:certificate/<id>. */
const certificateArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, {
    message:
      "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/...",
  });

/**
 * AWS tag keys: 1 to 128 characters, not starting with the reserved `aws:` prefix, and not `Name`,
 * which servekit sets on its own resources (AWS "Tagging your AWS resources" rules).
 */
const tagKey = z
  .string()
  .min(1)
  .max(128)
  .refine((key) => !key.toLowerCase().startsWith("aws:"), {
    message: "must not start with aws:, which AWS reserves for its own tags",
  })
  .refine((key) => key !== "Name", { message: "must not be Name, which servekit sets itself" });

const replicasSchema = z
  .strictObject({
    /** Minimum serving replicas; 0 lets KEDA scale the model, and so its GPU nodes, to zero. */
    min: z.number().int().min(0).max(64).default(1),
    /** Most serving replicas; at least 1 and at least `min`. */
    max: z.number().int().min(1).max(64).optional(),
  })
  .default({ min: 1 })
  .transform((replicas) => ({ min: replicas.min, max: replicas.max ?? Math.max(replicas.min, 1) }));

const nodePoolSchema = z
  .strictObject({
    /** Upper bound for the GPU node group; default is what `replicas.max` needs. */
    maxSize: positiveInt.max(256).optional(),
    /** `on-demand` or `spot` GPU capacity. Spot nodes can be reclaimed with two minutes' notice. */
    capacityType: z.enum(["on-demand", "spot"]).default("on-demand"),
    /** GPU node AMI type. */
    amiType: z.enum(AMI_TYPES).default("AL2023_x86_64_NVIDIA"),
    /** Root volume size in GiB; default fits the vLLM image plus the weights with headroom. */
    rootVolumeGiB: positiveInt.min(100).max(16_384).optional(),
  })
  .default({ capacityType: "on-demand", amiType: "AL2023_x86_64_NVIDIA" });

const networkSchema = z
  .strictObject({
    /** Existing VPC to deploy into; when absent a new VPC is created. */
    vpcId: z
      .string()
      .regex(/^vpc-[0-9a-f]+$/, { message: "must look like vpc-0123abcd" })
      .optional(),
    /** Private subnets of `vpcId` in two or more availability zones, for nodes and pods. */
    privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
    /** Public subnets of `vpcId`, needed only for an internet-facing load balancer. */
    publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).optional(),
    /** CIDR range of a new VPC, from /16 to /22 so that every zone gets usable subnets. */
    vpcCidr: cidr
      .refine((value) => Number(value.split("/")[1]) >= 16 && Number(value.split("/")[1]) <= 22, {
        message: "must have a prefix length from /16 to /22, such as 10.0.0.0/16",
      })
      .refine(isNetworkAddress, {
        message: "must start at its network address, with no host bits set, such as 10.0.0.0/16",
      })
      .default("10.0.0.0/16"),
    /** Availability zones a new VPC spans; GPU capacity is per zone, so at least 2. */
    availabilityZoneCount: z.number().int().min(2).max(4).default(2),
  })
  .default({ vpcCidr: "10.0.0.0/16", availabilityZoneCount: 2 });

const clusterSchema = z
  .strictObject({
    /** EKS Kubernetes version. */
    kubernetesVersion: z.enum(KUBERNETES_VERSIONS).default("1.34"),
    /**
     * Client CIDR ranges allowed to reach the public Kubernetes API endpoint. `pulumi up` installs
     * charts through it, so the machine running Pulumi must be inside one of them.
     */
    apiAccessCidrs: z.array(cidr).min(1).optional(),
    /** KMS key for envelope encryption of Kubernetes Secrets; default creates one. */
    secretsKmsKeyArn: kmsKeyArn.optional(),
  })
  .default({ kubernetesVersion: "1.34" });

const loadBalancerSchema = z
  .strictObject({
    /** `internal` (reachable from the VPC only) or `internet-facing`. */
    scheme: z.enum(["internal", "internet-facing"]).default("internal"),
    /** Client CIDR ranges allowed to connect; required for `internet-facing`. */
    sourceRanges: z.array(cidr).default([]),
    /** ACM certificate ARN; when set the load balancer terminates TLS on port 443. */
    certificateArn: certificateArn.optional(),
    /** TCP idle timeout in seconds; long generations need more than the 350 s default. */
    idleTimeoutSeconds: z.number().int().min(60).max(6000).default(3600),
  })
  .default({ scheme: "internal", sourceRanges: [], idleTimeoutSeconds: 3600 });

const autoscalingSchema = z
  .strictObject({
    /** Waiting requests per replica (`vllm:num_requests_waiting`) that KEDA aims for. */
    queueDepthPerReplica: z.number().positive().max(1000).default(5),
    /** Waiting requests that wake a model scaled to zero. */
    activationQueueDepth: z.number().min(0).max(1000).default(1),
    /** Seconds between KEDA's Prometheus queries. */
    pollingIntervalSeconds: z.number().int().min(5).max(600).default(15),
    /** Seconds KEDA waits after the last scale-out signal before scaling in. */
    cooldownPeriodSeconds: z.number().int().min(30).max(86_400).default(600),
  })
  .default({
    queueDepthPerReplica: 5,
    activationQueueDepth: 1,
    pollingIntervalSeconds: 15,
    cooldownPeriodSeconds: 600,
  });

/**
 * Every key of a servekit stack (namespace `servekit:`), with its default. Secrets (`hfToken`,
 * `apiKey`) are read separately because Pulumi stores them encrypted.
 */
export const stackConfigSchema = z.strictObject({
  /** Model to serve. */
  model: z.enum(MODEL_NAMES),
  /** Weight format of the checkpoint to serve. */
  quantization: z.enum(QUANTIZATIONS),
  /** GPU type; when absent the planner picks the cheapest instance type whose replica fits. */
  gpu: z.enum(GPU_TYPES).optional(),
  /** Instance type, to choose between types with the same GPU (p5e or p5en for H200). */
  instanceType: z.enum(INSTANCE_TYPES).optional(),
  /** Tokens per request, prompt plus output (vLLM `--max-model-len`). */
  maxModelLen: positiveInt.max(10_485_760).optional(),
  /** Requests of `maxModelLen` tokens that the KV cache of one replica must hold at once. */
  fullLengthRequests: positiveInt.max(1024).default(1),
  /** KV cache dtype (vLLM `--kv-cache-dtype`). */
  kvCacheDtype: z.enum(KV_CACHE_DTYPES).default("auto"),
  /**
   * Keep only the last attention chunk for Llama 4's chunked-local layers (vLLM hybrid KV cache
   * manager). The kit sets vLLM's switch to this value, so sizing and server agree.
   */
  hybridKvCache: z.boolean().default(true),
  /** Fraction of each GPU's memory vLLM may use (`--gpu-memory-utilization`). */
  gpuMemoryUtilization: z.number().min(0.5).max(0.98).default(0.9),
  /** Tokens per scheduler step (`--max-num-batched-tokens`); activations grow with it. */
  maxNumBatchedTokens: positiveInt.min(512).max(65_536).default(8192),
  /** Tensor-parallel size override; validated against the model's attention heads. */
  tensorParallelSize: positiveInt.optional(),
  /** Pipeline-parallel size override; each stage is one node when above 1. */
  pipelineParallelSize: positiveInt.optional(),
  /** Serving replicas KEDA scales between. */
  replicas: replicasSchema,
  /** GPU node group settings. */
  nodePool: nodePoolSchema,
  /** On-demand prices in USD per instance-hour, replacing or filling in the catalog's. */
  pricesUsdPerHour: z.partialRecord(z.enum(INSTANCE_TYPES), z.number().positive()).default({}),
  /** vLLM server image with a pinned tag. */
  vllmImage: z
    .string()
    .regex(/^[a-z0-9./_-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$/, {
      message: "must be an image reference with a tag or digest, such as vllm/vllm-openai:v0.31.0",
    })
    .refine((image) => !image.endsWith(":latest"), {
      message: "must pin a version; `latest` changes under a running deployment",
    })
    .default(DEFAULT_VLLM_IMAGE),
  /** Model name clients send in the OpenAI `model` field; default is the `model` key. */
  servedModelName: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, {
      message: "must be 1 to 63 lowercase letters, digits, dots, dashes or underscores",
    })
    .optional(),
  /** Seconds the start-up probe allows; default grows with the weights to download and load. */
  startupTimeoutSeconds: z.number().int().min(300).max(14_400).optional(),
  /** Network placement. */
  network: networkSchema,
  /** EKS cluster settings. */
  cluster: clusterSchema,
  /** Load balancer in front of vLLM. */
  loadBalancer: loadBalancerSchema,
  /** KEDA scaling on vLLM's request queue. */
  autoscaling: autoscalingSchema,
  /** Tags added to every AWS resource that takes tags. */
  tags: z.record(tagKey, z.string().max(256)).default({}),
});

/** A stack's settings after parsing, with every default filled in. */
export type StackConfig = z.output<typeof stackConfigSchema>;

/** Keys that hold Pulumi secrets and never appear in `StackConfig`. */
export const SECRET_KEYS = ["hfToken", "apiKey"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];
