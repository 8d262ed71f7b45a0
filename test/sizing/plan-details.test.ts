import { describe, expect, it } from "vitest";
import {
  podDownloadMiBps,
  rootVolumeIops,
  rootVolumeThroughputMiBps,
} from "../../sizing/node-disk";
import { estimateStartupSeconds } from "../../sizing/startup";
import { plan, problems } from "./helpers";

const MAVERICK_FP8_H100 = { model: "llama-4-maverick", quantization: "fp8", gpu: "h100-80gb" };
const SCOUT_BF16_H100 = { model: "llama-4-scout", quantization: "bf16", gpu: "h100-80gb" };
/** Scout INT4 at TP 1: eight pods share each node. */
const SCOUT_INT4_A100 = { model: "llama-4-scout", quantization: "int4", gpu: "a100-80gb" };

describe("maverick-prod plan", () => {
  const result = plan(MAVERICK_FP8_H100);

  it("serves Meta's FP8 checkpoint on one p5 node at TP 8", () => {
    expect(result.model.checkpoint).toBe("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8");
    expect(result.gpu.instanceType).toBe("p5.48xlarge");
    expect(result.parallelism.tensor).toBe(8);
    expect(result.parallelism.pipeline).toBe(1);
    expect(result.parallelism.nodesPerReplica).toBe(1);
  });

  it("splits each GPU's memory", () => {
    expect(result.memoryPerGpuGiB).toEqual({
      usable: 71.64,
      weights: 48.55,
      overhead: 11,
      kvCache: 12.09,
    });
  });

  it("prices one node per replica", () => {
    expect(result.costUsdPerHour.pricePerNode).toBe(55.04);
    expect(result.costUsdPerHour.min).toBe(55.04);
    expect(result.costUsdPerHour.max).toBe(55.04);
    expect(result.costUsdPerHour.priceSource).toContain("aws.amazon.com/ec2/pricing/on-demand");
  });

  it("serves the model under its own name", () => {
    expect(result.model.servedModelName).toBe("llama-4-maverick");
    expect(result.model.weightsEstimated).toBe(true);
  });
});

describe("cost", () => {
  it("counts nodes at min and max replicas", () => {
    const result = plan({ ...MAVERICK_FP8_H100, replicas: { min: 1, max: 4 } });
    expect(result.costUsdPerHour.min).toBe(55.04);
    expect(result.costUsdPerHour.max).toBe(220.16);
  });

  it("packs two TP 4 replicas per node", () => {
    const result = plan({ ...SCOUT_BF16_H100, replicas: { min: 1, max: 3 } });
    expect(result.nodePool.minSize).toBe(1);
    expect(result.nodePool.maxSize).toBe(2);
    expect(result.costUsdPerHour.max).toBe(110.08);
  });

  it("costs nothing at zero replicas", () => {
    const result = plan({ ...MAVERICK_FP8_H100, replicas: { min: 0, max: 2 } });
    expect(result.nodePool.minSize).toBe(0);
    expect(result.costUsdPerHour.min).toBe(0);
  });

  it("uses a price from the stack", () => {
    const result = plan({ ...MAVERICK_FP8_H100, pricesUsdPerHour: { "p5.48xlarge": 40 } });
    expect(result.costUsdPerHour.pricePerNode).toBe(40);
    expect(result.costUsdPerHour.priceSource).toBe("stack setting pricesUsdPerHour.p5.48xlarge");
  });

  it("reports an unknown price as null with a warning", () => {
    const result = plan({ ...MAVERICK_FP8_H100, gpu: "h200-141gb", instanceType: "p5e.48xlarge" });
    expect(result.costUsdPerHour.min).toBeNull();
    expect(result.costUsdPerHour.max).toBeNull();
    expect(result.costUsdPerHour.pricePerNode).toBeNull();
    expect(result.warnings.join(" ")).toContain("servekit:pricesUsdPerHour.p5e.48xlarge");
  });
});

describe("H200 instance choice", () => {
  it("prefers p5en while the p5e price is unknown", () => {
    const result = plan({ ...MAVERICK_FP8_H100, gpu: "h200-141gb" });
    expect(result.gpu.instanceType).toBe("p5en.48xlarge");
    expect(result.explanation.join(" ")).toContain("p5e.48xlarge with TP 4 at an unknown price");
  });

  it("prefers p5e when the stack prices it lower", () => {
    const result = plan({
      ...MAVERICK_FP8_H100,
      gpu: "h200-141gb",
      pricesUsdPerHour: { "p5e.48xlarge": 60 },
    });
    expect(result.gpu.instanceType).toBe("p5e.48xlarge");
    expect(result.costUsdPerHour.max).toBe(60);
  });

  it("follows instanceType", () => {
    const result = plan({ ...MAVERICK_FP8_H100, gpu: undefined, instanceType: "p5.48xlarge" });
    expect(result.gpu.type).toBe("h100-80gb");
  });
});

describe("start-up budget", () => {
  it("gives Maverick more time than Scout", () => {
    const maverick = plan(MAVERICK_FP8_H100).startupTimeoutSeconds;
    const scout = plan(SCOUT_BF16_H100).startupTimeoutSeconds;
    expect(maverick).toBeGreaterThan(scout);
  });

  it("grows with the weights", () => {
    // 600 s + 388.4 GiB at 125 MiB/s (3,182 s) + 388.4 GiB at 1 GiB/s (388 s) = 4,170 s.
    expect(estimateStartupSeconds(388.36)).toBe(4200);
    expect(estimateStartupSeconds(55.88)).toBe(1140);
  });

  it("downloads at the pod's share", () => {
    // 600 s + 55.88 GiB at 62.5 MiB/s (916 s) + 55.88 GiB at 1 GiB/s (56 s) = 1,572 s.
    expect(estimateStartupSeconds(55.88, 62.5)).toBe(1620);
  });

  it("keeps 125 MiB/s per pod on a shared node", () => {
    // Eight pods share 1,000 MiB/s, so each downloads at 125 MiB/s as on a node of its own.
    const result = plan(SCOUT_INT4_A100);
    expect(result.parallelism.replicasPerNode).toBe(8);
    expect(result.startupTimeoutSeconds).toBe(1140);
    expect(result.explanation.join(" ")).toContain(
      "downloading 55.9 GiB at 125 MiB/s (the root volume's 1,000 MiB/s split between 8 pods)",
    );
  });

  it("uses startupTimeoutSeconds from the stack", () => {
    const result = plan({ ...SCOUT_BF16_H100, startupTimeoutSeconds: 7200 });
    expect(result.startupTimeoutSeconds).toBe(7200);
  });

  it("warns about a timeout below the estimate", () => {
    const result = plan({ ...MAVERICK_FP8_H100, startupTimeoutSeconds: 600 });
    expect(result.warnings.join(" ")).toContain(
      "startupTimeoutSeconds 600 is below the estimated 4200 s",
    );
  });
});

describe("root volume", () => {
  it("holds the image, the weights and headroom", () => {
    // Cache ceil(388.4 × 1.1) = 428 GiB; the kubelet offers 90% less 1 GiB, so the pod needs
    // ceil((428 + 2) / 0.9) = 478 GiB; with 20% headroom 573.6, rounded up to 580.
    expect(plan(MAVERICK_FP8_H100).nodePool.rootVolumeGiB).toBe(580);
    expect(plan(MAVERICK_FP8_H100).nodePool.modelCacheGiB).toBe(428);
  });

  it("holds one copy of the weights per pod on a shared node", () => {
    // Scout BF16 at TP 4 runs 2 pods per node: 2 × ceil(202.4 × 1.1) = 446 GiB of cache,
    // ceil(448 / 0.9) = 498 GiB, × 1.2 = 597.6, rounded to 600.
    expect(plan(SCOUT_BF16_H100).nodePool.rootVolumeGiB).toBe(600);
    expect(plan(SCOUT_BF16_H100).explanation.join(" ")).toContain(
      "600 GiB: 498 GiB lets the kubelet offer 2 model caches of 223 GiB",
    );
  });

  it("offers the pods of a node their caches", () => {
    for (const stack of [MAVERICK_FP8_H100, SCOUT_BF16_H100]) {
      const { nodePool, parallelism } = plan(stack);
      expect(nodePool.allocatableDiskGiB).toBeGreaterThanOrEqual(
        nodePool.modelCacheGiB * parallelism.replicasPerNode,
      );
    }
  });

  it("rejects a configured volume the pods overflow", () => {
    const found = problems({ ...MAVERICK_FP8_H100, nodePool: { rootVolumeGiB: 420 } });
    expect(found.map((problem) => problem.path)).toEqual(["nodePool.rootVolumeGiB"]);
    expect(found[0].message).toContain("is 420, but the vLLM pods of one node request 428 GiB");
    expect(found[0].message).toContain("Set it to at least 478");
  });

  it("accepts the smallest volume that fits", () => {
    const fitted = plan({ ...MAVERICK_FP8_H100, nodePool: { rootVolumeGiB: 478 } });
    expect(fitted.nodePool.allocatableDiskGiB).toBeGreaterThanOrEqual(
      fitted.nodePool.modelCacheGiB,
    );
  });

  it("keeps the gp3 baseline for one pod", () => {
    const { nodePool } = plan(MAVERICK_FP8_H100);
    expect(nodePool.rootVolumeThroughputMiBps).toBe(125);
    expect(nodePool.rootVolumeIops).toBe(3000);
  });

  it("adds 125 MiB/s per pod", () => {
    // Two pods at TP 4: 250 MiB/s, within the 750 MiB/s that 3,000 IOPS allow at 0.25 each.
    const { nodePool } = plan(SCOUT_BF16_H100);
    expect(nodePool.rootVolumeThroughputMiBps).toBe(250);
    expect(nodePool.rootVolumeIops).toBe(3000);
  });

  it("raises IOPS for eight pods", () => {
    // 8 × 125 = 1,000 MiB/s needs 1,000 / 0.25 = 4,000 IOPS.
    const result = plan(SCOUT_INT4_A100);
    expect(result.nodePool.rootVolumeThroughputMiBps).toBe(1000);
    expect(result.nodePool.rootVolumeIops).toBe(4000);
    expect(result.explanation.join(" ")).toContain(
      "Its gp3 throughput is 1,000 MiB/s: 125 MiB/s for each of the 8 vLLM pods that download " +
        "at once, with 4,000 IOPS, because gp3 allows at most 0.25 MiB/s per IOPS.",
    );
  });

  it("sizes throughput for a configured volume", () => {
    const result = plan({ ...SCOUT_BF16_H100, nodePool: { rootVolumeGiB: 2000 } });
    expect(result.nodePool.rootVolumeThroughputMiBps).toBe(250);
  });

  it("caps throughput at the gp3 maximum", () => {
    // No catalog node has more than 8 pods; 20 pods would want 2,500 MiB/s.
    expect(rootVolumeThroughputMiBps(20)).toBe(2000);
    expect(podDownloadMiBps(2000, 20)).toBe(100);
    expect(rootVolumeIops(2000)).toBe(8000);
  });

  it("keeps IOPS at the baseline up to 750 MiB/s", () => {
    expect(rootVolumeIops(750)).toBe(3000);
    expect(rootVolumeIops(751)).toBe(3004);
  });

  it("keeps a larger configured volume", () => {
    expect(
      plan({ ...MAVERICK_FP8_H100, nodePool: { rootVolumeGiB: 2000 } }).nodePool.rootVolumeGiB,
    ).toBe(2000);
  });
});

describe("messages and warnings", () => {
  it("lists independent problems together", () => {
    const found = problems({
      model: "llama-4-maverick",
      quantization: "fp8",
      gpu: "a100-80gb",
      kvCacheDtype: "fp8",
      tensorParallelSize: 16,
      maxModelLen: 2_000_000,
      nodePool: { rootVolumeGiB: 100 },
    });
    expect(found.map((problem) => problem.path).sort()).toEqual([
      "kvCacheDtype",
      "maxModelLen",
      "nodePool.rootVolumeGiB",
      "quantization",
      "tensorParallelSize",
    ]);
  });

  it("rejects weights that fit no layout", () => {
    const found = problems({
      model: "llama-4-maverick",
      quantization: "bf16",
      gpu: "a100-40gb",
      gpuMemoryUtilization: 0.5,
    });
    expect(found.map((problem) => problem.path)).toEqual(["gpu"]);
    // 0.5 × 40 GiB − 11 GiB = 9 GiB per GPU; 64 GPUs give 576 GiB for 747.9 GiB of weights.
    expect(found[0].message).toContain("even 8 nodes (TP 8 × PP 8) leave no room");
    expect(found[0].message).toContain("about 748 GiB of weights against 64 × 9.0 GiB");
    expect(found[0].message).toContain("set quantization to int4");
  });

  it("names each GPU type when none fits", () => {
    const found = problems({
      model: "llama-4-scout",
      quantization: "bf16",
      maxModelLen: 10_485_760,
      fullLengthRequests: 64,
    });
    expect(found.map((problem) => problem.message.split(":")[0])).toEqual([
      "on a100-40gb",
      "on a100-80gb",
      "on h100-80gb",
      "on h200-141gb",
    ]);
    expect(found.every((problem) => problem.path === "maxModelLen")).toBe(true);
  });

  it("warns about spot capacity on multi-node replicas", () => {
    const result = plan({
      model: "llama-4-maverick",
      quantization: "bf16",
      gpu: "h100-80gb",
      nodePool: { capacityType: "spot" },
    });
    const warnings = result.warnings.join(" ");
    expect(warnings).toContain("two minutes' notice");
    expect(warnings).toContain("multi-node replica");
    expect(warnings).toContain("Set nodePool.capacityType to on-demand");
  });

  it("warns when the context is far below the model maximum", () => {
    const warnings = plan(SCOUT_BF16_H100).warnings.join(" ");
    expect(warnings).toContain("The default maxModelLen 32,768 is far below");
    expect(warnings).toContain("10,485,760");
    expect(warnings).toContain("up to 828,672 tokens");
  });

  it("accepts a context the stack sets", () => {
    const warnings = plan({ ...SCOUT_BF16_H100, maxModelLen: 32_768 }).warnings.join(" ");
    expect(warnings).not.toContain("far below");
  });

  it("warns when an override uses more GPUs than needed", () => {
    const warnings = plan({ ...SCOUT_BF16_H100, tensorParallelSize: 8 }).warnings.join(" ");
    expect(warnings).toContain("TP 8 uses 8 GPUs per replica, but TP 4 (4 GPUs)");
  });

  it("explains why the replica needs four GPUs", () => {
    const explanation = plan(SCOUT_BF16_H100).explanation.join(" ");
    expect(explanation).toContain("TP 4 (4 GPUs) is the smallest layout");
    expect(explanation).toContain("TP 2 would need 101.2 GiB of weights per GPU against 60.6 GiB");
    expect(explanation).toContain("2 replicas share a node and each vLLM pod requests 4 GPUs");
  });

  it("counts the KV cache in requests", () => {
    const result = plan({ ...MAVERICK_FP8_H100, maxModelLen: 131_072 });
    const explanation = result.explanation.join(" ");
    // 1,537,251 / 131,072 = 11.73 requests.
    expect(explanation).toContain(
      "The KV cache of one replica holds about 11.7 requests of 131,072 tokens at once " +
        "(1,537,251 tokens).",
    );
  });

  it("names the model maximum as the limit", () => {
    const explanation = plan({ ...MAVERICK_FP8_H100, maxModelLen: 131_072 }).explanation.join(" ");
    expect(explanation).toContain(
      "One request can be up to 1,048,576 tokens, which is llama-4-maverick's maximum context, " +
        "not a memory limit.",
    );
  });

  it("names memory as the limit below the maximum", () => {
    const explanation = plan(SCOUT_BF16_H100).explanation.join(" ");
    expect(explanation).toContain("One request can be up to 828,672 tokens before the KV cache");
    expect(explanation).not.toContain("maximum context");
  });

  it("explains the GPU choice when gpu is not set", () => {
    const explanation = plan({ model: "llama-4-maverick", quantization: "fp8" }).explanation.join(
      " ",
    );
    expect(explanation).toContain("gpu is not set");
    expect(explanation).toContain(
      "p5.48xlarge (h100-80gb) with TP 8 on one node at $55.04 per hour ($55.04 per replica-hour)",
    );
    expect(explanation).toContain(
      "p5en.48xlarge with TP 4 on one node at $63.30 per hour ($31.65 per replica-hour)",
    );
    expect(explanation).toContain("Skipped p4d.24xlarge, because its a100-40gb GPUs");
  });
});
