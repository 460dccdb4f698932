#!/usr/bin/env node
// The whole suite: install what is missing, then type-check (the server and the browser chat), lint, format
// check, unused-code check and jest.
import { spawnSync } from "node:child_process";
import { ensureInstalled } from "./ensure-installed.mjs";

await ensureInstalled({ forTests: true });

const steps = [
  ["type-check", "npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]],
  ["type-check (browser chat)", "npx", ["tsc", "-p", "tsconfig.web.json"]],
  ["lint", "npx", ["eslint", "."]],
  ["format", "npx", ["prettier", "--check", "."]],
  // Unused files, exports and dependencies (knip.json names the entry points).
  ["unused code", "npx", ["knip"]],
  ["jest", "npx", ["jest", ...process.argv.slice(2)]],
];

for (const [name, command, args] of steps) {
  console.log(`\n== ${name} ==`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`\n${name} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}
