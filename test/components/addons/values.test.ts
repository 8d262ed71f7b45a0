import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { mergeValues } from "../../../components/addons/values";

describe("mergeValues", () => {
  it("merges mappings key by key", () => {
    const merged = mergeValues(
      { server: { nodeSelector: { pool: "system" }, retention: "2d" } },
      { server: { retention: "7d" }, region: "us-east-1" },
    );
    expect(merged).toEqual({
      server: { nodeSelector: { pool: "system" }, retention: "7d" },
      region: "us-east-1",
    });
  });

  it("replaces lists whole", () => {
    const merged = mergeValues({ tolerations: [{ key: "a" }, { key: "b" }] }, { tolerations: [] });
    expect(merged.tolerations).toEqual([]);
  });

  it("keeps outputs as leaves", () => {
    const clusterName = pulumi.output("servekit");
    const merged = mergeValues(
      { autoDiscovery: { tags: ["x"] } },
      { autoDiscovery: { clusterName } },
    );
    expect((merged.autoDiscovery as Record<string, unknown>).clusterName).toBe(clusterName);
    expect((merged.autoDiscovery as Record<string, unknown>).tags).toEqual(["x"]);
  });

  it("leaves its arguments unchanged", () => {
    const base = { image: { tag: "v1", pullPolicy: "IfNotPresent" } };
    const overrides = { image: { tag: "v2" } };
    mergeValues(base, overrides);
    expect(base).toEqual({ image: { tag: "v1", pullPolicy: "IfNotPresent" } });
    expect(overrides).toEqual({ image: { tag: "v2" } });
  });
});
