/**
 * The README is the configuration reference: every variable databot reads is documented there, and the quick
 * start shows the two commands that work on a fresh machine.
 */
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");

function variablesReadByConfig(): string[] {
  const dir = path.join(root, "src", "config");
  const names = new Set<string>();
  for (const file of fs.readdirSync(dir)) {
    const source = fs.readFileSync(path.join(dir, file), "utf8");
    for (const match of source.matchAll(/r\.(?:read|require|has)\(\s*"([A-Za-z_]+)"/g)) names.add(match[1]!);
  }
  return [...names].sort();
}

test("every environment variable databot reads is documented in the README", () => {
  const variables = variablesReadByConfig();
  expect(variables.length).toBeGreaterThan(40);
  expect(variables.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
});

test("the quick start shows npm start and npm test", () => {
  expect(readme).toMatch(/npm start/);
  expect(readme).toMatch(/npm test/);
});
