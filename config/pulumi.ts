import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, decodeConfigString, plainSecretProblem, regionProblems } from "./load";
import { parseStackConfig } from "./parse";
import { StackConfigError, type ConfigProblem } from "./problems";
import { SECRET_KEYS, type SecretKey, type StackConfig } from "./schema";

/** The running stack's settings and its secrets, still wrapped as Pulumi secret outputs. */
export interface LoadedStack {
  config: StackConfig;
  secrets: Partial<Record<SecretKey, pulumi.Output<string>>>;
  /** The stack's `aws:region`. */
  region: string;
}

// `isConfigSecret` is exported by the SDK's runtime but missing from its type declarations.
const runtime = pulumi.runtime as typeof pulumi.runtime & { isConfigSecret(key: string): boolean };

/**
 * Reads every `servekit:` key of the running stack, validates it and returns the settings.
 * Throws one StackConfigError listing every problem, before the program registers a resource.
 */
export function loadStackConfig(): LoadedStack {
  const raw: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  const secrets: LoadedStack["secrets"] = {};
  const config = new pulumi.Config(CONFIG_NAMESPACE);

  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    const [namespace, key] = fullKey.split(":", 2);
    if (namespace !== CONFIG_NAMESPACE) continue;
    if ((SECRET_KEYS as readonly string[]).includes(key)) {
      if (!runtime.isConfigSecret(fullKey)) problems.push(plainSecretProblem(key));
      else secrets[key as SecretKey] = config.requireSecret(key);
      continue;
    }
    raw[key] = decodeConfigString(text);
  }

  if (!secrets.hfToken && !problems.some((problem) => problem.path === "hfToken")) {
    problems.push({
      path: "hfToken",
      message:
        "is missing: Llama 4 checkpoints are gated on Hugging Face. Accept the license on the " +
        `model page, then run \`pulumi config set --secret ${CONFIG_NAMESPACE}:hfToken\``,
    });
  }

  const region = pulumi.runtime.allConfig()["aws:region"];
  const parsed = parseStackConfig(raw);
  if (!parsed.ok) problems.unshift(...parsed.problems);
  problems.push(...regionProblems(region));
  if (problems.length > 0 || !parsed.ok) throw new StackConfigError(problems);
  return { config: parsed.config, secrets, region };
}
