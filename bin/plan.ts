import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatProblems, type ConfigProblem } from "../config/problems";
import { planOffline } from "../plan/offline";
import { errorsJson, planJson, planText } from "../plan/report";

const USAGE = `Usage:
  npm run plan -- <stack> [--json] [--out DIR]
  npm run plan -- --config-file PATH [--json] [--out DIR]

Sizes a servekit stack, runs the Pulumi program under Pulumi's mock runtime, prints the
sizing report and every resource, and writes the Kubernetes manifests.

  <stack>             name of stacks/Pulumi.<stack>.yaml
  --config-file PATH  a Pulumi.<name>.yaml file anywhere
  --json              print one JSON object instead of the report
  --out DIR           folder for the manifests (default out/<stack>)
  --help              print this text`;

interface CliOptions {
  configFile: string;
  json: boolean;
  outDir?: string;
}

/** Parses the command line; returns problems when it is not usable. */
function parseCommandLine(argv: string[]): CliOptions | ConfigProblem[] {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "config-file": { type: "string" },
      json: { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const fileOption = values["config-file"];
  const stackCount = positionals.length + (fileOption ? 1 : 0);
  if (stackCount !== 1) {
    return [{ path: "(command line)", message: `give one stack name or --config-file\n${USAGE}` }];
  }
  const configFile = fileOption ?? join("stacks", `Pulumi.${positionals[0]}.yaml`);
  if (!existsSync(configFile)) {
    const known = fileOption ? "" : `; stacks in stacks/: ${stackNames().join(", ")}`;
    return [{ path: "(command line)", message: `stack file ${configFile} was not found${known}` }];
  }
  return { configFile, json: values.json ?? false, outDir: values.out };
}

/** Names of the stack files in stacks/, for the message about an unknown stack. */
function stackNames(): string[] {
  if (!existsSync("stacks")) return [];
  return readdirSync("stacks")
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((name): name is string => Boolean(name))
    .sort();
}

function fail(problems: ConfigProblem[], json: boolean): never {
  const commandLine = problems.every((problem) => problem.path === "(command line)");
  console.error(
    commandLine
      ? problems.map((problem) => `servekit plan: ${problem.message}`).join("\n")
      : formatProblems(problems),
  );
  if (json) console.log(JSON.stringify(errorsJson(problems), null, 2));
  process.exit(1);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let options: CliOptions | ConfigProblem[];
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    options = [{ path: "(command line)", message: `${(error as Error).message}\n${USAGE}` }];
  }
  if (Array.isArray(options)) return fail(options, argv.includes("--json"));

  const result = await planOffline({ configFile: options.configFile, outDir: options.outDir });
  if (!result.ok) return fail(result.problems, options.json);
  const plan = result.plan;
  console.log(options.json ? JSON.stringify(planJson(plan), null, 2) : planText(plan));
  if (plan.manifestErrors.length > 0) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(2);
});
