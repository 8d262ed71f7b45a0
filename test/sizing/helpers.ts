import { parseStackConfig } from "../../config/parse";
import type { StackConfig } from "../../config/schema";
import { planDeployment } from "../../sizing/planner";
import type { SizingPlan } from "../../sizing/types";
import type { ConfigProblem } from "../../config/problems";

/** Keys every test stack needs but that sizing never reads. */
const REQUIRED_KEYS = { cluster: { apiAccessCidrs: ["198.51.100.7/32"] } };

/** Parses a stack the way the program does; throws when the stack itself is invalid. */
export function stack(keys: Record<string, unknown>): StackConfig {
  const parsed = parseStackConfig({ ...REQUIRED_KEYS, ...keys });
  if (!parsed.ok) throw new Error(`invalid test stack: ${JSON.stringify(parsed.problems)}`);
  return parsed.config;
}

/** Plans a stack and returns the plan; throws with the problems when planning fails. */
export function plan(keys: Record<string, unknown>): SizingPlan {
  const result = planDeployment(stack(keys));
  if (!result.ok) throw new Error(`expected a plan, got ${JSON.stringify(result.problems)}`);
  return result.plan;
}

/** Plans a stack that must fail and returns its problems. */
export function problems(keys: Record<string, unknown>): ConfigProblem[] {
  const result = planDeployment(stack(keys));
  if (result.ok)
    throw new Error(`expected problems, got a plan on ${result.plan.gpu.instanceType}`);
  return result.problems;
}
