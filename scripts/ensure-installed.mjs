// Installs what databot needs on a fresh machine: npm dependencies, and Debian's Python packages for the local
// engine when running as root (or with passwordless sudo). Says clearly what to do when it cannot.
import { spawn, spawnSync } from "node:child_process";
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

/** The packages `npm install` always puts in place (optional ones depend on the machine, so they are not counted). */
function expectedPackages() {
  try {
    const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8"));
    return Object.entries(lock.packages ?? {})
      .filter(([key, info]) => key.startsWith("node_modules/") && !info.link && !info.optional)
      .map(([key]) => key);
  } catch {
    return [];
  }
}

/**
 * Runs `npm install` and says how far it got: a counter of packages in place (npm itself shows nothing for
 * minutes), then that it is building, since npm's `prepare` step runs the build before it returns.
 */
function installWithProgress() {
  const expected = expectedPackages();
  const tty = process.stdout.isTTY === true;
  const started = Date.now();
  let shown = "";
  let lastLine = 0;
  const report = (final = false) => {
    const done = expected.filter((key) => existsSync(path.join(root, key, "package.json"))).length;
    const seconds = Math.round((Date.now() - started) / 1000);
    const text =
      done < expected.length
        ? `databot: npm packages ${done}/${expected.length} (${seconds} s)`
        : `databot: npm packages ${done}/${expected.length}; building databot (${seconds} s)`;
    if (tty) {
      process.stdout.write(`\r${text}\x1b[K${final ? "\n" : ""}`);
    } else if (final || (text !== shown && Date.now() - lastLine >= 15_000)) {
      console.log(text);
      lastLine = Date.now();
    }
    shown = text;
  };
  return new Promise((resolve) => {
    // npm's own messages: errors only (the counter says how far it is); the full log stays in npm's log file.
    const child = spawn("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: root,
      stdio: ["inherit", "pipe", "pipe"],
    });
    // What npm and the build print goes above the counter line, which is drawn again below it.
    const forward = (target) => (chunk) => {
      if (tty && shown) process.stdout.write("\r\x1b[K");
      target.write(chunk);
      if (tty && shown) process.stdout.write(shown);
    };
    child.stdout.on("data", forward(process.stdout));
    child.stderr.on("data", forward(process.stderr));
    const timer = expected.length > 0 ? setInterval(() => report(), tty ? 500 : 5000) : undefined;
    child.on("close", (code) => {
      clearInterval(timer);
      if (expected.length > 0) report(true);
      resolve(code === 0);
    });
    child.on("error", () => {
      clearInterval(timer);
      resolve(false);
    });
  });
}

export async function ensureInstalled({ forTests = false } = {}) {
  if (!npmDependenciesCurrent()) {
    const first = !existsSync(path.join(root, "node_modules"));
    console.log(
      first
        ? "databot: first run, so it installs what it needs before it starts:\n" +
            "  1. npm packages and building databot (a few minutes; the count below shows how far it is)\n" +
            "  2. the local engine's Python packages, if Debian's are missing\n" +
            `  3. then ${forTests ? "the tests run" : "databot starts and prints the address to open"}`
        : "databot: package-lock.json changed; updating the npm packages…",
    );
    if (!(await installWithProgress())) {
      console.error("databot: npm install failed; see the messages above (npm's log has the details).");
      process.exit(1);
    }
  } else if (!existsSync(path.join(root, "dist", "src", "cli", "main.js"))) {
    console.log("databot: building…");
    run("npm", ["run", "build"]);
  }
  if (!pythonReady() || (forTests && missingDebianPackages(TEST_PACKAGES).length > 0)) {
    installDebian(forTests ? [...DEBIAN_PACKAGES, ...TEST_PACKAGES] : DEBIAN_PACKAGES);
  }
}

export function packageVersion() {
  return JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")).version;
}
