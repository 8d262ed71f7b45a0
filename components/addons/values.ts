/** Helm values: a mapping whose leaves may be Pulumi inputs, which the provider resolves. */
export type HelmValues = Record<string, unknown>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Returns `base` with `overrides` merged in the way Helm merges values files: mappings merge key
 * by key, and anything else (lists, scalars, Pulumi outputs) replaces the base value. Neither
 * argument is modified.
 */
export function mergeValues(base: HelmValues, overrides: HelmValues): HelmValues {
  const merged: HelmValues = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
  }
  return merged;
}
