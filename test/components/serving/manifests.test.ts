import { describe, expect, it } from "vitest";
import { manifestsOf } from "../../../plan/manifests";
import { validateManifests } from "../../../plan/validate";
import { maverickBf16MultiNodePlan, maverickFp8Plan, runServing, scoutInt4Plan } from "./fixtures";

describe("serving manifests", () => {
  it.each([
    ["maverick fp8", maverickFp8Plan()],
    ["scout int4", scoutInt4Plan()],
    ["maverick bf16 two nodes", maverickBf16MultiNodePlan()],
  ])("%s passes schema validation", async (_, plan) => {
    const run = await runServing({ plan, efaInterfaces: 32, prometheusNamespace: "monitoring" });
    const manifests = manifestsOf(run.resources);
    expect(manifests.length).toBeGreaterThanOrEqual(9);
    expect(await validateManifests(manifests)).toEqual([]);
  });
});
