import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import lwsSchemaFile from "./schemas/lws-v1.json";

/** Upstream source of `plan/schemas/lws-v1.json`: the CRD's repository, path and commit. */
export const LWS_SCHEMA_SOURCE = lwsSchemaFile.source;

/** A model class of kubernetes-models; `validate()` throws an Ajv ValidationError. */
type ModelClass = new (data: never) => { validate(): void };

let topLevelValidator: Promise<ValidateFunction> | undefined;

/**
 * Compiles the CRD's own fields once, with the OpenAPI formats (`int32` and others) that
 * kubernetes-models registers for its schemas. The package is ESM only, hence `import()`.
 */
function compileTopLevel(): Promise<ValidateFunction> {
  topLevelValidator ??= import("@kubernetes-models/validate").then(({ formats }) => {
    const ajv = new Ajv({ allErrors: true });
    ajv.addVocabulary(["x-kubernetes-int-or-string"]);
    for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format);
    return ajv.compile(lwsSchemaFile.schema);
  });
  return topLevelValidator;
}

/**
 * Validates a LeaderWorkerSet object against the `leaderworkerset.x-k8s.io/v1` CRD schema and
 * returns one message per problem, empty when it is valid. The LeaderWorkerSet's own fields are
 * checked with the schema read from the upstream CRD; the leader and worker pod templates, which
 * the CRD embeds as core/v1 PodTemplateSpec, with kubernetes-models' schema of that type.
 */
export async function validateLeaderWorkerSet(object: unknown): Promise<string[]> {
  const validate = await compileTopLevel();
  const messages = validate(object) ? [] : (validate.errors ?? []).map((error) => describe(error));
  const template = asRecord(asRecord(asRecord(object).spec).leaderWorkerTemplate);

  const { PodTemplateSpec } = await import("kubernetes-models/v1/PodTemplateSpec");
  const { PersistentVolumeClaim } = await import("kubernetes-models/v1/PersistentVolumeClaim");
  const prefix = "spec.leaderWorkerTemplate";
  for (const field of ["leaderTemplate", "workerTemplate"]) {
    if (isRecord(template[field])) {
      messages.push(...validateModel(PodTemplateSpec, template[field], `${prefix}.${field}`));
    }
  }
  const claims = Array.isArray(template.volumeClaimTemplates) ? template.volumeClaimTemplates : [];
  claims.forEach((claim, index) => {
    const path = `${prefix}.volumeClaimTemplates[${index}]`;
    if (isRecord(claim)) messages.push(...validateModel(PersistentVolumeClaim, claim, path));
  });
  return messages;
}

/** Runs a kubernetes-models validation and turns its errors into messages under `path`. */
function validateModel(model: ModelClass, data: unknown, path: string): string[] {
  try {
    new model(data as never).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] }).errors;
    if (!Array.isArray(errors)) return [`${path}: ${String(error)}`];
    return errors.map((item) => describe(item, path));
  }
}

/** Formats an Ajv error as `dotted.path[0]: message (detail)`. */
function describe(error: ErrorObject, prefix = ""): string {
  const path = [prefix, jsonPointerToPath(error.instancePath)].filter(Boolean).join(".");
  const params = error.params as Record<string, unknown>;
  let detail = "";
  if (Array.isArray(params.allowedValues)) detail = ` (${params.allowedValues.join(", ")})`;
  if (typeof params.additionalProperty === "string") detail = ` (${params.additionalProperty})`;
  if ("allowedValue" in params) detail = ` (${String(params.allowedValue)})`;
  return `${path || "(object)"}: ${error.message ?? error.keyword}${detail}`;
}

/** Turns `/spec/containers/0/name` into `spec.containers[0].name`. */
function jsonPointerToPath(pointer: string): string {
  let path = "";
  for (const encoded of pointer.split("/").filter(Boolean)) {
    const part = encoded.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else path += path ? `.${part}` : part;
  }
  return path;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}
