import { basename, join } from "node:path";
import { readStackFile, regionProblems, type StackFile } from "../config/load";
import { parseStackConfig } from "../config/parse";
import { StackConfigError, type ConfigProblem } from "../config/problems";
import type { SecretKey, StackConfig } from "../config/schema";
import { deployServekit } from "../program";
import { planDeployment } from "../sizing/planner";
import type { SizingPlan } from "../sizing/types";
import { manifestsOf, writeManifests, type Manifest } from "./manifests";
import { runProgram, type ProgramRun } from "./run";
import { validateManifests, type ManifestError } from "./validate";

/** Location of a stack file and of its manifests, plus test-only replacements. */
export interface OfflinePlanRequest {
  /** Path to a `Pulumi.<stack>.yaml` file. */
  configFile: string;
  /** Folder for the written manifests; default `out/<stack>`. Null writes nothing. */
  outDir?: string | null;
  /** Secret values to use instead of placeholders, as tests pass known values. */
  secrets?: Partial<Record<SecretKey, string>>;
  /** Values that replace the file's keys, as tests change one key of a real stack. */
  overrides?: Record<string, unknown>;
}

/** A finished offline plan. */
export interface OfflinePlan {
  stackName: string;
  config: StackConfig;
  sizing: SizingPlan;
  run: ProgramRun;
  manifests: Manifest[];
  manifestsDir: string | null;
  manifestErrors: ManifestError[];
  /** Warnings from the plan itself (placeholders) followed by the program's. */
  warnings: string[];
}

/** The outcome: a plan, or every problem that stops the stack before any resource exists. */
export type OfflinePlanResult =
  { ok: true; plan: OfflinePlan } | { ok: false; problems: ConfigProblem[] };

/** Placeholder passed to the program for a secret the plan cannot read. */
export function secretPlaceholder(key: SecretKey): string {
  return `plan-placeholder-${key}`;
}

/** Returns the stack name of `Pulumi.<name>.yaml`, or the file's base name otherwise. */
export function stackNameOf(configFile: string): string {
  const match = /^Pulumi\.(.+)\.ya?ml$/.exec(basename(configFile));
  return match ? match[1] : basename(configFile).replace(/\.ya?ml$/, "");
}

/**
 * Plans a stack offline: validates its config, sizes it, runs the real program under Pulumi's
 * mock runtime, and writes and validates the Kubernetes manifests it would apply.
 */
export async function planOffline(request: OfflinePlanRequest): Promise<OfflinePlanResult> {
  const stackName = stackNameOf(request.configFile);
  const file = readStackFile(request.configFile);
  const values = { ...file.values, ...(request.overrides ?? {}) };
  const parsed = parseStackConfig(values);
  const problems = [...file.problems, ...(parsed.ok ? [] : parsed.problems)];
  const sized = parsed.ok ? planDeployment(parsed.config) : undefined;
  if (sized && !sized.ok) problems.push(...sized.problems);
  problems.push(...regionProblems(file.otherNamespaces["aws:region"]));
  if (problems.length > 0 || !parsed.ok || !sized?.ok) return { ok: false, problems };

  const warnings: string[] = [];
  const secrets = secretsForPlan(stackName, file, request.secrets ?? {}, warnings);
  let run: ProgramRun;
  try {
    run = await runProgram(
      { stackName, values, secrets, otherNamespaces: file.otherNamespaces },
      deployServekit,
    );
  } catch (error) {
    if (error instanceof StackConfigError) return { ok: false, problems: error.problems };
    throw error;
  }

  const manifests = manifestsOf(run.resources);
  const manifestsDir = request.outDir === null ? null : (request.outDir ?? join("out", stackName));
  if (manifestsDir) writeManifests(manifests, manifestsDir);
  const manifestErrors = await validateManifests(manifests);
  return {
    ok: true,
    plan: {
      stackName,
      config: parsed.config,
      sizing: sized.plan,
      run,
      manifests,
      manifestsDir,
      manifestErrors,
      warnings: [...warnings, ...run.warnings],
    },
  };
}

function secretsForPlan(
  stackName: string,
  file: StackFile,
  knownSecrets: Partial<Record<SecretKey, string>>,
  warnings: string[],
): Partial<Record<SecretKey, string>> {
  const secrets: Partial<Record<SecretKey, string>> = { ...knownSecrets };
  for (const key of file.encryptedSecrets) {
    if (secrets[key] !== undefined) continue;
    secrets[key] = secretPlaceholder(key);
    warnings.push(
      `servekit:${key} is encrypted in the stack file; the plan uses a placeholder, and ` +
        "`pulumi up` decrypts the real value",
    );
  }
  if (secrets.hfToken === undefined) {
    secrets.hfToken = secretPlaceholder("hfToken");
    warnings.push(
      "servekit:hfToken is not set; the plan uses a placeholder, but `pulumi up` stops until " +
        `you run \`pulumi config set --secret servekit:hfToken -s ${stackName}\``,
    );
  }
  return secrets;
}
