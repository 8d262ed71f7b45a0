import { describe, expect, it } from "vitest";
import { plan, problems } from "./helpers";

/**
 * Context limits vLLM published for 8 GPUs at TP 8 with vLLM 0.8.3 ("Llama 4 in vLLM",
 * https://blog.vllm.ai/2025/04/05/llama4.html), before the hybrid KV cache existed. They were
 * chosen with headroom, so the model must predict at least each figure and at most 1.6 times it.
 */
const PUBLISHED = [
  { model: "llama-4-scout", quantization: "bf16", gpu: "h100-80gb", tokens: 1_000_000 },
  { model: "llama-4-scout", quantization: "bf16", gpu: "h200-141gb", tokens: 3_600_000 },
  { model: "llama-4-maverick", quantization: "fp8", gpu: "h100-80gb", tokens: 430_000 },
];

const MAX_RATIO = 1.6;

describe("published vLLM context limits", () => {
  for (const reference of PUBLISHED) {
    const keys = {
      model: reference.model,
      quantization: reference.quantization,
      gpu: reference.gpu,
      tensorParallelSize: 8,
      hybridKvCache: false,
    };
    const name = `${reference.model} ${reference.quantization} on 8 × ${reference.gpu}`;

    it(`${name} holds the published context`, () => {
      const result = plan({ ...keys, maxModelLen: reference.tokens });
      expect(result.parallelism.gpusPerReplica).toBe(8);
      expect(result.context.kvCacheTokens).toBeGreaterThanOrEqual(reference.tokens);
      expect(result.context.maxFeasibleModelLen).toBeGreaterThanOrEqual(reference.tokens);
    });

    it(`${name} stays within ${MAX_RATIO} × published`, () => {
      const result = plan(keys);
      expect(result.context.kvCacheTokens / reference.tokens).toBeLessThanOrEqual(MAX_RATIO);
    });
  }

  it("predicts the measured token counts", () => {
    // The numbers docs/sizing.md quotes; a change here must update that page.
    const tokens = PUBLISHED.map(
      (reference) =>
        plan({
          model: reference.model,
          quantization: reference.quantization,
          gpu: reference.gpu,
          tensorParallelSize: 8,
          hybridKvCache: false,
        }).context.kvCacheTokens,
    );
    expect(tokens).toEqual([1_544_157, 3_934_910, 528_430]);
  });

  it("serves Maverick FP8 on 8 × H200", () => {
    // The published 1M is the model's maximum, not a memory limit, so no ratio is checked.
    const result = plan({
      model: "llama-4-maverick",
      quantization: "fp8",
      gpu: "h200-141gb",
      tensorParallelSize: 8,
      hybridKvCache: false,
      maxModelLen: 1_000_000,
    });
    expect(result.context.maxFeasibleModelLen).toBe(1_048_576);
    expect(result.context.kvCacheTokens).toBe(2_919_183);
  });

  it("rejects a context above the prediction", () => {
    const found = problems({
      model: "llama-4-scout",
      quantization: "bf16",
      gpu: "h100-80gb",
      tensorParallelSize: 8,
      pipelineParallelSize: 1,
      hybridKvCache: false,
      maxModelLen: 1_544_158,
    });
    expect(found.map((problem) => problem.path)).toEqual(["maxModelLen"]);
    expect(found[0].message).toContain("1,544,157");
  });
});
