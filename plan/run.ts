import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "../config/load";
import type { SecretKey } from "../config/schema";
import { PlanMocks } from "./mocks";

/** Input of an offline run: the stack's name and its config, as written in a stack file. */
export interface ProgramRunInput {
  stackName: string;
  /** `servekit:` keys without the prefix, with YAML types. */
  values: Record<string, unknown>;
  /** Secret values by key; the offline plan passes placeholders for encrypted ones. */
  secrets: Partial<Record<SecretKey, string>>;
  /** Keys of other namespaces such as `aws:region`, with their prefix. */
  otherNamespaces: Record<string, unknown>;
}

/** One resource the program registered, as the plan reports it. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent resource; absent only for the root stack. */
  parent?: string;
  /** URNs listed in the resource's explicit `dependsOn`. */
  dependsOn: string[];
  custom: boolean;
  /** Inputs as the mock runtime received them, with outputs resolved. */
  inputs: Record<string, unknown>;
}

/** The outcome of running the program under mocks. */
export interface ProgramRun {
  outputs: Record<string, unknown>;
  resources: RecordedResource[];
  /** Messages the program logged with `pulumi.log.warn`. */
  warnings: string[];
}

interface PendingRecord {
  type: string;
  name: string;
  custom: boolean;
  parent?: pulumi.Resource;
  dependsOn:
    pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined;
}

// `waitForRPCs` is exported by the SDK's runtime but missing from its type declarations.
const sdkRuntime = pulumi.runtime as typeof pulumi.runtime & { waitForRPCs(): Promise<void> };

/** AWS region used when the stack sets no `aws:region`. */
export const DEFAULT_REGION = "us-east-1";

/**
 * Runs a Pulumi program under the mock runtime with the given stack config and records every
 * resource it registers, with parent, explicit `dependsOn` and inputs. Nothing leaves the process.
 */
export async function runProgram(
  input: ProgramRunInput,
  program: () => Promise<Record<string, unknown>>,
  mocks: PlanMocks = new PlanMocks(regionOf(input)),
): Promise<ProgramRun> {
  const region = regionOf(input);
  pulumi.runtime.setAllConfig(configEntries(input, region), secretConfigKeys(input));
  await pulumi.runtime.setMocks(mocks, "servekit", input.stackName, false);

  const pending: PendingRecord[] = [];
  const warnings: string[] = [];
  const restoreWarn = captureWarnings(warnings);
  let programOutputs: Record<string, unknown> = {};
  // A program error is held and raised after the stack settles: letting it reject inside the
  // stack's constructor leaves promises in the SDK that reject with no handler.
  let programError: unknown;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        pending.push({
          type: args.type,
          name: args.name,
          custom: args.resource instanceof pulumi.CustomResource,
          parent: args.opts.parent,
          dependsOn: args.opts.dependsOn,
        });
        return undefined;
      });
      try {
        programOutputs = await program();
      } catch (error) {
        programError = error;
      }
      return programOutputs;
    });
    await sdkRuntime.waitForRPCs();
    if (programError !== undefined) throw programError;
  } finally {
    restoreWarn();
  }
  const resources = await resolveRecords(pending, mocks);
  return { outputs: await resolveOutputs(programOutputs), resources, warnings };
}

/** Returns the stack's `aws:region`, or the default region when it sets none. */
export function regionOf(input: ProgramRunInput): string {
  return String(input.otherNamespaces["aws:region"] ?? DEFAULT_REGION);
}

function configEntries(input: ProgramRunInput, region: string): Record<string, string> {
  const entries: Record<string, string> = { "aws:region": region };
  const encode = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));
  for (const [key, value] of Object.entries(input.otherNamespaces)) entries[key] = encode(value);
  for (const [key, value] of Object.entries(input.values)) {
    entries[`${CONFIG_NAMESPACE}:${key}`] = encode(value);
  }
  for (const [key, value] of Object.entries(input.secrets)) {
    if (value !== undefined) entries[`${CONFIG_NAMESPACE}:${key}`] = value;
  }
  return entries;
}

function secretConfigKeys(input: ProgramRunInput): string[] {
  return Object.keys(input.secrets).map((key) => `${CONFIG_NAMESPACE}:${key}`);
}

/** Collects `pulumi.log.warn` messages, which the SDK writes to the console when mocked. */
function captureWarnings(warnings: string[]): () => void {
  const original = console.warn;
  const prefix = "warning: [runtime] ";
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (text.startsWith(prefix)) warnings.push(text.slice(prefix.length));
    else original(...args);
  };
  return () => {
    console.warn = original;
  };
}

async function resolveRecords(
  pending: PendingRecord[],
  mocks: PlanMocks,
): Promise<RecordedResource[]> {
  // The mock monitor's URNs keep only the parent's last type, so each one is mapped to the URN
  // the engine would assign, which carries the whole chain of parent types.
  const rootUrn = await urnOf(pulumi.runtime.getStackResource() as pulumi.Resource);
  const engineUrns = new Map<string, string>([[rootUrn, rootUrn]]);
  const records: RecordedResource[] = [];
  for (const item of pending) {
    const mockParentUrn = item.parent ? await urnOf(item.parent) : rootUrn;
    const parent = engineUrns.get(mockParentUrn) ?? mockParentUrn;
    const urn = childUrn(parent, item.type, item.name, rootUrn);
    engineUrns.set(mockChildUrn(mockParentUrn, item.type, item.name), urn);
    const inputs = mocks.resources.find(
      (r) => r.type === item.type && r.name === item.name,
    )?.inputs;
    records.push({
      urn,
      type: item.type,
      name: item.name,
      parent,
      dependsOn: [],
      custom: item.custom,
      inputs: inputs ?? {},
    });
  }
  for (const [index, item] of pending.entries()) {
    const mockUrns = await resolveDependsOn(item.dependsOn);
    records[index].dependsOn = mockUrns.map((urn) => engineUrns.get(urn) ?? urn).sort();
  }
  return records;
}

async function resolveDependsOn(dependsOn: PendingRecord["dependsOn"]): Promise<string[]> {
  if (!dependsOn) return [];
  const resolved = await new Promise<unknown>((resolve) => pulumi.output(dependsOn).apply(resolve));
  const list = (Array.isArray(resolved) ? resolved : [resolved]) as pulumi.Resource[];
  return Promise.all(list.filter(Boolean).map(urnOf));
}

function urnOf(resource: pulumi.Resource): Promise<string> {
  return new Promise((resolve) => resource.urn.apply(resolve));
}

/** Builds a URN the way the engine does: the parent's type chain, `$`, the child's type. */
function childUrn(parentUrn: string, type: string, name: string, rootUrn: string): string {
  const [prefix, project, parentType] = parentUrn.split("::");
  const qualifiedType = parentUrn === rootUrn ? type : `${parentType}$${type}`;
  return [prefix, project, qualifiedType, name].join("::");
}

/** Builds a URN the way Pulumi's mock monitor does: only the parent's last type, `$`, the type. */
function mockChildUrn(parentUrn: string, type: string, name: string): string {
  const [prefix, project, parentType] = parentUrn.split("::");
  const lastType = parentType.split("$").pop() as string;
  return [prefix, project, `${lastType}$${type}`, name].join("::");
}

/** Placeholder that stands for a secret stack output in plan results. */
export const SECRET_OUTPUT = "[secret]";

/** Resolves stack outputs, replacing each secret one with a placeholder. */
async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) {
    const output = pulumi.output(value as pulumi.Input<unknown>) as pulumi.Output<unknown>;
    const secret = await pulumi.isSecret(output);
    resolved[key] = secret ? SECRET_OUTPUT : await new Promise((resolve) => output.apply(resolve));
  }
  return resolved;
}
