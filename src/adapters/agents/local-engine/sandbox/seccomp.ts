/**
 * Compiles the sandbox's seccomp filter (see seccomp_filter.py) once per process with Debian's python3-seccomp.
 */
import { execFile } from "node:child_process";
import { sandboxScriptPath } from "./python-scripts";

let compiled: Promise<Buffer> | undefined;

/** The filter as BPF bytes, ready for `bwrap --seccomp FD`. Rejects with python's complaint when it cannot. */
export function compileSeccompFilter(python: string): Promise<Buffer> {
  compiled ??= new Promise<Buffer>((resolve, reject) => {
    execFile(
      python,
      ["-I", "-B", sandboxScriptPath("seccomp_filter.py")],
      { encoding: "buffer", env: {}, timeout: 30_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error || stdout.length === 0 || stdout.length % 8 !== 0) {
          const why = stderr.toString("utf8").trim().split("\n").pop() ?? error?.message ?? "no output";
          reject(new Error(`could not build the seccomp filter: ${why}`));
          return;
        }
        resolve(stdout);
      },
    );
  });
  compiled.catch(() => {
    compiled = undefined; // let a later start try again (e.g. after the package was installed)
  });
  return compiled;
}
