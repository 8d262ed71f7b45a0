import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { RecordedResource } from "./run";

/** A Kubernetes object the program would apply, taken from a recorded resource's inputs. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; [key: string]: unknown };
  [field: string]: unknown;
}

/** Text that replaces each value of a Secret in written manifests. */
export const REDACTED = "<redacted: set from a Pulumi secret at deployment>";

/** Resource types that are not Kubernetes objects: providers and Helm releases. */
const NOT_MANIFESTS = [/^pulumi:providers:/, /^kubernetes:helm\.sh\//];

/**
 * Returns the Kubernetes objects among the recorded resources, with Secret data redacted, in a
 * stable order (kind, namespace, name).
 */
export function manifestsOf(resources: RecordedResource[]): Manifest[] {
  const manifests = resources
    .filter((r) => r.type.startsWith("kubernetes:") && !NOT_MANIFESTS.some((p) => p.test(r.type)))
    .map((r) => redactSecret(toManifest(r)));
  return manifests.sort((a, b) => manifestFileName(a).localeCompare(manifestFileName(b)));
}

function toManifest(resource: RecordedResource): Manifest {
  const inputs = resource.inputs as Partial<Manifest>;
  const [, groupVersion, kind] = resource.type.split(":");
  const apiVersion = inputs.apiVersion ?? groupVersion.replace(/^core\//, "");
  const metadata = { ...(inputs.metadata ?? {}) };
  if (!metadata.name) metadata.name = resource.name;
  return { ...inputs, apiVersion, kind: inputs.kind ?? kind, metadata } as Manifest;
}

function redactSecret(manifest: Manifest): Manifest {
  if (manifest.kind !== "Secret") return manifest;
  const redacted: Manifest = { ...manifest };
  for (const field of ["data", "stringData"]) {
    const values = manifest[field] as Record<string, unknown> | undefined;
    if (values) redacted[field] = Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]));
  }
  return redacted;
}

/** File name of a manifest: `<kind>-<namespace>-<name>.yaml`, lower case. */
export function manifestFileName(manifest: Manifest): string {
  const parts = [manifest.kind, manifest.metadata.namespace, manifest.metadata.name].filter(
    Boolean,
  );
  return `${parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")}.yaml`;
}

/** Writes each manifest as YAML into `dir`, replacing what an earlier plan left there. */
export function writeManifests(manifests: Manifest[], dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return manifests.map((manifest) => {
    const path = join(dir, manifestFileName(manifest));
    writeFileSync(path, stringify(manifest, { sortMapEntries: false }));
    return path;
  });
}
