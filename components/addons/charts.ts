import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** Folder of the pinned chart files, one YAML file per add-on. */
export const CHARTS_DIR = join(__dirname, "..", "..", "charts");

/** Add-ons pinned in `charts/`, each named after its file (`charts/<addon>.yaml`). */
export const ADDONS = [
  "nvidia-device-plugin",
  "keda",
  "prometheus",
  "aws-load-balancer-controller",
  "cluster-autoscaler",
  "lws",
  "aws-efa-k8s-device-plugin",
] as const;
export type Addon = (typeof ADDONS)[number];

/**
 * Exact semantic version, with an optional pre-release and build part. A leading `v` is allowed
 * because the EFA chart publishes `v0.5.30`. Ranges, `latest` and partial versions do not match.
 */
const PINNED_VERSION =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Kubernetes namespace name rules (RFC 1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const chartFileSchema = z
  .strictObject({
    /** Helm repository URL, absent when `chart` is an `oci://` reference. */
    repository: z
      .string()
      .regex(/^https:\/\/\S+$/, { message: "must be an https:// Helm repository URL" })
      .optional(),
    /** Chart name in the repository, or a full `oci://` chart reference. */
    chart: z.string().min(1, { message: "must name the chart" }),
    /** Exact chart version. */
    version: z.string().regex(PINNED_VERSION, {
      message:
        "must be an exact semantic version such as 2.20.2 or v0.5.30, never latest or a range",
    }),
    /** Namespace the release installs into. */
    namespace: z.string().regex(NAMESPACE_NAME, {
      message: "must be a Kubernetes namespace name (lowercase letters, digits and dashes)",
    }),
    /** Chart values, into which the program merges the values that depend on the stack. */
    values: z.record(z.string(), z.unknown()).default({}),
  })
  .superRefine((file, context) => {
    const oci = file.chart.startsWith("oci://");
    if (oci && file.repository !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["repository"],
        message: "must be absent when chart is an oci:// reference",
      });
    }
    if (!oci && file.repository === undefined) {
      context.addIssue({
        code: "custom",
        path: ["repository"],
        message: "is required unless chart is an oci:// reference",
      });
    }
  });

/** A validated chart file: where the chart comes from, its pinned version and its values. */
export type ChartSpec = z.output<typeof chartFileSchema> & {
  /** Path of the file the spec was read from, for error messages. */
  file: string;
};

/** One thing wrong with a chart file, addressed by its field path (`values`, `version`). */
export interface ChartFileProblem {
  field: string;
  message: string;
}

/** Error for a chart file that cannot be read or is invalid, listing every problem in the file. */
export class ChartFileError extends Error {
  readonly file: string;
  readonly problems: ChartFileProblem[];

  constructor(file: string, problems: ChartFileProblem[]) {
    const lines = problems.map((problem) => `  - ${problem.field}: ${problem.message}`);
    super(`Chart file ${file} is invalid:\n${lines.join("\n")}`);
    this.name = "ChartFileError";
    this.file = file;
    this.problems = problems;
  }
}

/** Reads and validates one chart file, raising `ChartFileError` with every problem found. */
export function loadChartFile(file: string): ChartSpec {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ChartFileError(file, [{ field: "(file)", message: `could not be read: ${reason}` }]);
  }
  const result = chartFileSchema.safeParse(document);
  if (!result.success) {
    throw new ChartFileError(file, result.error.issues.map(problemOf));
  }
  return { ...result.data, file };
}

function problemOf(issue: z.core.$ZodIssue): ChartFileProblem {
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.join(", ");
    return {
      field: keys,
      message: "is not a chart file field (allowed: repository, chart, version, namespace, values)",
    };
  }
  const field = issue.path.length > 0 ? issue.path.join(".") : "(file)";
  return { field, message: issue.message };
}

/** Reads the pinned chart file of an add-on from `charts/`. */
export function loadAddonChart(addon: Addon): ChartSpec {
  return loadChartFile(join(CHARTS_DIR, `${addon}.yaml`));
}

/**
 * Returns a value the program relies on from a chart file's values, by dotted path
 * (`server.service.servicePort`), raising `ChartFileError` when it is missing or not a scalar.
 */
export function requiredChartValue(chart: ChartSpec, path: string): string {
  let value: unknown = chart.values;
  for (const key of path.split(".")) {
    value =
      typeof value === "object" && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  if (typeof value !== "string" && typeof value !== "number") {
    throw new ChartFileError(chart.file, [
      {
        field: `values.${path}`,
        message: "is required by servekit and must be a string or number",
      },
    ]);
  }
  return String(value);
}
