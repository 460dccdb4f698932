// Installs what databot needs on a fresh machine: npm dependencies, and Debian's Python packages for the local
// engine when running as root (or with passwordless sudo). Says clearly what to do when it cannot.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Debian packages: the sandbox (bubblewrap), Python's data stack, and Chromium for the browser test. */
const DEBIAN_PACKAGES = [
  "bubblewrap",
  "python3-pandas",
  "python3-numpy",
  "python3-matplotlib",
  "python3-openpyxl",
  "python3-docx",
  "python3-pypdf",
  "python3-seccomp",
  "python3-scipy",
  "python3-pil",
  "python3-lxml",
  "fonts-dejavu-core",
];
const TEST_PACKAGES = ["chromium"];

function run(command, args, options = {}) {
  return spawnSync(command, args, { stdio: "inherit", cwd: root, ...options });
}

function npmDependenciesCurrent() {
  const lock = path.join(root, "package-lock.json");
  const marker = path.join(root, "node_modules", ".package-lock.json");
  if (!existsSync(marker)) return false;
  return !existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

function pythonReady() {
  const probe = spawnSync("/usr/bin/python3", ["-c", "import pandas, matplotlib, openpyxl, seccomp"], {
    stdio: "ignore",
  });
  return probe.status === 0 && existsSync("/usr/bin/bwrap");
}

function missingDebianPackages(packages) {
  return packages.filter((name) => {
    const q = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
    return !(q.stdout ?? "").includes("install ok installed");
  });
}

function installDebian(packages) {
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return true;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const sudo = !isRoot && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
  if (!isRoot && !sudo) {
    console.warn(
      `databot: these Debian packages are missing: ${missing.join(" ")}\n` +
        `  Install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(" ")}`,
    );
    return false;
  }
  const prefix = isRoot ? [] : ["sudo", "-n"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  console.log(`databot: installing Debian packages: ${missing.join(" ")}`);
  const apt = (args) => {
    const [command, ...rest] = [...prefix, "apt-get", ...args];
    return run(command, rest, { env });
  };
  if (
    apt(["update"]).status !== 0 ||
    apt(["install", "-y", "--no-install-recommends", ...missing]).status !== 0
  ) {
    console.warn(`databot: apt-get could not install ${missing.join(" ")}; the local engine may not run.`);
    return false;
  }
  return true;
}

export function ensureInstalled({ forTests = false } = {}) {
  if (!npmDependenciesCurrent()) {
    console.log("databot: installing npm dependencies…");
    const result = run("npm", ["install", "--no-audit", "--no-fund"]);
    if (result.status !== 0) {
      console.error("databot: npm install failed; see the messages above.");
      process.exit(1);
    }
  } else if (!existsSync(path.join(root, "dist", "src", "cli", "main.js"))) {
    run("npm", ["run", "build"]);
  }
  if (!pythonReady() || (forTests && missingDebianPackages(TEST_PACKAGES).length > 0)) {
    installDebian(forTests ? [...DEBIAN_PACKAGES, ...TEST_PACKAGES] : DEBIAN_PACKAGES);
  }
}

export function packageVersion() {
  return JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version;
}
