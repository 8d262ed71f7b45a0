import { describe, expect, it } from "vitest";
import { plan } from "./helpers";

/**
 * Instance ranking when `gpu` is not set. Catalog prices in USD per node-hour: p4d 21.96,
 * p4de 27.45, p5 55.04, p5en 63.30, p5e unknown. Scout INT4 runs TP 4 on the A100 40 GB of p4d
 * (two replicas per node) and TP 1 on every other GPU (eight replicas per node).
 */
const SCOUT_INT4 = { model: "llama-4-scout", quantization: "int4" };

/** The settings of stacks/Pulumi.scout-int4-dev.yaml that sizing reads. */
const SCOUT_INT4_DEV = { ...SCOUT_INT4, maxModelLen: 16_384, replicas: { min: 1, max: 1 } };

describe("ranking by node pool cost", () => {
  it("picks p4d for one replica", () => {
    // One replica takes one node everywhere: p4d $21.96 beats p4de $27.45, although p4de's
    // replica-hour is lower ($27.45 / 8 = $3.43 against $21.96 / 2 = $10.98).
    const result = plan(SCOUT_INT4_DEV);
    expect(result.gpu.instanceType).toBe("p4d.24xlarge");
    expect(result.parallelism.tensor).toBe(4);
    expect(result.nodePool.maxSize).toBe(1);
    expect(result.costUsdPerHour.min).toBe(21.96);
    expect(result.costUsdPerHour.max).toBe(21.96);
  });

  it("explains the p4d choice with prices", () => {
    const explanation = plan(SCOUT_INT4_DEV).explanation.join(" ");
    expect(explanation).toContain("chose the one whose node pool costs least at replicas.max");
    expect(explanation).toContain(
      "p4d.24xlarge (a100-40gb) with TP 4 on one node at $21.96 per hour ($10.98 per replica-hour)",
    );
    expect(explanation).toContain(
      "p4de.24xlarge costs less per replica-hour ($3.43), but replicas.max 1 fills only 1 of " +
        "the 8 replica slots on its one node, so its node pool costs $27.45 per hour.",
    );
    expect(explanation).toContain("p5e.48xlarge with TP 1 at an unknown price, ranked last");
  });

  it("gives p4d more KV cache than p4de", () => {
    const p4d = plan(SCOUT_INT4_DEV).context.kvCacheTokens;
    const p4de = plan({ ...SCOUT_INT4_DEV, gpu: "a100-80gb" }).context.kvCacheTokens;
    expect(p4d).toBe(240_957);
    expect(p4de).toBe(27_965);
  });

  it("keeps p4d for two replicas", () => {
    // p4d: ceil(2 / 2) = 1 node, $21.96. p4de: ceil(2 / 8) = 1 node, $27.45.
    const result = plan({ ...SCOUT_INT4_DEV, replicas: { min: 1, max: 2 } });
    expect(result.gpu.instanceType).toBe("p4d.24xlarge");
    expect(result.costUsdPerHour.max).toBe(21.96);
  });

  it("packs densely for three replicas", () => {
    // p4d: ceil(3 / 2) = 2 nodes, 2 × $21.96 = $43.92. p4de: ceil(3 / 8) = 1 node, $27.45.
    // p5: 1 node, $55.04. p5en: 1 node, $63.30. So p4de wins at replicas.max.
    const result = plan({ ...SCOUT_INT4_DEV, replicas: { min: 1, max: 3 } });
    expect(result.gpu.instanceType).toBe("p4de.24xlarge");
    expect(result.parallelism.tensor).toBe(1);
    expect(result.parallelism.replicasPerNode).toBe(8);
    expect(result.costUsdPerHour.max).toBe(27.45);
    expect(result.explanation.join(" ")).toContain(
      "p4d.24xlarge with TP 4 on two nodes at $43.92 per hour ($10.98 per replica-hour)",
    );
  });
});

describe("ranking tie-breaks", () => {
  it("uses replicas.min after a tie", () => {
    // Prices p4d $10 and p4de $20. At replicas.max 4: p4d ceil(4 / 2) = 2 nodes = $20, p4de
    // ceil(4 / 8) = 1 node = $20, a tie. At replicas.min 1: p4d $10 against p4de $20.
    const result = plan({
      ...SCOUT_INT4,
      replicas: { min: 1, max: 4 },
      pricesUsdPerHour: { "p4d.24xlarge": 10, "p4de.24xlarge": 20 },
    });
    expect(result.gpu.instanceType).toBe("p4d.24xlarge");
    expect(result.costUsdPerHour.min).toBe(10);
    expect(result.costUsdPerHour.max).toBe(20);
    expect(result.explanation.join(" ")).toContain(
      "p4de.24xlarge costs the same at replicas.max, and p4d.24xlarge costs less at " +
        "replicas.min (one replica): $10.00 against $20.00 per hour.",
    );
  });

  it("uses replica-hour after both pool prices", () => {
    // Both $20 per node. At replicas.max 2 each needs one node ($20); at replicas.min 0 none.
    // Replica-hour: p4d $20 / 2 = $10, p4de $20 / 8 = $2.50.
    const result = plan({
      ...SCOUT_INT4,
      replicas: { min: 0, max: 2 },
      pricesUsdPerHour: { "p4d.24xlarge": 20, "p4de.24xlarge": 20 },
    });
    expect(result.gpu.instanceType).toBe("p4de.24xlarge");
    expect(result.explanation.join(" ")).toContain(
      "p4d.24xlarge costs the same at replicas.max and at replicas.min, and p4de.24xlarge " +
        "costs less per replica-hour: $2.50 against $10.00.",
    );
  });

  it("uses GPUs per replica last", () => {
    // Scout BF16 at TP 8: p4d needs TP 8 × PP 2 (2 nodes × $10 = $20, 16 GPUs), p4de fits
    // one node ($20, 8 GPUs). Both cost $20 at every count, and catalog order puts p4d first.
    const result = plan({
      model: "llama-4-scout",
      quantization: "bf16",
      tensorParallelSize: 8,
      pricesUsdPerHour: { "p4d.24xlarge": 10, "p4de.24xlarge": 20 },
    });
    expect(result.gpu.instanceType).toBe("p4de.24xlarge");
    expect(result.parallelism.gpusPerReplica).toBe(8);
    expect(result.explanation.join(" ")).toContain(
      "p4de.24xlarge uses fewer GPUs per replica: 8 GPUs against 16 GPUs.",
    );
  });

  it("keeps catalog order on a full tie", () => {
    const result = plan({
      model: "llama-4-maverick",
      quantization: "fp8",
      gpu: "h200-141gb",
      pricesUsdPerHour: { "p5e.48xlarge": 63.3 },
    });
    expect(result.gpu.instanceType).toBe("p5e.48xlarge");
    expect(result.explanation.join(" ")).toContain("so the catalog order puts p5e.48xlarge first");
  });

  it("compares prices in whole cents", () => {
    // Maverick FP8 at replicas.max 3: p5 (TP 8, one replica per node) needs 3 nodes at $42.20,
    // 3 × 42.2 = 126.60000000000001 in floating point, and p5en (TP 4, two per node) needs
    // ceil(3 / 2) = 2 nodes at $63.30 = 126.6. In cents both are 12,660, so replicas.min
    // decides: p5 $42.20 against p5en $63.30.
    const result = plan({
      model: "llama-4-maverick",
      quantization: "fp8",
      replicas: { min: 1, max: 3 },
      pricesUsdPerHour: { "p5.48xlarge": 42.2 },
    });
    expect(result.gpu.instanceType).toBe("p5.48xlarge");
    expect(result.explanation.join(" ")).toContain(
      "p5en.48xlarge costs the same at replicas.max, and p5.48xlarge costs less at replicas.min",
    );
  });

  it("ranks unknown prices last", () => {
    const result = plan({ model: "llama-4-maverick", quantization: "fp8", gpu: "h200-141gb" });
    expect(result.gpu.instanceType).toBe("p5en.48xlarge");
    expect(result.explanation.join(" ")).toContain(
      "p5e.48xlarge with TP 4 at an unknown price, ranked last",
    );
  });
});
