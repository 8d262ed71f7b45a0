import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SECRET_KEYS, stackConfigSchema } from "../../config/schema";

// The README's configuration table is what users read; it must name every key the schema takes.
describe("README configuration table", () => {
  const readme = readFileSync("README.md", "utf8");
  const table = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Architecture"));

  it.each([...Object.keys(stackConfigSchema.shape), ...SECRET_KEYS])("lists %s", (key) => {
    expect(table).toContain(`\`${key}\``);
  });
});
