#!/usr/bin/env node
// Runs `npm test` on other Node majors than this machine's: `node scripts/test-on-node.mjs 26`, or with
// `--others` every major CI tests on (see node-runtime.mjs) except this machine's. Each run happens in a copy
// of the working tree with its own `npm ci`, so native addons (better-sqlite3) are built for that Node and the
// tree's own node_modules stay as they are.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureNodeRuntime, machineMajor, testedMajors } from "./node-runtime.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
  }
}

/** The tree as git sees it: tracked files and new ones that are not ignored (no node_modules, dist, data). */
function copyWorkingTree(target) {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  });
  if (listed.status !== 0) throw new Error("test-on-node needs a git checkout to copy");
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    const from = path.join(root, file);
    const to = path.join(target, file);
    mkdirSync(path.dirname(to), { recursive: true });
    try {
      cpSync(from, to, { preserveTimestamps: true });
    } catch (error) {
      if (error.code !== "ENOENT") throw error; // deleted but not yet committed
    }
  }
}

function testOn(major) {
  const started = Date.now();
  const runtime = ensureNodeRuntime(major);
  const work = mkdtempSync(path.join(os.tmpdir(), `databot-node${major}-`));
  console.log(`\n=== npm test on Node ${runtime.version} (in ${work}) ===`);
  try {
    copyWorkingTree(work);
    const env = {
      ...process.env,
      PATH: `${runtime.bin}${path.delimiter}${process.env.PATH ?? ""}`,
      ...(runtime.nodedir ? { npm_config_nodedir: runtime.nodedir } : {}),
    };
    const check = spawnSync("node", ["--version"], { env, encoding: "utf8" });
    if (check.stdout.trim() !== `v${runtime.version}`) {
      throw new Error(`expected Node ${runtime.version} first on PATH, found ${check.stdout.trim()}`);
    }
    run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: work, env });
    run("npm", ["test"], { cwd: work, env });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`=== Node ${runtime.version}: npm test passed (${minutes} min including npm ci) ===`);
}

const args = process.argv.slice(2);
const majors = args.includes("--others")
  ? testedMajors().filter((major) => major !== machineMajor)
  : args.map(Number);
if (args.includes("--others") && majors.length === 0) {
  console.log(`test-on-node: Node ${machineMajor} is the only major to test on, and npm test ran on it.`);
  process.exit(0);
}
if (majors.length === 0 || majors.some((major) => !Number.isInteger(major))) {
  console.error("usage: node scripts/test-on-node.mjs <major>... | --others");
  process.exit(2);
}
try {
  for (const major of majors) testOn(major);
} catch (error) {
  console.error(`\ntest-on-node: ${error.message}`);
  process.exit(1);
}
