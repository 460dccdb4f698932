/**
 * Finds the Python files the sandbox ships (runner.py, seccomp_filter.py). They sit next to this module in
 * `src/`; the TypeScript build does not copy them, so code running from `dist/` looks in the source tree.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";

const SCRIPT_DIR_CANDIDATES = [
  __dirname,
  // dist/src/… -> src/…: the sources' copy, when the build did not copy the Python files
  __dirname.replace(`${path.sep}dist${path.sep}src${path.sep}`, `${path.sep}src${path.sep}`),
];

/** The absolute path of a Python file shipped with the sandbox. */
export function sandboxScriptPath(name: "runner.py" | "seccomp_filter.py"): string {
  for (const dir of SCRIPT_DIR_CANDIDATES) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    `databot's sandbox file ${name} is missing (looked in ${SCRIPT_DIR_CANDIDATES.join(", ")})`,
  );
}

let runnerSource: Promise<Buffer> | undefined;

/** The runner's source, read once; it is sent to the sandbox over its stdin, so no host path is mounted. */
export function readRunnerSource(): Promise<Buffer> {
  runnerSource ??= readFile(sandboxScriptPath("runner.py"));
  return runnerSource;
}

/**
 * What `python3 -c` runs first in the sandbox: it reads one length-prefixed frame (the runner) from stdin and
 * executes it. Raw `os.read` keeps the following frames unread for the runner.
 */
export const BOOTSTRAP = [
  "import os,struct",
  "def r(n):",
  ' b=b""',
  " while len(b)<n:",
  "  c=os.read(0,n-len(b))",
  "  if not c: os._exit(3)",
  "  b+=c",
  " return b",
  'exec(compile(r(struct.unpack(">I",r(4))[0]),"<databot-runner>","exec"),{"__name__":"__main__"})',
].join("\n");
