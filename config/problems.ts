import type { z } from "zod";

/** One thing wrong with a stack, addressed by its key path (`replicas.max`). */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** Raised when a stack is invalid or cannot be served; lists every problem found at once. */
export class StackConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = "StackConfigError";
    this.problems = problems;
  }
}

/** Formats problems as one line each, prefixed with the `servekit:` key they concern. */
export function formatProblems(problems: ConfigProblem[]): string {
  const key = (path: string) =>
    path.includes(":") || path.startsWith("(") ? path : `servekit:${path}`;
  const lines = problems.map((problem) => `  - ${key(problem.path)}: ${problem.message}`);
  const noun = problems.length === 1 ? "problem" : "problems";
  return `The stack configuration has ${problems.length} ${noun}:\n${lines.join("\n")}`;
}

/** Renders a config value as it would be written in YAML, for quoting it back in a message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** Converts zod issues to problems that name the key, the value given and what is allowed. */
export function problemsFromZod(
  error: z.ZodError,
  input: unknown,
  keysAt: (path: string[]) => string[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const suggestion = closestKey(key, keysAt(base));
        const hint = suggestion
          ? `did you mean "${suggestion}"?`
          : "remove it or check its spelling";
        problems.push({
          path: [...base, key].join("."),
          message: `is not a servekit setting; ${hint}`,
        });
      }
      continue;
    }
    const value = valueAt(input, issue.path);
    const path = base.join(".") || "(root)";
    problems.push({ path, message: issueMessage(issue, value, path) });
  }
  return problems;
}

function issueMessage(issue: z.core.$ZodIssue, value: unknown, path: string): string {
  const received = `got ${describeValue(value)}`;
  if (value === undefined && issue.code === "invalid_value") {
    return `is required but missing; set it to one of ${issue.values.map(String).join(", ")}`;
  }
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return `is required but missing; set it in the stack file`;
      if (issue.expected === "int") return `must be a whole number; ${received}`;
      return (
        quotedScalarMessage(issue.expected, value, path) ??
        `must be ${article(issue.expected)}; ${received}`
      );
    case "invalid_value":
      if (typeof value === "number" && issue.values.every((v) => typeof v === "string")) {
        return (
          `must be one of ${issue.values.map(String).join(", ")}, written in quotes because ` +
          `YAML reads an unquoted ${value} as a number; ${received}`
        );
      }
      return `must be one of ${issue.values.map((v) => String(v)).join(", ")}; ${received}`;
    case "too_small":
      return `must be ${issue.origin === "array" ? "a list of" : ""}${boundText("at least", issue.minimum, issue.inclusive, issue.origin)}; ${received}`;
    case "too_big":
      return `must be ${boundText("at most", issue.maximum, issue.inclusive, issue.origin)}; ${received}`;
    case "invalid_key":
      return `is not a valid key: ${issue.issues.map((inner) => inner.message).join("; ")}`;
    default:
      return `${issue.message}; ${received}`;
  }
}

/**
 * Explains a number or boolean written as a string. `pulumi config set` stores top-level values
 * as strings unless it is given `--type`, so the message names that flag.
 */
function quotedScalarMessage(expected: string, value: unknown, path: string): string | undefined {
  if (typeof value !== "string" || (expected !== "number" && expected !== "boolean"))
    return undefined;
  const decoded = expected === "number" ? Number(value) : value;
  const isNumber = expected === "number" && value.trim() !== "" && Number.isFinite(decoded);
  const isBoolean = expected === "boolean" && (value === "true" || value === "false");
  if (!isNumber && !isBoolean) return `must be ${article(expected)}; got ${describeValue(value)}`;
  const type = isBoolean ? "bool" : Number.isInteger(decoded) ? "int" : "float";
  const setCommand = path.includes(".") ? `--path --type ${type}` : `--type ${type}`;
  return (
    `must be ${article(expected)}, not the string ${describeValue(value)}. Remove the quotes in ` +
    `the stack file, or set it with \`pulumi config set ${setCommand} servekit:${path} ${value}\`, ` +
    "because pulumi config set stores strings unless given a type"
  );
}

function boundText(
  direction: "at least" | "at most",
  bound: number | bigint,
  inclusive: boolean | undefined,
  origin: string,
): string {
  if (origin === "array") return ` ${direction} ${bound} item${bound === 1 ? "" : "s"}`;
  if (origin === "string") return `${direction} ${bound} characters long`;
  if (inclusive === false) return `${direction === "at least" ? "greater" : "less"} than ${bound}`;
  return `${direction} ${bound}`;
}

function article(expected: string): string {
  if (expected === "object") return "a mapping of keys to values";
  if (expected === "array") return "a list";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function closestKey(key: string, candidates: string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 4)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
