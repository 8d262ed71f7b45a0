import type { ModelName } from "../../config/schema";
import { CATALOG_CHECKED, type Source } from "./source";

/** Architecture of one Llama 4 model, as far as sizing needs it. */
export interface ModelSpec {
  name: ModelName;
  displayName: string;
  /** Total parameters, including every expert and the vision encoder. */
  totalParameters: number;
  /** Parameters used per token (one routed expert plus the shared expert). */
  activeParameters: number;
  /** Decoder layers (`num_hidden_layers`). */
  layers: number;
  /** Hidden size (`hidden_size`). */
  hiddenSize: number;
  /** Query heads per layer (`num_attention_heads`), which tensor parallel must divide. */
  attentionHeads: number;
  /** Key/value heads per layer (`num_key_value_heads`), which tensor parallel must divide too. */
  kvHeads: number;
  /** Dimension of one attention head (`head_dim`). */
  headDim: number;
  /**
   * Every n-th layer, counting from 1, is a global-attention layer without RoPE
   * (`no_rope_layer_interval`). The other layers attend only within their chunk.
   */
  globalLayerInterval: number;
  /** Layers with global attention, which keep the KV cache of every token of a request. */
  globalLayers: number;
  /** Layers with chunked-local attention, which need only the current chunk. */
  chunkedLocalLayers: number;
  /** Tokens per attention chunk of the chunked-local layers (`attention_chunk_size`). */
  attentionChunkTokens: number;
  /** Routed experts per MoE layer (`num_local_experts`). */
  routedExperts: number;
  /** Routed experts each token uses (`num_experts_per_tok`). */
  expertsPerToken: number;
  /** Shared experts every token also uses. */
  sharedExperts: number;
  /** Layers whose feed-forward block is a mixture of experts. */
  moeLayers: number;
  /** Vocabulary size (`vocab_size`). */
  vocabSize: number;
  /** Maximum context in tokens (`max_position_embeddings`). */
  maxModelLen: number;
  sources: Source[];
}

const MODEL_CARD: Source = {
  url: "https://github.com/meta-llama/llama-models/blob/main/models/llama4/MODEL_CARD.md",
  checked: CATALOG_CHECKED,
  note: "parameter counts, experts, context lengths",
};

const VLLM_LLAMA4: Source = {
  url: "https://github.com/vllm-project/vllm/blob/main/vllm/model_executor/models/llama4.py",
  checked: CATALOG_CHECKED,
  note: "NoPE layers use global attention, the others chunked-local attention",
};

const TRANSFORMERS_LLAMA4: Source = {
  url: "https://huggingface.co/docs/transformers/model_doc/llama4",
  checked: CATALOG_CHECKED,
  note: "no_rope_layer_interval 4, attention_chunk_size 8192",
};

/** Text decoder shape shared by Scout and Maverick (same layers, heads and attention mix). */
const LLAMA4_DECODER = {
  layers: 48,
  hiddenSize: 5120,
  attentionHeads: 40,
  kvHeads: 8,
  headDim: 128,
  globalLayerInterval: 4,
  globalLayers: 12,
  chunkedLocalLayers: 36,
  attentionChunkTokens: 8192,
  expertsPerToken: 1,
  sharedExperts: 1,
  vocabSize: 202_048,
};

/** Llama 4 models servekit serves, keyed by the stack's `model` value. */
export const MODELS: Record<ModelName, ModelSpec> = {
  "llama-4-scout": {
    name: "llama-4-scout",
    displayName: "Llama 4 Scout 17B-16E",
    totalParameters: 108_641_793_536,
    activeParameters: 17_200_000_000,
    ...LLAMA4_DECODER,
    routedExperts: 16,
    moeLayers: 48,
    maxModelLen: 10_485_760,
    sources: [
      MODEL_CARD,
      {
        url: "https://huggingface.co/api/models/meta-llama/Llama-4-Scout-17B-16E-Instruct",
        checked: CATALOG_CHECKED,
        note: "108,641,793,536 parameters; config max_position_embeddings 10,485,760",
      },
      VLLM_LLAMA4,
      TRANSFORMERS_LLAMA4,
    ],
  },
  "llama-4-maverick": {
    name: "llama-4-maverick",
    displayName: "Llama 4 Maverick 17B-128E",
    totalParameters: 401_600_000_000,
    activeParameters: 17_200_000_000,
    ...LLAMA4_DECODER,
    routedExperts: 128,
    // Maverick alternates dense and MoE feed-forward blocks.
    moeLayers: 24,
    maxModelLen: 1_048_576,
    sources: [
      MODEL_CARD,
      {
        url: "https://huggingface.co/meta-llama/Llama-4-Maverick-17B-128E-Instruct",
        checked: CATALOG_CHECKED,
        note: "about 402B parameters; config max_position_embeddings 1,048,576",
      },
      VLLM_LLAMA4,
      TRANSFORMERS_LLAMA4,
    ],
  },
};

/**
 * Lists the tensor-parallel sizes vLLM accepts for a model, smallest first. vLLM rejects a size
 * that does not divide the attention heads, and Llama 4 attention also splits the KV heads
 * evenly, so the sizes are the common divisors of both (1, 2, 4 and 8 for Llama 4).
 */
export function allowedTensorParallelSizes(model: ModelSpec): number[] {
  const sizes: number[] = [];
  for (let size = 1; size <= model.kvHeads; size++) {
    if (model.attentionHeads % size === 0 && model.kvHeads % size === 0) sizes.push(size);
  }
  return sizes;
}
