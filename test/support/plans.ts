import { readdirSync } from "node:fs";
import { join } from "node:path";
import { planOffline, type OfflinePlan } from "../../plan/offline";
import type { Manifest } from "../../plan/manifests";
import type { RecordedResource } from "../../plan/run";
import { TEST_SECRETS } from "./stack";

/** Names of every stack file in stacks/. */
export function stackNames(): string[] {
  return readdirSync("stacks")
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => Boolean(name))
    .sort();
}

/**
 * Plans a stack of stacks/ offline with the known test secrets and no manifest files written;
 * `overrides` replace keys of the stack file. Fails with every problem when the stack is invalid.
 */
export async function planStack(
  stack: string,
  overrides: Record<string, unknown> = {},
): Promise<OfflinePlan> {
  const result = await planOffline({
    configFile: join("stacks", `Pulumi.${stack}.yaml`),
    outDir: null,
    secrets: { ...TEST_SECRETS },
    overrides,
  });
  if (!result.ok) throw new Error(`stack ${stack} failed: ${JSON.stringify(result.problems)}`);
  return result.plan;
}

/** Returns the manifests of one kind. */
export function manifestsOfKind(plan: OfflinePlan, kind: string): Manifest[] {
  return plan.manifests.filter((manifest) => manifest.kind === kind);
}

/** Returns the recorded resources of a type. */
export function resourcesOf(plan: OfflinePlan, type: string): RecordedResource[] {
  return plan.run.resources.filter((resource) => resource.type === type);
}

/** Returns the Helm release of a chart, named alone or as the last part of an `oci://` URL. */
export function releaseOfChart(plan: OfflinePlan, chart: string): RecordedResource {
  const release = resourcesOf(plan, "kubernetes:helm.sh/v3:Release").find(
    (resource) => String(resource.inputs.chart).split("/").pop() === chart,
  );
  if (!release) throw new Error(`no Helm release of chart ${chart}`);
  return release;
}

/**
 * Tells whether `resource` waits for `target`: its explicit `dependsOn` lists the target or a
 * component that contains it, since depending on a component waits for all its children.
 */
export function waitsFor(
  plan: OfflinePlan,
  resource: RecordedResource,
  target: RecordedResource,
): boolean {
  const byUrn = new Map(plan.run.resources.map((r) => [r.urn, r]));
  return resource.dependsOn.some((urn) => {
    const dependency = byUrn.get(urn);
    return dependency !== undefined && subtreeUrns(plan, dependency).has(target.urn);
  });
}

/** Returns the URNs of a resource and every resource beneath it in the parent tree. */
export function subtreeUrns(plan: OfflinePlan, root: RecordedResource): Set<string> {
  const urns = new Set([root.urn]);
  for (const resource of plan.run.resources) {
    if (resource.parent && urns.has(resource.parent)) urns.add(resource.urn);
  }
  return urns;
}

/**
 * Returns the names of resources whose inputs differ between two plans of the same stack, after
 * checking that both plans register the same URNs.
 */
export function changedResourceNames(before: OfflinePlan, after: OfflinePlan): string[] {
  const afterByUrn = new Map(after.run.resources.map((resource) => [resource.urn, resource]));
  const beforeUrns = before.run.resources.map((resource) => resource.urn).sort();
  if (JSON.stringify([...afterByUrn.keys()].sort()) !== JSON.stringify(beforeUrns)) {
    throw new Error("the two plans register different resources");
  }
  return before.run.resources
    .filter((resource) => {
      const changed = afterByUrn.get(resource.urn)?.inputs;
      return JSON.stringify(resource.inputs) !== JSON.stringify(changed);
    })
    .map((resource) => resource.name)
    .sort();
}
