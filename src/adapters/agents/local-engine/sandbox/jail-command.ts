/**
 * The command line that starts one sandbox: `env -i` (nothing of the host's environment), `prlimit` (memory,
 * CPU, processes, file size, open files, no core dumps), `setpriv` (a dedicated unprivileged uid when databot
 * runs as root), then bubblewrap (new namespaces of every kind, no network, read-only system, a private `/tmp`
 * and `/mnt/data`, a seccomp filter) running the Python runner as process 1.
 */
import { BOOTSTRAP } from "./python-scripts";

const MB = 1024 * 1024;

/** File descriptors the sandbox is spawned with, beyond stdin/stdout/stderr. */
export const INFO_FD = 3;
export const SECCOMP_FD = 4;

export interface SandboxLimits {
  memoryMb: number;
  /** RLIMIT_CPU for every process of the sandbox; the runner lowers it per cell. */
  sessionCpuSeconds: number;
  diskMb: number;
  tmpMb: number;
  /** RLIMIT_NPROC; counts processes and threads of the sandbox's uid. */
  maxProcesses: number;
  openFiles: number;
}

export interface JailCommandOptions {
  python: string;
  limits: SandboxLimits;
  /** Switch to this uid and gid before bubblewrap (databot runs as root). */
  uid?: number;
  /** When false, no bubblewrap (development mode only). */
  isolated: boolean;
  /** Without isolation: the host directory used as HOME and TMPDIR. */
  hostTmpDir?: string;
  /** The bubblewrap binary (default /usr/bin/bwrap). */
  bubblewrap?: string;
}

export interface JailCommand {
  command: string;
  args: string[];
}

/** The fixed environment inside the sandbox: nothing comes from the host. */
export const SANDBOX_ENV: Readonly<Record<string, string>> = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/tmp",
  TMPDIR: "/tmp",
  LANG: "C.UTF-8",
  MPLBACKEND: "Agg",
  MPLCONFIGDIR: "/tmp/.matplotlib",
  XDG_CACHE_HOME: "/tmp/.cache",
  // One BLAS thread: less memory per interpreter and no contention between sessions on small machines.
  OPENBLAS_NUM_THREADS: "1",
  OMP_NUM_THREADS: "1",
};

/** System files the sandbox sees, read-only. `-try` variants are skipped when absent. */
const ETC_FILES = [
  "/etc/alternatives",
  "/etc/ld.so.cache",
  "/etc/localtime",
  "/etc/matplotlibrc",
  "/etc/fonts",
  "/etc/mime.types",
];

function prlimitArgs(limits: SandboxLimits): string[] {
  return [
    `--as=${limits.memoryMb * MB}`,
    `--cpu=${limits.sessionCpuSeconds}`,
    `--nproc=${limits.maxProcesses}`,
    `--fsize=${limits.diskMb * MB}`,
    `--nofile=${limits.openFiles}`,
    "--core=0",
  ];
}

function bwrapArgs(limits: SandboxLimits): string[] {
  const args = [
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--die-with-parent",
    "--new-session",
    "--clearenv",
    "--as-pid-1",
    "--hostname",
    "sandbox",
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/sbin",
    "/sbin",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
  ];
  for (const file of ETC_FILES) args.push("--ro-bind-try", file, file);
  args.push(
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--size",
    String(limits.tmpMb * MB),
    "--tmpfs",
    "/tmp",
    "--size",
    String(Math.max(16, Math.floor(limits.tmpMb / 4)) * MB),
    "--tmpfs",
    "/dev/shm",
    "--dir",
    "/mnt",
    // A tmpfs of its own: the kernel enforces the session's disk quota, and the files vanish with the sandbox.
    "--size",
    String(limits.diskMb * MB),
    "--perms",
    "0755",
    "--tmpfs",
    "/mnt/data",
    "--remount-ro",
    "/",
    "--chdir",
    "/mnt/data",
  );
  for (const [name, value] of Object.entries(SANDBOX_ENV)) args.push("--setenv", name, value);
  args.push("--info-fd", String(INFO_FD), "--seccomp", String(SECCOMP_FD));
  return args;
}

/** Builds the whole command; the caller spawns it with an empty environment and the fds above. */
export function jailCommand(options: JailCommandOptions): JailCommand {
  const python = [options.python, "-I", "-B", "-c", BOOTSTRAP];
  if (!options.isolated) {
    const tmp = options.hostTmpDir ?? "/tmp";
    const env = {
      ...SANDBOX_ENV,
      HOME: tmp,
      TMPDIR: tmp,
      MPLCONFIGDIR: `${tmp}/.matplotlib`,
      XDG_CACHE_HOME: `${tmp}/.cache`,
    };
    const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
    return {
      command: "/usr/bin/env",
      args: ["-i", ...assignments, "/usr/bin/prlimit", ...prlimitArgs(options.limits), ...python],
    };
  }
  const args = ["-i", "/usr/bin/prlimit", ...prlimitArgs(options.limits)];
  if (options.uid !== undefined) {
    args.push(
      "/usr/bin/setpriv",
      `--reuid=${options.uid}`,
      `--regid=${options.uid}`,
      "--clear-groups",
      "--no-new-privs",
    );
  }
  args.push(options.bubblewrap ?? "/usr/bin/bwrap", ...bwrapArgs(options.limits), ...python);
  return { command: "/usr/bin/env", args };
}
