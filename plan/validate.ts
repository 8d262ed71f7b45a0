import { validateLeaderWorkerSet } from "./lws-schema";
import { manifestFileName, type Manifest } from "./manifests";

/** A manifest that failed schema validation, with the validator's messages. */
export interface ManifestError {
  file: string;
  messages: string[];
}

interface ValidatableModel {
  validate(): void;
}
type ModelClass = new (data: unknown) => ValidatableModel;

/**
 * Returns the module path of the kubernetes-models class for an API group. The packages are
 * ESM only, so this CommonJS project loads them with dynamic `import()`.
 */
function modulePath(apiVersion: string, kind: string): string | undefined {
  if (apiVersion === "keda.sh/v1alpha1") return `@kubernetes-models/keda/keda.sh/v1alpha1/${kind}`;
  if (!apiVersion.includes("/")) return `kubernetes-models/${apiVersion}/${kind}`;
  const [group] = apiVersion.split("/");
  const builtIn = group.endsWith(".k8s.io") || !group.includes(".");
  return builtIn && !group.startsWith("leaderworkerset")
    ? `kubernetes-models/${apiVersion}/${kind}`
    : undefined;
}

/** Validates one manifest against its Kubernetes or CRD schema; returns the errors found. */
export async function validateManifest(manifest: Manifest): Promise<string[]> {
  if (
    manifest.apiVersion === "leaderworkerset.x-k8s.io/v1" &&
    manifest.kind === "LeaderWorkerSet"
  ) {
    return validateLeaderWorkerSet(manifest);
  }
  const path = modulePath(manifest.apiVersion, manifest.kind);
  if (!path) return [`no schema is known for ${manifest.apiVersion} ${manifest.kind}`];
  let model: ModelClass;
  try {
    model = ((await import(path)) as Record<string, ModelClass>)[manifest.kind];
  } catch {
    return [`no schema is known for ${manifest.apiVersion} ${manifest.kind}`];
  }
  try {
    new model(manifest).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/** Validates every manifest and returns the failures, empty when all pass. */
export async function validateManifests(manifests: Manifest[]): Promise<ManifestError[]> {
  const errors: ManifestError[] = [];
  for (const manifest of manifests) {
    const messages = await validateManifest(manifest);
    if (messages.length > 0) errors.push({ file: manifestFileName(manifest), messages });
  }
  return errors;
}
