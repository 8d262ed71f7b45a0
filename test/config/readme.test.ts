import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SECRET_KEYS, stackConfigSchema } from "../../config/schema";

// The README's configuration table is what users read; it must name every key the schema takes.
describe("README configuration table", () => {
  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf("## Configuration");
  const end = readme.indexOf("## Architecture");
  const table = readme.slice(start, end);

  // A renamed heading would widen the slice to the whole README or empty it.
  it("finds the configuration section", () => {
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
  });

  it.each([...Object.keys(stackConfigSchema.shape), ...SECRET_KEYS])("lists %s", (key) => {
    expect(table).toContain(`\`${key}\``);
  });
});
