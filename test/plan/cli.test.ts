import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** Runs `npm run plan -- ARGS` the way a user does, through tsx, and captures its streams. */
function plan(args: string[]) {
  const outDir = mkdtempSync(join(tmpdir(), "servekit-plan-"));
  const withOut = args.includes("--out") ? args : [...args, "--out", outDir];
  const result = spawnSync("npx", ["tsx", "bin/plan.ts", ...withOut], {
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outDir };
}

describe("plan command", () => {
  it("reports maverick-prod for a person", () => {
    const run = plan(["maverick-prod"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8");
    expect(run.stdout).toContain("p5.48xlarge");
    expect(run.stdout).toMatch(/TP 8 x PP 1/);
    expect(run.stdout).toContain("1 node per replica");
    expect(run.stdout).toMatch(/largest that fits [\d,]+/);
    expect(run.stdout).toMatch(/\$\d+\.\d\d\/h at min/);
    expect(run.stdout).toContain("all valid against their schemas");
  });

  it("prints the documented JSON fields", () => {
    const run = plan(["maverick-prod", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout);

    expect(json.model.name).toBe("llama-4-maverick");
    expect(json.model.checkpoint).toBe("meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8");
    expect(json.quantization).toBe("fp8");
    expect(json.kvCacheDtype).toBe("auto");
    expect(json.gpu).toMatchObject({
      type: "h100-80gb",
      instanceType: "p5.48xlarge",
      gpusPerNode: 8,
    });

    expect(json.parallelism).toMatchObject({
      tensor: 8,
      pipeline: 1,
      gpusPerReplica: 8,
      nodesPerReplica: 1,
    });

    expect(json.context.maxModelLen).toBe(131072);
    expect(json.context.maxFeasibleModelLen).toBeGreaterThanOrEqual(131072);
    expect(json.context.kvCacheTokens).toBeGreaterThan(0);
    for (const field of ["usable", "weights", "overhead", "kvCache"]) {
      expect(typeof json.memoryPerGpuGiB[field]).toBe("number");
    }

    expect(json.replicas).toEqual({ min: 1, max: 2 });
    expect(json.nodePool).toMatchObject({ instanceType: "p5.48xlarge", minSize: 1, maxSize: 2 });
    expect(json.costUsdPerHour.min).toBeCloseTo(55.04, 2);
    expect(json.costUsdPerHour.max).toBeCloseTo(110.08, 2);

    expect(json.resources.length).toBeGreaterThan(20);
    for (const resource of json.resources) {
      expect(Object.keys(resource).sort()).toEqual(["dependsOn", "name", "parent", "type", "urn"]);
    }
    expect(json.manifestsDir).toBe(run.outDir);
  });

  it("rejects a bad stack file with every problem", () => {
    const dir = mkdtempSync(join(tmpdir(), "servekit-stack-"));
    const file = join(dir, "Pulumi.broken.yaml");
    writeFileSync(
      file,
      [
        "config:",
        "  servekit:model: llama-4-maverick",
        "  servekit:quantization: fp8",
        "  servekit:gpu: a100-80gb",
        "  servekit:tensorParallelSize: 16",
        "  servekit:hfToken: hf_plaintext_value_123",
        "  servekit:cluster:",
        "    apiAccessCidrs: [198.51.100.7/32]",
      ].join("\n"),
    );
    const run = plan(["--config-file", file, "--json"]);
    expect(run.status).toBe(1);
    const json = JSON.parse(run.stdout);
    const paths = json.errors.map((e: { path: string }) => e.path);
    expect(paths).toContain("hfToken");
    expect(paths).toContain("quantization");
    expect(paths).toContain("tensorParallelSize");
    expect(run.stderr).toContain("pulumi config set --secret servekit:hfToken");
    expect(run.stderr).not.toContain("hf_plaintext_value_123");
    expect(run.stdout).not.toContain("hf_plaintext_value_123");
  });

  it("rejects an unknown stack name", () => {
    const run = plan(["no-such-stack"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("stacks/Pulumi.no-such-stack.yaml was not found");
    expect(run.stderr).toContain("stacks in stacks/: maverick-bf16-multinode, maverick-prod");
    expect(run.stderr).not.toContain("stack configuration");
  });
});
