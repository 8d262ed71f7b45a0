import { describe, expect, it } from "vitest";
import { GPU_TYPES, INSTANCE_TYPES, MODEL_NAMES, QUANTIZATIONS } from "../../config/schema";
import { CHECKPOINTS, checkpointFor } from "../../sizing/catalog/checkpoints";
import { GPUS } from "../../sizing/catalog/gpus";
import { INSTANCES } from "../../sizing/catalog/instances";
import { MODELS, allowedTensorParallelSizes } from "../../sizing/catalog/models";
import type { Source } from "../../sizing/catalog/source";

function expectSource(source: Source): void {
  expect(source.url).toMatch(/^https:\/\//);
  expect(source.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
}

describe("model catalog", () => {
  for (const name of MODEL_NAMES) {
    it(`${name} has the Llama 4 decoder shape`, () => {
      const model = MODELS[name];
      expect(model.layers).toBe(48);
      expect(model.attentionHeads).toBe(40);
      expect(model.kvHeads).toBe(8);
      expect(model.headDim).toBe(128);
      expect(model.globalLayers + model.chunkedLocalLayers).toBe(model.layers);
      expect(model.layers / model.globalLayerInterval).toBe(model.globalLayers);
      expect(model.attentionChunkTokens).toBe(8192);
      expect(model.vocabSize).toBe(202_048);
      model.sources.forEach(expectSource);
    });

    it(`${name} allows TP 1, 2, 4 and 8`, () => {
      expect(allowedTensorParallelSizes(MODELS[name])).toEqual([1, 2, 4, 8]);
    });
  }

  it("has the published maximum contexts", () => {
    expect(MODELS["llama-4-scout"].maxModelLen).toBe(10_485_760);
    expect(MODELS["llama-4-maverick"].maxModelLen).toBe(1_048_576);
  });
});

describe("checkpoint catalog", () => {
  it("converts decimal GB to GiB", () => {
    expect(checkpointFor("llama-4-scout", "bf16").weightsGiB).toBeCloseTo(202.38, 2);
    expect(checkpointFor("llama-4-maverick", "bf16").weightsGiB).toBeCloseTo(747.85, 2);
  });

  it("uses Meta's own FP8 checkpoint for Maverick", () => {
    expect(CHECKPOINTS["llama-4-maverick"].fp8.huggingFaceId).toBe(
      "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
    );
  });

  for (const model of MODEL_NAMES) {
    for (const quantization of QUANTIZATIONS) {
      it(`${model} ${quantization} is sourced and sized by format`, () => {
        const spec = CHECKPOINTS[model][quantization];
        expectSource(spec.source);
        expect(spec.weightsGB).toBeGreaterThan(0);
        if (spec.weightsEstimated) expect(spec.source.note).toMatch(/estimate/);
        const bf16 = CHECKPOINTS[model].bf16.weightsGB;
        if (quantization !== "bf16") expect(spec.weightsGB).toBeLessThan(bf16);
      });
    }
  }
});

describe("GPU catalog", () => {
  it("A100 lacks FP8 MoE and KV cache", () => {
    for (const type of ["a100-40gb", "a100-80gb"] as const) {
      expect(GPUS[type].computeCapability).toBe(8.0);
      expect(GPUS[type].fp8MoE).toBe(false);
      expect(GPUS[type].fp8KvCache).toBe(false);
      expect(GPUS[type].marlinInt4).toBe(true);
    }
  });

  it("Hopper runs every format", () => {
    for (const type of ["h100-80gb", "h200-141gb"] as const) {
      expect(GPUS[type].computeCapability).toBe(9.0);
      expect(GPUS[type].fp8MoE).toBe(true);
      expect(GPUS[type].fp8KvCache).toBe(true);
    }
  });

  for (const type of GPU_TYPES) {
    it(`${type} memory is a marked estimate`, () => {
      expect(GPUS[type].memoryEstimated).toBe(true);
      GPUS[type].sources.forEach(expectSource);
    });
  }
});

describe("instance catalog", () => {
  for (const type of INSTANCE_TYPES) {
    it(`${type} has eight GPUs and a sourced price`, () => {
      const instance = INSTANCES[type];
      expect(instance.gpusPerNode).toBe(8);
      expect(instance.onDemand.region).toBe("us-east-1");
      expectSource(instance.onDemand.source);
      instance.sources.forEach(expectSource);
    });
  }

  it("leaves the unknown p5e price null", () => {
    expect(INSTANCES["p5e.48xlarge"].onDemand.usdPerHour).toBeNull();
    expect(INSTANCES["p5e.48xlarge"].onDemand.listedAt).toBeNull();
  });

  it("has the catalog prices", () => {
    expect(INSTANCES["p4d.24xlarge"].onDemand.usdPerHour).toBe(21.96);
    expect(INSTANCES["p4de.24xlarge"].onDemand.usdPerHour).toBe(27.45);
    expect(INSTANCES["p5.48xlarge"].onDemand.usdPerHour).toBe(55.04);
    expect(INSTANCES["p5en.48xlarge"].onDemand.usdPerHour).toBe(63.3);
  });
});
