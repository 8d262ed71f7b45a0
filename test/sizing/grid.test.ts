import { describe, expect, it } from "vitest";
import { GPU_TYPES, MODEL_NAMES, QUANTIZATIONS } from "../../config/schema";
import { checkpointFor } from "../../sizing/catalog/checkpoints";
import { GPUS } from "../../sizing/catalog/gpus";
import { MODELS, allowedTensorParallelSizes } from "../../sizing/catalog/models";
import { gpuRunsCheckpoint } from "../../sizing/compatibility";
import { planDeployment } from "../../sizing/planner";
import { evaluateLayout, memoryInputs } from "../../sizing/search";
import { stack } from "./helpers";

/**
 * Expected layouts at the defaults (gpuMemoryUtilization 0.9, maxModelLen 32,768, hybrid KV
 * cache on, BF16 KV cache), worked out by hand from the memory model:
 *
 * room per GPU = 0.9 × memory − 11 GiB: A100 40 GB 25.0, A100 80 GB 61.0, H100 60.6, H200 115.4.
 * weights (GiB) = GB × 10^9 / 2^30: Scout 202.4 / 104.3 / 55.9, Maverick 747.9 / 388.4 / 197.4
 * for bf16 / fp8 / int4. One request of 32,768 tokens needs 4,096 B × (12 × 32,768 + 36 ×
 * 16,384) = 3.75 GiB of KV cache over all 48 layers.
 *
 * The smallest of 1, 2, 4, 8, 16, 24, 32 GPUs with weights ÷ GPUs < room and a KV pool of at
 * least 3.75 GiB (divided by the pipeline stages) wins. Close calls: Scout BF16 on 8 × A100 40 GB
 * needs 25.3 GiB per GPU against 25.0, so it takes two nodes; Maverick INT4 on 8 × A100 40 GB
 * leaves 8 × 0.32 = 2.6 GiB of KV cache, short of 3.75, so it takes two nodes too.
 */
const EXPECTED: Record<
  string,
  { tensor: number; pipeline: number; replicasPerNode: number } | "gpu"
> = {
  "llama-4-scout bf16 a100-40gb": { tensor: 8, pipeline: 2, replicasPerNode: 1 },
  "llama-4-scout bf16 a100-80gb": { tensor: 4, pipeline: 1, replicasPerNode: 2 },
  "llama-4-scout bf16 h100-80gb": { tensor: 4, pipeline: 1, replicasPerNode: 2 },
  "llama-4-scout bf16 h200-141gb": { tensor: 2, pipeline: 1, replicasPerNode: 4 },
  "llama-4-scout fp8 a100-40gb": "gpu",
  "llama-4-scout fp8 a100-80gb": "gpu",
  "llama-4-scout fp8 h100-80gb": { tensor: 2, pipeline: 1, replicasPerNode: 4 },
  "llama-4-scout fp8 h200-141gb": { tensor: 1, pipeline: 1, replicasPerNode: 8 },
  "llama-4-scout int4 a100-40gb": { tensor: 4, pipeline: 1, replicasPerNode: 2 },
  "llama-4-scout int4 a100-80gb": { tensor: 1, pipeline: 1, replicasPerNode: 8 },
  "llama-4-scout int4 h100-80gb": { tensor: 1, pipeline: 1, replicasPerNode: 8 },
  "llama-4-scout int4 h200-141gb": { tensor: 1, pipeline: 1, replicasPerNode: 8 },
  "llama-4-maverick bf16 a100-40gb": { tensor: 8, pipeline: 4, replicasPerNode: 1 },
  "llama-4-maverick bf16 a100-80gb": { tensor: 8, pipeline: 2, replicasPerNode: 1 },
  "llama-4-maverick bf16 h100-80gb": { tensor: 8, pipeline: 2, replicasPerNode: 1 },
  "llama-4-maverick bf16 h200-141gb": { tensor: 8, pipeline: 1, replicasPerNode: 1 },
  "llama-4-maverick fp8 a100-40gb": "gpu",
  "llama-4-maverick fp8 a100-80gb": "gpu",
  "llama-4-maverick fp8 h100-80gb": { tensor: 8, pipeline: 1, replicasPerNode: 1 },
  "llama-4-maverick fp8 h200-141gb": { tensor: 4, pipeline: 1, replicasPerNode: 2 },
  "llama-4-maverick int4 a100-40gb": { tensor: 8, pipeline: 2, replicasPerNode: 1 },
  "llama-4-maverick int4 a100-80gb": { tensor: 4, pipeline: 1, replicasPerNode: 2 },
  "llama-4-maverick int4 h100-80gb": { tensor: 4, pipeline: 1, replicasPerNode: 2 },
  "llama-4-maverick int4 h200-141gb": { tensor: 2, pipeline: 1, replicasPerNode: 4 },
};

/**
 * Instance type chosen when `gpu` is not set, at the default replicas {min: 1, max: 1}: the
 * cheapest node pool for one replica, which is the node price × the nodes one replica spans. From
 * the layouts above and the catalog prices in USD per node-hour (p4d 21.96, p4de 27.45, p5 55.04,
 * p5en 63.30; p5e has no price and ranks last):
 *
 * - Scout BF16: p4de TP 4 27.45, p4d TP 8 × PP 2 2 × 21.96 = 43.92, p5 55.04, p5en 63.30.
 * - Scout FP8: p5 TP 2 55.04, p5en TP 1 63.30 (A100 cannot run FP8).
 * - Scout INT4: p4d TP 4 21.96, p4de 27.45, p5 55.04, p5en 63.30.
 * - Maverick BF16: p4de TP 8 × PP 2 2 × 27.45 = 54.90, p5en TP 8 63.30, p4d PP 4 87.84, p5 PP 2
 *   110.08.
 * - Maverick FP8: p5 TP 8 55.04, p5en TP 4 63.30.
 * - Maverick INT4: p4de TP 4 27.45, p4d TP 8 × PP 2 43.92, p5 55.04, p5en 63.30.
 */
const CHEAPEST: Record<string, { instanceType: string; tensor: number; pipeline: number }> = {
  "llama-4-scout bf16": { instanceType: "p4de.24xlarge", tensor: 4, pipeline: 1 },
  "llama-4-scout fp8": { instanceType: "p5.48xlarge", tensor: 2, pipeline: 1 },
  "llama-4-scout int4": { instanceType: "p4d.24xlarge", tensor: 4, pipeline: 1 },
  "llama-4-maverick bf16": { instanceType: "p4de.24xlarge", tensor: 8, pipeline: 2 },
  "llama-4-maverick fp8": { instanceType: "p5.48xlarge", tensor: 8, pipeline: 1 },
  "llama-4-maverick int4": { instanceType: "p4de.24xlarge", tensor: 4, pipeline: 1 },
};

describe("grid of model × quantization × GPU", () => {
  for (const [key, expected] of Object.entries(EXPECTED)) {
    const [model, quantization, gpu] = key.split(" ");
    it(key, () => {
      const result = planDeployment(stack({ model, quantization, gpu }));
      if (expected === "gpu") {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.problems.map((p) => p.path)).toEqual(["quantization"]);
        return;
      }
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const { parallelism } = result.plan;
      expect(parallelism.tensor).toBe(expected.tensor);
      expect(parallelism.pipeline).toBe(expected.pipeline);
      expect(parallelism.nodesPerReplica).toBe(expected.pipeline);
      expect(parallelism.replicasPerNode).toBe(expected.replicasPerNode);
      expect(parallelism.gpusPerReplica).toBe(expected.tensor * expected.pipeline);
      expect(parallelism.tensor).toBeLessThanOrEqual(8);
    });
  }

  for (const [key, expected] of Object.entries(CHEAPEST)) {
    const [model, quantization] = key.split(" ");
    it(`${key} without gpu picks ${expected.instanceType}`, () => {
      const result = planDeployment(stack({ model, quantization }));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.plan.gpu.instanceType).toBe(expected.instanceType);
      expect(result.plan.parallelism.tensor).toBe(expected.tensor);
      expect(result.plan.parallelism.pipeline).toBe(expected.pipeline);
    });
  }
});

/** Settings that move the layouts around, to exercise the search beyond the defaults. */
const VARIANTS: Record<string, unknown>[] = [
  {},
  { hybridKvCache: false },
  { maxModelLen: 1_000_000 },
  { maxModelLen: 1_000_000, hybridKvCache: false },
  { maxModelLen: 200_000, fullLengthRequests: 8 },
  { gpuMemoryUtilization: 0.6 },
  { gpuMemoryUtilization: 0.5 },
  { maxModelLen: 1_048_576, fullLengthRequests: 64 },
  { kvCacheDtype: "fp8", maxModelLen: 500_000, hybridKvCache: false },
];

describe("planner against brute force", () => {
  for (const model of MODEL_NAMES) {
    for (const quantization of QUANTIZATIONS) {
      it(`${model} ${quantization} never uses more GPUs than needed`, () => {
        let compared = 0;
        for (const gpu of GPU_TYPES) {
          for (const variant of VARIANTS) {
            if (checkAgainstBruteForce({ model, quantization, gpu, ...variant })) compared++;
          }
        }
        // Every pair fits some GPU, so at least one plan must reach the GPU count check.
        expect(compared).toBeGreaterThan(0);
      });
    }
  }
});

/**
 * Tries every allowed (TP, PP) and compares the smallest that fits with the planner's choice.
 * Returns whether a plan was found and its GPU count compared.
 */
function checkAgainstBruteForce(keys: Record<string, unknown>): boolean {
  const config = stack(keys);
  const model = MODELS[config.model];
  const checkpoint = checkpointFor(config.model, config.quantization);
  const gpu = GPUS[config.gpu!];
  const label = JSON.stringify(keys);
  const demand = {
    maxModelLen: config.maxModelLen ?? 32_768,
    requests: config.fullLengthRequests,
  };
  const inputs = memoryInputs(config, model, checkpoint, gpu);
  const runs =
    gpuRunsCheckpoint(gpu, checkpoint) && (config.kvCacheDtype !== "fp8" || gpu.fp8KvCache);

  let smallest = Infinity;
  for (const tensor of allowedTensorParallelSizes(model)) {
    for (let pipeline = 1; pipeline <= 8; pipeline++) {
      if (pipeline > 1 && tensor !== 8) continue;
      if (evaluateLayout(inputs, { tensor, pipeline }, demand).fitsContext) {
        smallest = Math.min(smallest, tensor * pipeline);
      }
    }
  }

  const result = planDeployment(config);
  if (!runs || smallest === Infinity) {
    expect(result.ok, label).toBe(false);
    return false;
  }
  expect(result.ok, label).toBe(true);
  if (result.ok)
    expect(result.plan.parallelism.gpusPerReplica, label).toBeLessThanOrEqual(smallest);
  return result.ok;
}
