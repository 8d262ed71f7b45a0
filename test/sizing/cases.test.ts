import { describe, expect, it } from "vitest";
import { parseStackConfig } from "../../config/parse";
import { plan, problems } from "./helpers";

const SCOUT_BF16_H100 = { model: "llama-4-scout", quantization: "bf16", gpu: "h100-80gb" };
const MAVERICK_FP8_H100 = { model: "llama-4-maverick", quantization: "fp8", gpu: "h100-80gb" };
const MAVERICK_BF16_H100 = { model: "llama-4-maverick", quantization: "bf16", gpu: "h100-80gb" };

describe("Scout BF16 on two GPUs", () => {
  it("rejects tensorParallelSize 2 on H100", () => {
    const found = problems({ ...SCOUT_BF16_H100, tensorParallelSize: 2 });
    expect(found.map((problem) => problem.path)).toEqual(["tensorParallelSize"]);
    // 217.3 GB = 202.4 GiB of weights; 0.9 × 79.6 GiB − 11 GiB = 60.6 GiB per GPU.
    expect(found[0].message).toContain("about 202 GiB of weights");
    expect(found[0].message).toContain("2 × 60.6 GiB left after overhead");
    expect(found[0].message).toContain("tensorParallelSize 4 or more");
    expect(found[0].message).toContain("fp8 or int4");
  });

  it("picks TP 4 without the override", () => {
    const result = plan(SCOUT_BF16_H100);
    expect(result.parallelism.tensor).toBe(4);
    expect(result.parallelism.pipeline).toBe(1);
    expect(result.parallelism.gpusPerReplica).toBe(4);
  });
});

describe("Maverick FP8 on A100", () => {
  for (const gpu of ["a100-80gb", "a100-40gb"]) {
    it(`rejects fp8 on ${gpu} and names alternatives`, () => {
      const found = problems({ model: "llama-4-maverick", quantization: "fp8", gpu });
      expect(found.map((problem) => problem.path)).toEqual(["quantization"]);
      const message = found[0].message;
      expect(message).toContain("FP8 fused-MoE kernel");
      expect(message).toContain("compute capability 8.9 or newer");
      expect(message).toContain("Hopper is 9.0");
      expect(message).toContain("has 8.0");
      expect(message).toContain("h100-80gb or h200-141gb");
      expect(message).toContain(`keep ${gpu} with quantization bf16 or int4`);
    });
  }

  it("rejects Scout FP8 on A100 too", () => {
    const found = problems({ model: "llama-4-scout", quantization: "fp8", gpu: "a100-80gb" });
    expect(found.map((problem) => problem.path)).toEqual(["quantization"]);
  });

  it("rejects an FP8 KV cache on A100", () => {
    const found = problems({
      model: "llama-4-scout",
      quantization: "int4",
      gpu: "a100-80gb",
      kvCacheDtype: "fp8",
    });
    expect(found.map((problem) => problem.path)).toEqual(["kvCacheDtype"]);
    expect(found[0].message).toContain("FlashAttention 2");
    expect(found[0].message).toContain("Set kvCacheDtype to auto");
  });

  it("lists both A100 problems at once", () => {
    const found = problems({
      model: "llama-4-maverick",
      quantization: "fp8",
      gpu: "a100-80gb",
      kvCacheDtype: "fp8",
    });
    expect(found.map((problem) => problem.path)).toEqual(["quantization", "kvCacheDtype"]);
  });
});

describe("context left at the model maximum", () => {
  it("defaults maxModelLen to 32,768 for Scout", () => {
    const result = plan(SCOUT_BF16_H100);
    expect(result.context.maxModelLen).toBe(32_768);
    expect(result.context.maxModelLen).not.toBe(10_485_760);
    expect(result.context.modelMaxLen).toBe(10_485_760);
  });

  it("defaults maxModelLen to 32,768 for Maverick", () => {
    expect(plan(MAVERICK_FP8_H100).context.maxModelLen).toBe(32_768);
  });

  it("rejects maxModelLen above the largest fit", () => {
    const keys = { ...MAVERICK_FP8_H100, tensorParallelSize: 8, pipelineParallelSize: 1 };
    const found = problems({ ...keys, hybridKvCache: false, maxModelLen: 1_000_000 });
    expect(found.map((problem) => problem.path)).toEqual(["maxModelLen"]);
    expect(found[0].message).toContain("is 1,000,000, which does not fit");
    expect(found[0].message).toContain("set maxModelLen to at most 528,430");
    expect(found[0].message).toContain("set hybridKvCache to true");
  });

  it("fits full Maverick context with hybrid cache", () => {
    const keys = { ...MAVERICK_FP8_H100, tensorParallelSize: 8, pipelineParallelSize: 1 };
    expect(plan({ ...keys, maxModelLen: 1_000_000 }).context.maxFeasibleModelLen).toBe(1_048_576);
  });

  it("accepts exactly the largest maxModelLen it quotes", () => {
    const result = plan({
      ...MAVERICK_FP8_H100,
      tensorParallelSize: 8,
      pipelineParallelSize: 1,
      hybridKvCache: false,
      maxModelLen: 528_430,
    });
    expect(result.context.maxFeasibleModelLen).toBe(528_430);
  });

  it("rejects a maxModelLen above the model's maximum", () => {
    const found = problems({ ...MAVERICK_FP8_H100, maxModelLen: 2_000_000 });
    expect(found.map((problem) => problem.path)).toEqual(["maxModelLen"]);
    expect(found[0].message).toContain("maximum context of 1,048,576 tokens");
  });

  it("rejects requests beyond every layout", () => {
    const found = problems({
      ...MAVERICK_FP8_H100,
      maxModelLen: 1_048_576,
      fullLengthRequests: 64,
    });
    expect(found.map((problem) => problem.path)).toEqual(["maxModelLen"]);
    expect(found[0].message).toContain("fits 64 concurrent requests of at most");
    expect(found[0].message).toContain("lower fullLengthRequests");
    expect(found[0].message).toMatch(/set maxModelLen to at most [\d,]+/);
  });
});

describe("TP that does not divide the heads", () => {
  it("rejects TP 16 and suggests TP 8 × PP 2", () => {
    const found = problems({ ...SCOUT_BF16_H100, tensorParallelSize: 16 });
    expect(found.map((problem) => problem.path)).toEqual(["tensorParallelSize"]);
    const message = found[0].message;
    expect(message).toContain("40 attention heads are not divisible by 16");
    expect(message).toContain("TP 8 with pipeline parallel 2 across two nodes");
    expect(message).toContain("set tensorParallelSize to 8 and pipelineParallelSize to 2");
  });

  it("rejects TP 5 for the KV heads", () => {
    const found = problems({ ...SCOUT_BF16_H100, tensorParallelSize: 5 });
    expect(found[0].message).toContain("8 KV heads are not divisible by 5");
    expect(found[0].message).toContain("1, 2, 4 and 8");
  });

  it("rejects PP without full-node TP", () => {
    const found = problems({
      ...MAVERICK_BF16_H100,
      tensorParallelSize: 4,
      pipelineParallelSize: 2,
    });
    expect(found.map((problem) => problem.path)).toEqual(["tensorParallelSize"]);
    expect(found[0].message).toContain("set tensorParallelSize to 8");
  });

  it("rejects more than eight pipeline stages", () => {
    const found = problems({ ...MAVERICK_BF16_H100, pipelineParallelSize: 9 });
    expect(found.map((problem) => problem.path)).toEqual(["pipelineParallelSize"]);
    expect(found[0].message).toContain("at most 8 nodes per replica");
  });

  it("accepts TP 8 × PP 2 as written", () => {
    const result = plan({ ...SCOUT_BF16_H100, tensorParallelSize: 8, pipelineParallelSize: 2 });
    expect(result.parallelism.tensor).toBe(8);
    expect(result.parallelism.pipeline).toBe(2);
    expect(result.parallelism.nodesPerReplica).toBe(2);
  });
});

describe("fractional or missing GPU requests", () => {
  for (const value of [0.5, 0, "2"]) {
    it(`rejects tensorParallelSize ${JSON.stringify(value)}`, () => {
      const parsed = parseStackConfig({
        ...SCOUT_BF16_H100,
        cluster: { apiAccessCidrs: ["198.51.100.7/32"] },
        tensorParallelSize: value,
      });
      expect(parsed.ok).toBe(false);
      if (parsed.ok) return;
      expect(parsed.problems.map((problem) => problem.path)).toEqual(["tensorParallelSize"]);
    });
  }

  it("gives every pod a whole number of GPUs", () => {
    for (const keys of [SCOUT_BF16_H100, MAVERICK_FP8_H100, MAVERICK_BF16_H100]) {
      const { parallelism } = plan(keys);
      expect(Number.isInteger(parallelism.gpusPerPod)).toBe(true);
      expect(parallelism.gpusPerPod).toBeGreaterThan(0);
      expect(parallelism.gpusPerPod * parallelism.nodesPerReplica).toBe(parallelism.gpusPerReplica);
    }
  });
});

describe("replicas that cannot get GPUs", () => {
  it("sizes the node pool for replicas.max", () => {
    const result = plan({ ...MAVERICK_FP8_H100, replicas: { min: 1, max: 4 } });
    expect(result.nodePool.minSize).toBe(1);
    expect(result.nodePool.maxSize).toBe(4);
  });

  it("rejects maxSize below replicas.max", () => {
    const found = problems({
      ...MAVERICK_FP8_H100,
      replicas: { min: 1, max: 4 },
      nodePool: { maxSize: 3 },
    });
    expect(found.map((problem) => problem.path)).toEqual(["nodePool.maxSize"]);
    expect(found[0].message).toContain("4 replicas × 1 node per replica need 4 p5.48xlarge nodes");
    expect(found[0].message).toContain("at least 4");
    expect(found[0].message).toContain("lower replicas.max to 3");
  });

  it("divides by the replicas one node holds", () => {
    const keys = { ...SCOUT_BF16_H100, replicas: { min: 1, max: 5 } };
    expect(plan(keys).nodePool.maxSize).toBe(3);
    const found = problems({ ...keys, nodePool: { maxSize: 2 } });
    expect(found[0].message).toContain("ceil(5 / 2) = 3");
  });

  it("multiplies by the nodes one replica spans", () => {
    const keys = { ...MAVERICK_BF16_H100, replicas: { min: 1, max: 3 } };
    expect(plan(keys).nodePool.maxSize).toBe(6);
    const found = problems({ ...keys, nodePool: { maxSize: 5 } });
    expect(found[0].message).toContain("3 replicas × 2 nodes per replica need 6");
    expect(found[0].message).toContain("lower replicas.max to 2");
  });

  it("allows a larger explicit maxSize", () => {
    const result = plan({
      ...MAVERICK_FP8_H100,
      replicas: { min: 1, max: 2 },
      nodePool: { maxSize: 6 },
    });
    expect(result.nodePool.maxSize).toBe(6);
  });
});

describe("Maverick BF16 on one H100 node", () => {
  it("spans two nodes with TP 8 × PP 2", () => {
    const result = plan(MAVERICK_BF16_H100);
    expect(result.parallelism.tensor).toBe(8);
    expect(result.parallelism.pipeline).toBe(2);
    expect(result.parallelism.nodesPerReplica).toBe(2);
    expect(result.parallelism.gpusPerPod).toBe(8);
    expect(result.explanation.join(" ")).toContain("spans two nodes");
  });

  it("rejects TP 8 on one node with the numbers", () => {
    const found = problems({
      ...MAVERICK_BF16_H100,
      tensorParallelSize: 8,
      pipelineParallelSize: 1,
    });
    expect(found.map((problem) => problem.path)).toEqual(["tensorParallelSize"]);
    expect(found[0].message).toContain("about 748 GiB of weights against 8 × 60.6 GiB");
    expect(found[0].message).toContain("tensorParallelSize 8 and pipelineParallelSize 2");
  });
});
