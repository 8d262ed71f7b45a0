import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { SECRET_KEYS, type SecretKey } from "./schema";
import type { ConfigProblem } from "./problems";

/** Pulumi config namespace of this project's keys. */
export const CONFIG_NAMESPACE = "servekit";

/** A stack file read from disk, split into what the program and the offline plan need. */
export interface StackFile {
  /** `servekit:` keys without the prefix, with their YAML types and secrets left out. */
  values: Record<string, unknown>;
  /** Secret keys set with `secure:` values, which cannot be decrypted offline. */
  encryptedSecrets: SecretKey[];
  /** Keys of other namespaces, such as `aws:region`, as written. */
  otherNamespaces: Record<string, unknown>;
  problems: ConfigProblem[];
}

/** Reads a `Pulumi.<stack>.yaml` file; syntax errors become problems, not exceptions. */
export function readStackFile(path: string): StackFile {
  const file: StackFile = { values: {}, encryptedSecrets: [], otherNamespaces: {}, problems: [] };
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    file.problems.push({ path: "(file)", message: `${path} could not be read as YAML: ${reason}` });
    return file;
  }
  const config = (document as { config?: unknown } | null)?.config;
  if (config === undefined || config === null) return file;
  if (typeof config !== "object" || Array.isArray(config)) {
    file.problems.push({ path: "(file)", message: `${path}: "config" must be a mapping of keys` });
    return file;
  }
  for (const [fullKey, value] of Object.entries(config)) {
    splitKey(file, fullKey, value);
  }
  return file;
}

function splitKey(file: StackFile, fullKey: string, value: unknown): void {
  const [namespace, key] = fullKey.includes(":")
    ? fullKey.split(":", 2)
    : [CONFIG_NAMESPACE, fullKey];
  if (namespace !== CONFIG_NAMESPACE) {
    file.otherNamespaces[fullKey] = value;
    return;
  }
  const encrypted = isEncrypted(value);
  if ((SECRET_KEYS as readonly string[]).includes(key)) {
    if (encrypted) file.encryptedSecrets.push(key as SecretKey);
    else file.problems.push(plainSecretProblem(key));
    return;
  }
  if (encrypted) {
    file.problems.push({
      path: key,
      message:
        "is encrypted, but only hfToken and apiKey are secrets; store it as a plain value " +
        `with \`pulumi config set ${CONFIG_NAMESPACE}:${key} VALUE\``,
    });
    return;
  }
  file.values[key] = value;
}

function isEncrypted(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value;
}

/** Returns the problem for a secret written in plain text, without repeating the value. */
export function plainSecretProblem(key: string): ConfigProblem {
  return {
    path: key,
    message:
      "is stored in plain text in the stack file; delete that line and run " +
      `\`pulumi config set --secret ${CONFIG_NAMESPACE}:${key}\`, which prompts for the value ` +
      "and stores it encrypted",
  };
}

/**
 * Parses a raw Pulumi config string. Pulumi passes every value as a string and objects as JSON,
 * so numbers, booleans and objects are decoded and anything else stays a string.
 */
export function decodeConfigString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Region the catalog's on-demand prices are for. */
export const PRICE_REGION = "us-east-1";

/** Returns the problem for a missing or malformed `aws:region`, which every AWS resource needs. */
export function regionProblems(region: unknown): ConfigProblem[] {
  if (typeof region === "string" && /^(us-gov|us-iso[a-z]*|cn)-/.test(region)) {
    return [
      {
        path: "aws:region",
        message:
          `is ${region}, outside the commercial AWS partition; servekit's IAM policies name ` +
          "arn:aws: resources only. Use a commercial region such as us-east-1",
      },
    ];
  }
  if (typeof region === "string" && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return [];
  const fault = region === undefined ? "is missing" : `is ${JSON.stringify(region)}, not a region`;
  return [
    {
      path: "aws:region",
      message: `${fault}; set the AWS region, for example \`pulumi config set aws:region us-east-1\``,
    },
  ];
}

/** Warns that costs use us-east-1 prices when the stack deploys elsewhere. */
export function regionPriceWarning(region: string, pricedTypes: string[]): string | undefined {
  if (region === PRICE_REGION) return undefined;
  const overridden = pricedTypes.length > 0 ? ` (except ${pricedTypes.join(", ")})` : "";
  return (
    `costUsdPerHour uses ${PRICE_REGION} on-demand prices${overridden}, but aws:region is ` +
    `${region}; set servekit:pricesUsdPerHour to the prices of ${region}`
  );
}
