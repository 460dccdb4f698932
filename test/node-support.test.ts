/**
 * One Node.js story told the same way everywhere: the README's requirement, `engines`, the container image,
 * the native addon that must build on each, and CI, which tests the oldest major `engines` allows and the one
 * the image ships.
 */
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
const minimum = /^>=(\d+)\.(\d+)$/.exec(engines);
const imageMajors = [...read("Dockerfile").matchAll(/^FROM\s+node:(\d+)/gm)].map((m) => Number(m[1]));

test("engines names a minimum version, and the README states that same minimum", () => {
  expect(minimum).not.toBeNull();
  const [, major, minor] = minimum!;
  expect(read("README.md")).toContain(`Node.js ${major}.${minor} or later`);
});

test("every stage of the image runs one Node major that engines allows, and the README names it", () => {
  expect(imageMajors.length).toBeGreaterThan(0);
  expect(new Set(imageMajors).size).toBe(1);
  expect(imageMajors[0]).toBeGreaterThanOrEqual(Number(minimum![1]));
  expect(read("README.md")).toContain(`the container image runs Node.js ${imageMajors[0]}`);
});

test("better-sqlite3 declares support for both majors CI tests on", () => {
  const declared = (
    JSON.parse(read("node_modules/better-sqlite3/package.json")) as { engines: { node: string } }
  ).engines.node
    .split("||")
    .map((range) => range.trim());
  for (const major of [Number(minimum![1]), imageMajors[0]!]) expect(declared).toContain(`${major}.x`);
});

test("CI runs npm test on this machine's Node and then on the other majors it covers", () => {
  const ci = read(".ci/run");
  expect(ci.indexOf("npm test")).toBeGreaterThan(-1);
  expect(ci.indexOf("node scripts/test-on-node.mjs --others")).toBeGreaterThan(ci.indexOf("npm test"));
});
