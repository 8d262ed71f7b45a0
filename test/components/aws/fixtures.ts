import { runProgram, type ProgramRun } from "../../../plan/run";
import { stackValues } from "../../support/stack";

export { maverickBf16MultiNodePlan, maverickFp8Plan } from "../../support/plan-fixtures";

/** Runs a program under the mocks with a small valid stack and a test stack name. */
export function runAws(
  program: () => Record<string, unknown> | void,
  values: Record<string, unknown> = {},
): Promise<ProgramRun> {
  return runProgram(
    { stackName: "test", values: stackValues(values), secrets: {}, otherNamespaces: {} },
    async () => program() ?? {},
  );
}
