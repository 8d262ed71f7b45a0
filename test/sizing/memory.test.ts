import { describe, expect, it } from "vitest";
import { MODELS } from "../../sizing/catalog/models";
import {
  OVERHEAD_GIB_PER_GPU,
  kvBytesPerTokenPerLayer,
  kvCacheTokens,
  largestStage,
  layoutMemory,
  maxRequestTokens,
  requestKvBytes,
  type MemoryInputs,
} from "../../sizing/memory";

const scout = MODELS["llama-4-scout"];

const inputs = (changes: Partial<MemoryInputs> = {}): MemoryInputs => ({
  model: scout,
  weightsGiB: 202.375,
  gpuMemoryGiB: 79.6,
  gpuMemoryUtilization: 0.9,
  kvBytesPerElement: 2,
  hybridKvCache: true,
  maxNumBatchedTokens: 8192,
  ...changes,
});

describe("KV bytes per token", () => {
  it("is 4,096 B per layer in BF16", () => {
    expect(kvBytesPerTokenPerLayer(scout, 2)).toBe(4096);
  });

  it("is 2,048 B per layer in FP8", () => {
    expect(kvBytesPerTokenPerLayer(scout, 1)).toBe(2048);
  });

  it("is 192 KiB over 48 layers without the hybrid cache", () => {
    const memory = layoutMemory(inputs({ hybridKvCache: false }), { tensor: 8, pipeline: 1 });
    expect(requestKvBytes(inputs({ hybridKvCache: false }), memory, 1)).toBe(192 * 1024);
  });
});

describe("hybrid KV cache", () => {
  const memory = layoutMemory(inputs(), { tensor: 8, pipeline: 1 });

  it("charges all layers up to the window", () => {
    expect(requestKvBytes(inputs(), memory, 16_384)).toBe(48 * 4096 * 16_384);
  });

  it("charges only global layers past the window", () => {
    const expected = 4096 * (12 * 1_000_000 + 36 * 16_384);
    expect(requestKvBytes(inputs(), memory, 1_000_000)).toBe(expected);
  });

  it("widens the window with maxNumBatchedTokens", () => {
    const wide = inputs({ maxNumBatchedTokens: 16_384 });
    expect(requestKvBytes(wide, memory, 100_000)).toBe(4096 * (12 * 100_000 + 36 * 24_576));
  });

  it("fits longer requests than the full cache", () => {
    const full = inputs({ hybridKvCache: false });
    const fullMemory = layoutMemory(full, { tensor: 8, pipeline: 1 });
    const hybridTokens = maxRequestTokens(inputs(), memory);
    const fullTokens = maxRequestTokens(full, fullMemory);
    expect(hybridTokens / fullTokens).toBeGreaterThan(3.5);
  });
});

describe("per-GPU budget", () => {
  it("splits H100 memory for Scout BF16 at TP 8", () => {
    const memory = layoutMemory(inputs(), { tensor: 8, pipeline: 1 });
    expect(memory.usableGiB).toBeCloseTo(71.64, 2);
    expect(memory.weightsGiB).toBeCloseTo(25.297, 3);
    expect(memory.overheadGiB).toBe(OVERHEAD_GIB_PER_GPU);
    expect(memory.kvCacheGiB).toBeCloseTo(71.64 - 25.297 - 11, 3);
  });

  it("goes negative when the weights do not fit", () => {
    const memory = layoutMemory(inputs(), { tensor: 2, pipeline: 1 });
    expect(memory.kvCacheGiB).toBeLessThan(0);
    expect(memory.stageKvPoolBytes).toBe(0);
    expect(maxRequestTokens(inputs(), memory)).toBe(0);
  });
});

describe("pipeline stages", () => {
  const cases: [number, number, number][] = [
    [1, 48, 12],
    [2, 24, 6],
    [3, 16, 4],
    [4, 12, 3],
    [5, 10, 3],
    [6, 8, 2],
    [7, 7, 2],
    [8, 6, 2],
  ];
  for (const [pipeline, layers, globalLayers] of cases) {
    it(`PP ${pipeline} has ${layers} layers and ${globalLayers} global in its largest stage`, () => {
      expect(largestStage(scout, pipeline)).toEqual({ layers, globalLayers });
    });
  }

  it("counts PP 2 tokens per stage", () => {
    const full = inputs({ hybridKvCache: false });
    const memory = layoutMemory(full, { tensor: 8, pipeline: 2 });
    const perGpu = 71.64 - 202.375 / 16 - 11;
    const tokens = (8 * perGpu * 2 ** 30) / (24 * 4096);
    expect(kvCacheTokens(full, memory, 32_768)).toBe(Math.floor(tokens));
  });
});

describe("largest request", () => {
  for (const hybridKvCache of [true, false]) {
    for (const requests of [1, 3]) {
      it(`is tight with hybrid ${hybridKvCache} and ${requests} requests`, () => {
        const settings = inputs({ hybridKvCache });
        const memory = layoutMemory(settings, { tensor: 4, pipeline: 1 });
        const tokens = maxRequestTokens(settings, memory, requests);
        const fits = (length: number) =>
          requests * requestKvBytes(settings, memory, length) <= memory.stageKvPoolBytes;
        expect(fits(tokens)).toBe(true);
        expect(fits(tokens + 1)).toBe(false);
      });
    }
  }

  it("is capped at the model maximum", () => {
    const settings = inputs({ gpuMemoryGiB: 140.4 });
    const memory = layoutMemory(settings, { tensor: 8, pipeline: 2 });
    expect(maxRequestTokens(settings, memory)).toBe(scout.maxModelLen);
  });
});
