#!/usr/bin/env node
// `npm start`: install what is missing, build, then serve databot with every surface that is configured
// (with no configuration: the local engine and the browser chat).
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureInstalled } from "./ensure-installed.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
await ensureInstalled();

console.log("databot: building…");
const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) {
  console.error("databot: the build failed; see the messages above.");
  process.exit(1);
}
console.log("databot: starting…");

const child = spawn(
  process.execPath,
  [path.join(root, "dist", "src", "cli", "main.js"), "serve", ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
