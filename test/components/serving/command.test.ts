import { describe, expect, it } from "vitest";
import { hybridKvCacheEnv, kvCacheDtypeFlag, vllmArgs } from "../../../components/serving";
import { SHUTDOWN_TIMEOUT_SECONDS } from "../../../components/serving/command";
import { flagValue, maverickBf16MultiNodePlan, maverickFp8Plan, scoutInt4Plan } from "./fixtures";

describe("vllmArgs", () => {
  it("maverick fp8 single node", () => {
    expect(vllmArgs(maverickFp8Plan())).toEqual([
      "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
      "--served-model-name",
      "llama-4-maverick",
      "--tensor-parallel-size",
      "8",
      "--pipeline-parallel-size",
      "1",
      "--max-model-len",
      "131072",
      "--kv-cache-dtype",
      "auto",
      "--gpu-memory-utilization",
      "0.9",
      "--max-num-batched-tokens",
      "8192",
      "--port",
      "8000",
      "--shutdown-timeout",
      String(SHUTDOWN_TIMEOUT_SECONDS),
    ]);
  });

  it("hybrid kv cache on adds no disable flag", () => {
    const args = vllmArgs({ ...maverickFp8Plan(), hybridKvCache: true });
    expect(args).not.toContain("--disable-hybrid-kv-cache-manager");
    expect(hybridKvCacheEnv(maverickFp8Plan())).toBe("1");
  });

  it("hybrid kv cache off disables the manager", () => {
    const plan = { ...maverickFp8Plan(), hybridKvCache: false };
    expect(vllmArgs(plan)).toContain("--disable-hybrid-kv-cache-manager");
    expect(hybridKvCacheEnv(plan)).toBe("0");
  });

  it("kv cache dtype maps to vllm spelling", () => {
    expect(kvCacheDtypeFlag("auto")).toBe("auto");
    expect(kvCacheDtypeFlag("bf16")).toBe("bfloat16");
    expect(kvCacheDtypeFlag("fp8")).toBe("fp8");
    const plan = { ...maverickFp8Plan(), kvCacheDtype: "fp8" as const };
    expect(flagValue(vllmArgs(plan), "--kv-cache-dtype")).toBe("fp8");
  });

  it("never passes a quantization flag", () => {
    for (const plan of [maverickFp8Plan(), scoutInt4Plan(), maverickBf16MultiNodePlan()]) {
      expect(vllmArgs(plan).join(" ")).not.toContain("--quantization");
    }
  });

  it("scout int4 uses its checkpoint and tp 4", () => {
    const args = vllmArgs(scoutInt4Plan());
    expect(args[0]).toBe("RedHatAI/Llama-4-Scout-17B-16E-Instruct-quantized.w4a16");
    expect(flagValue(args, "--tensor-parallel-size")).toBe("4");
    expect(flagValue(args, "--max-model-len")).toBe("32768");
  });

  it("multi-node leader joins as rank 0", () => {
    const args = vllmArgs(maverickBf16MultiNodePlan(), "leader");
    expect(flagValue(args, "--tensor-parallel-size")).toBe("8");
    expect(flagValue(args, "--pipeline-parallel-size")).toBe("2");
    expect(flagValue(args, "--distributed-executor-backend")).toBe("mp");
    expect(flagValue(args, "--nnodes")).toBe("$(LWS_GROUP_SIZE)");
    expect(flagValue(args, "--node-rank")).toBe("0");
    expect(flagValue(args, "--master-addr")).toBe("$(LWS_LEADER_ADDRESS)");
    expect(args).not.toContain("--headless");
    expect(args).toContain("--shutdown-timeout");
  });

  it("multi-node worker runs headless", () => {
    const args = vllmArgs(maverickBf16MultiNodePlan(), "worker");
    expect(flagValue(args, "--node-rank")).toBe("$(LWS_WORKER_INDEX)");
    expect(flagValue(args, "--master-addr")).toBe("$(LWS_LEADER_ADDRESS)");
    expect(args).toContain("--headless");
    expect(args).not.toContain("--shutdown-timeout");
  });

  it("leader and worker share the engine flags", () => {
    const plan = maverickBf16MultiNodePlan();
    const engine = (args: string[]) => args.slice(0, args.indexOf("--port") + 2);
    expect(engine(vllmArgs(plan, "worker"))).toEqual(engine(vllmArgs(plan, "leader")));
  });
});
