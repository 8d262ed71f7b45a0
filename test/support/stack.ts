import { parseStackConfig } from "../../config/parse";
import type { StackConfig } from "../../config/schema";
import type { ProgramRun, RecordedResource } from "../../plan/run";

/** Secret values fed to test runs, so that tests can scan everything rendered for them. */
export const TEST_SECRETS = {
  hfToken: "hf_test_token_5f3b9c1d7e",
  apiKey: "sk-test-api-key-8a2e4f6b",
} as const;

/** Returns the keys of a small valid stack, with the overrides a test needs. */
export function stackValues(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: "llama-4-scout",
    quantization: "int4",
    gpu: "h100-80gb",
    cluster: { apiAccessCidrs: ["198.51.100.7/32"] },
    ...overrides,
  };
}

/** Parses stack keys and fails the test with every problem when they are invalid. */
export function parsedConfig(overrides: Record<string, unknown> = {}): StackConfig {
  const result = parseStackConfig(stackValues(overrides));
  if (!result.ok) throw new Error(`test stack is invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}

/** Returns every recorded resource of a type. */
export function resourcesOfType(run: ProgramRun, type: string): RecordedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

/** Returns the one resource of a type and name, failing with the names present when absent. */
export function resourceNamed(run: ProgramRun, type: string, name: string): RecordedResource {
  const match = run.resources.find((resource) => resource.type === type && resource.name === name);
  if (!match) {
    const present = resourcesOfType(run, type).map((resource) => resource.name);
    throw new Error(`no ${type} named ${name}; present: ${present.join(", ") || "none"}`);
  }
  return match;
}
