/**
 * One running sandbox: bubblewrap with the runner as its process 1 and a warm interpreter. Speaks the frame
 * protocol, enforces the wall clock (interrupt, then the runner kills the interpreter, then the host kills the
 * whole sandbox), and holds a descriptor of the sandbox's `/mnt/data` for safe host-side file access.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:fs";
import { open, statfs, type FileHandle } from "node:fs/promises";
import type { Writable } from "node:stream";
import type { Logger } from "../../../../core/logger";
import { encodeFrame, FrameDecoder, FrameError } from "./frames";
import { INFO_FD, jailCommand, SECCOMP_FD, type SandboxLimits } from "./jail-command";
import { readRunnerSource } from "./python-scripts";

/** How long a broken pipe waits for the child's `close` to report why it went. */
const PIPE_GRACE_MS = 2000;
const MAX_FRAME_BYTES = 96 * 1024 * 1024;
const TMPFS_MAGIC = 0x01021994;
const START_TIMEOUT_MS = 60_000;
/** After the wall clock: the runner interrupts, waits 2 s, kills the interpreter; then the host steps in. */
const HARD_KILL_AFTER_MS = 8_000;
const STDERR_KEEP = 8 * 1024;

export interface SandboxProcessOptions {
  python: string;
  limits: SandboxLimits;
  /** Per cell, enforced by the runner through RLIMIT_CPU. */
  cellCpuSeconds: number;
  outputBytes: number;
  uid?: number;
  /** BPF bytes; required when isolated. */
  seccomp?: Buffer;
  isolated: boolean;
  /** Without isolation: the host directory that stands in for `/mnt/data`, and one for HOME/TMPDIR. */
  hostDataDir?: string;
  hostTmpDir?: string;
  /** The bubblewrap binary (default /usr/bin/bwrap). */
  bubblewrap?: string;
  logger: Logger;
}

/** A cell's result as the runner reported it (untrusted; the session validates and converts it). */
export interface RawCellResult {
  stdout?: unknown;
  stderr?: unknown;
  error?: unknown;
  limit?: unknown;
  images?: unknown;
  notes?: unknown;
  restarted?: unknown;
}

export interface RunCellOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Thrown when the sandbox is gone: killed, crashed, or never started. */
export class SandboxEndedError extends Error {
  constructor(
    message: string,
    readonly stderr = "",
  ) {
    super(message);
    this.name = "SandboxEndedError";
  }
}

interface PendingCell {
  id: number;
  resolve(result: RawCellResult): void;
  reject(error: Error): void;
}

export class SandboxProcess {
  /** The sandbox's `/mnt/data`, open on the host. */
  dataDir!: FileHandle;
  /** Set when the interpreter died between cells (variables were lost). */
  interpreterRestartedIdle: string | undefined;
  readonly startedAt = Date.now();
  private readonly decoder = new FrameDecoder(MAX_FRAME_BYTES);
  private stderrTail = "";
  private nextId = 1;
  private pending: PendingCell | undefined;
  private readyWaiter: { resolve(): void; reject(e: Error): void } | undefined;
  private endedError: SandboxEndedError | undefined;
  private readonly exitListeners: (() => void)[] = [];
  private childPid: number | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: SandboxProcessOptions,
  ) {}

  /** Starts a sandbox and resolves once its interpreter has imported pandas and matplotlib. */
  static async start(options: SandboxProcessOptions): Promise<SandboxProcess> {
    const { command, args } = jailCommand({
      python: options.python,
      limits: options.limits,
      uid: options.uid,
      isolated: options.isolated,
      hostTmpDir: options.hostTmpDir,
      bubblewrap: options.bubblewrap,
    });
    const child = spawn(command, args, {
      env: {},
      cwd: options.isolated ? "/" : options.hostDataDir,
      stdio: options.isolated ? ["pipe", "pipe", "pipe", "pipe", "pipe"] : ["pipe", "pipe", "pipe"],
      detached: true, // its own process group: a terminal's Ctrl-C reaches databot, which then closes sandboxes
    });
    const sandbox = new SandboxProcess(child, options);
    try {
      await sandbox.boot();
    } catch (error) {
      sandbox.kill();
      throw error;
    }
    return sandbox;
  }

  /** The host uid the sandbox runs as, when databot switched to a dedicated one. */
  get uid(): number | undefined {
    return this.options.uid;
  }

  get alive(): boolean {
    return this.endedError === undefined;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** The last lines bubblewrap or Python wrote to stderr (for start-up diagnostics). */
  get diagnostics(): string {
    return this.stderrTail;
  }

  onExit(listener: () => void): void {
    if (!this.alive) listener();
    else this.exitListeners.push(listener);
  }

  private async boot(): Promise<void> {
    const { child, options } = this;
    const ready = new Promise<void>((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
    });
    // It may fail while the runner's source is still being read; it is awaited (and reported) below.
    ready.catch((error: Error) => options.logger.debug({ err: error.message }, "sandbox did not start"));
    child.stdout!.on("data", (chunk: Buffer) => this.onStdout(chunk));
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_KEEP);
    });
    child.on("error", (error) => this.end(`could not start: ${error.message}`));
    // `close` (not `exit`): by then everything bubblewrap wrote to stderr has been read, for the diagnosis.
    child.on("close", (code, signal) => this.end(`exited (${signal ?? `code ${code}`})`));
    // A sandbox that dies early resets its pipes; that is reported through `exit`, not as a crash of databot.
    child.stdio.forEach((stream, fd) => {
      (stream as NodeJS.EventEmitter | null)?.on("error", (error: Error) => {
        this.options.logger.debug({ fd, err: error.message }, "sandbox pipe error");
        // A broken pipe means the child is going away: its `close` follows with everything it wrote to stderr,
        // which says why (no user namespaces, say). Only if it does not come is the pipe the reason.
        if (fd <= 2) setTimeout(() => this.end(`lost its pipe: ${error.message}`), PIPE_GRACE_MS).unref();
      });
    });
    let info: Promise<number> | undefined;
    if (options.isolated) {
      if (!options.seccomp) throw new Error("a seccomp filter is required for an isolated sandbox");
      (child.stdio[SECCOMP_FD] as Writable).end(options.seccomp);
      info = readChildPid(child);
      // A failed start is reported through the ready frame that never comes; this one only must not go unheard.
      info.catch((error: Error) => options.logger.debug({ err: error.message }, "no sandbox pid"));
    }
    const source = await readRunnerSource();
    const config = {
      cpuSeconds: options.cellCpuSeconds,
      outputBytes: options.outputBytes,
      dataDir: options.isolated ? undefined : options.hostDataDir,
    };
    child.stdin!.write(Buffer.concat([encodeFrame(source), encodeFrame(config)]));
    const timer = setTimeout(() => this.end("did not start in time"), START_TIMEOUT_MS);
    try {
      await ready;
      if (info) this.childPid = await info;
    } finally {
      clearTimeout(timer);
    }
    this.dataDir = await this.openDataDir();
  }

  private async openDataDir(): Promise<FileHandle> {
    if (!this.options.isolated)
      return open(this.options.hostDataDir!, constants.O_RDONLY | constants.O_DIRECTORY);
    // Resolved once, right after start, while the sandbox's process 1 is certainly ours; afterwards every
    // access goes through this descriptor, so a recycled pid can never point the host elsewhere.
    const handle = await open(
      `/proc/${this.childPid}/root/mnt/data`,
      constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW,
    );
    try {
      const stats = await handle.stat();
      const fsStats = await statfs(`/proc/self/fd/${handle.fd}`);
      const expectedUid = this.options.uid ?? process.getuid?.();
      if (
        !this.alive ||
        fsStats.type !== TMPFS_MAGIC ||
        (expectedUid !== undefined && stats.uid !== expectedUid)
      ) {
        throw new SandboxEndedError("the sandbox's /mnt/data is not the one it was started with");
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    return handle;
  }

  private onStdout(chunk: Buffer): void {
    let frames: unknown[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.options.logger.warn(
        { err: (error as FrameError).message },
        "sandbox sent a malformed frame; ending it",
      );
      this.kill();
      return;
    }
    for (const frame of frames) this.onFrame(frame);
  }

  private onFrame(frame: unknown): void {
    if (typeof frame !== "object" || frame === null) return;
    const f = frame as Record<string, unknown>;
    if (f.type === "ready") {
      this.readyWaiter?.resolve();
      this.readyWaiter = undefined;
    } else if (f.type === "restarted") {
      this.interpreterRestartedIdle = typeof f.reason === "string" ? f.reason.slice(0, 200) : "it stopped";
    } else if (f.type === "result" && this.pending && f.id === this.pending.id) {
      const pending = this.pending;
      this.pending = undefined;
      if (typeof f.rejected === "string") pending.reject(new Error(f.rejected));
      else pending.resolve(f as RawCellResult);
    }
  }

  /** Runs one cell. The wall clock interrupts it, then kills the interpreter, then the whole sandbox. */
  run(code: string, options: RunCellOptions): Promise<RawCellResult> {
    if (this.endedError) return Promise.reject(this.endedError);
    if (this.pending) return Promise.reject(new Error("a cell is already running in this session"));
    const id = this.nextId++;
    return new Promise<RawCellResult>((resolve, reject) => {
      let killTimer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        clearTimeout(stopTimer);
        clearTimeout(killTimer);
        options.signal?.removeEventListener("abort", onAbort);
      };
      const stop = (reason: string) => {
        this.send({ op: "stop", reason });
        killTimer ??= setTimeout(() => {
          this.options.logger.warn({ reason }, "sandbox did not stop a cell; killing the sandbox");
          this.kill();
        }, HARD_KILL_AFTER_MS);
      };
      const onAbort = () => stop("cancelled");
      this.pending = {
        id,
        resolve: (result) => {
          cleanup();
          resolve(result);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      const stopTimer = setTimeout(() => stop("wall_clock"), options.timeoutMs);
      this.send({ op: "run", id, code }); // first: a stop that arrives before its cell is ignored
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private send(message: unknown): void {
    if (this.endedError || !this.child.stdin?.writable) return;
    this.child.stdin.write(encodeFrame(message));
  }

  private end(why: string): void {
    if (this.endedError) return;
    this.endedError = new SandboxEndedError(`the Python sandbox ${why}`, this.stderrTail);
    this.readyWaiter?.reject(this.endedError);
    this.readyWaiter = undefined;
    this.pending?.reject(this.endedError);
    this.pending = undefined;
    for (const listener of this.exitListeners.splice(0)) listener();
  }

  /** Kills the whole sandbox (bubblewrap takes everything inside with it) and releases the directory. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      // The sandbox's process 1 first (its pid namespace dies with it), then bubblewrap itself.
      if (this.childPid !== undefined && this.alive) signalQuietly(this.childPid);
      signalQuietly(this.child.pid);
    }
    this.end("was closed");
  }

  /** Kills the sandbox and waits until bubblewrap is gone, then closes the directory descriptor. */
  async close(): Promise<void> {
    const exited =
      this.child.exitCode !== null || this.child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.kill();
    await exited;
    if (this.dataDir) {
      await this.dataDir.close().catch((error: Error) => {
        this.options.logger.debug({ err: error.message }, "closing a sandbox directory failed");
      });
    }
  }
}

function signalQuietly(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** bubblewrap writes `{"child-pid": N}` (the host pid of the sandbox's process 1) to its info fd. */
function readChildPid(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = child.stdio[INFO_FD] as NodeJS.ReadableStream;
    let text = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      text += chunk;
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    stream.on("end", () => reject(new SandboxEndedError("bubblewrap reported no child pid")));
    stream.on("error", reject);
  });
}
