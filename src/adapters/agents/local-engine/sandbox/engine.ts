/**
 * The sandbox engine: probes isolation once, keeps a pool of warm sandboxes, and opens sessions on them.
 */
import { randomInt } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LocalEngineConfig } from "../../../../config/local-engine";
import { DatabotError, ErrorCode } from "../../../../core/errors";
import type { Logger } from "../../../../core/logger";
import type { SandboxLimits } from "./jail-command";
import { SandboxPool } from "./pool";
import { isolationUnavailableMessage } from "./probe";
import { SandboxProcess, type SandboxProcessOptions } from "./sandbox-process";
import { LocalSandboxSession } from "./sandbox-session";
import { compileSeccompFilter } from "./seccomp";
import { countTasksOfUser, uidsWithProcesses } from "./user-tasks";

const UID_RANGE = 100_000;
const OPEN_FILES = 512;

/** How code runs: in the jail, or (development opt-in only) without it. */
export type SandboxMode = "isolated" | "unsandboxed";

export interface SandboxEngineOptions {
  config: LocalEngineConfig;
  logger: Logger;
  /** Where unsandboxed sessions keep their directories (default: the system temp dir). */
  workRoot?: string;
  /** Starts the pool right after the probe (default true). */
  prestart?: boolean;
  /** The bubblewrap binary (default /usr/bin/bwrap). */
  bubblewrap?: string;
}

export interface SandboxEngine {
  /** Probes isolation once. Rejects with `sandbox_unavailable` and how to fix it when code cannot run. */
  ready(): Promise<SandboxMode>;
  /** A new session on a warm sandbox. */
  startSession(): Promise<LocalSandboxSession>;
  /** Resolves when every pool slot holds a warm sandbox. */
  poolFull(): Promise<void>;
  /** Warm sandboxes ready now, and how many the pool keeps (for the operators' metrics). */
  poolStats(): { warm: number; target: number };
  close(): Promise<void>;
}

/** Creates the engine; nothing starts until {@link SandboxEngine.ready} or the first session. */
export function createSandboxEngine(options: SandboxEngineOptions): SandboxEngine {
  return new Engine(options);
}

class Engine implements SandboxEngine {
  private probe: Promise<SandboxMode> | undefined;
  private seccomp: Buffer | undefined;
  private pool: SandboxPool | undefined;
  private readonly usedUids = new Set<number>();
  /** Where the search for a free uid starts: random, so separate processes rarely even try the same one. */
  private nextUid = randomInt(UID_RANGE);
  private readonly sessions = new Set<LocalSandboxSession>();
  private closed = false;
  private readonly isRoot = process.getuid?.() === 0;

  constructor(private readonly options: SandboxEngineOptions) {}

  private get config(): LocalEngineConfig {
    return this.options.config;
  }

  ready(): Promise<SandboxMode> {
    this.probe ??= this.runProbe();
    return this.probe;
  }

  private async runProbe(): Promise<SandboxMode> {
    const { logger } = this.options;
    let reason: string | undefined;
    try {
      this.seccomp = await compileSeccompFilter(this.config.python);
      const sandbox = await this.startProcess("isolated");
      await sandbox.close();
    } catch (error) {
      reason = describeFailure(error);
    }
    if (reason === undefined) {
      if (!this.isRoot) {
        logger.warn(
          {},
          "databot is not running as root: sandboxes share its user id, so the per-session process limit " +
            "counts all of that user's processes",
        );
      }
      this.startPool("isolated");
      return "isolated";
    }
    const message = isolationUnavailableMessage(reason);
    if (!this.config.allowUnsandboxed) {
      logger.error({ reason }, message);
      throw new DatabotError(ErrorCode.SandboxUnavailable, message, { detail: message });
    }
    logger.error(
      { reason },
      "SANDBOX_ALLOW_UNSANDBOXED=true: Python code runs WITHOUT isolation, with access to this machine's files " +
        "and network. Development only; never expose this instance to other people.",
    );
    this.startPool("unsandboxed");
    return "unsandboxed";
  }

  private startPool(mode: SandboxMode): void {
    // Closed while the probe ran (a one-off command such as `databot forget`): warm sandboxes would outlive it.
    if (this.closed) return;
    this.pool = new SandboxPool(
      this.config.poolSize,
      () => this.startProcess(mode),
      this.options.logger,
      () => [...this.sessions].some((s) => s.busy),
    );
    if (this.options.prestart !== false) this.pool.fill();
  }

  private limits(): SandboxLimits {
    const c = this.config;
    return {
      memoryMb: c.memoryMb,
      sessionCpuSeconds: Math.ceil(c.sessionMaxMinutes * 60) + c.cpuSeconds,
      diskMb: c.diskMb,
      tmpMb: c.tmpMb,
      maxProcesses: c.maxProcesses,
      openFiles: OPEN_FILES,
    };
  }

  /**
   * A uid no other session uses, in this databot or any other process on the machine (several instances, or
   * test workers, may share the range): the process limit counts per uid, so sharing one would couple them.
   */
  private async allocateUid(): Promise<number | undefined> {
    if (!this.isRoot) return undefined;
    const busy = await uidsWithProcesses();
    for (let i = 0; i < UID_RANGE; i++) {
      const uid = this.config.uidBase + ((this.nextUid + i) % UID_RANGE);
      if (!this.usedUids.has(uid) && !busy.has(uid)) {
        this.nextUid = (this.nextUid + i + 1) % UID_RANGE;
        this.usedUids.add(uid);
        return uid;
      }
    }
    throw new DatabotError(ErrorCode.BackendBusy, "Too many Python sessions are open; try again shortly.", {
      retryable: true,
    });
  }

  private async startProcess(mode: SandboxMode): Promise<SandboxProcess> {
    const base: SandboxProcessOptions = {
      python: this.config.python,
      limits: this.limits(),
      cellCpuSeconds: this.config.cpuSeconds,
      outputBytes: this.config.outputKb * 1024,
      isolated: mode === "isolated",
      bubblewrap: this.options.bubblewrap,
      logger: this.options.logger,
    };
    if (mode === "unsandboxed") {
      const root = await mkdtemp(path.join(this.options.workRoot ?? os.tmpdir(), "databot-session-"));
      const hostDataDir = path.join(root, "data");
      const hostTmpDir = path.join(root, "tmp");
      await Promise.all([mkdir(hostDataDir), mkdir(hostTmpDir)]);
      try {
        const sandbox = await SandboxProcess.start({ ...base, hostDataDir, hostTmpDir });
        sandbox.onExit(() => void rm(root, { recursive: true, force: true }));
        return sandbox;
      } catch (error) {
        await rm(root, { recursive: true, force: true });
        throw error;
      }
    }
    const uid = await this.allocateUid();
    const release = () => {
      if (uid !== undefined) this.usedUids.delete(uid);
    };
    try {
      const limits = this.isRoot ? base.limits : await this.sharedUidLimits(base.limits);
      const sandbox = await SandboxProcess.start({ ...base, limits, uid, seccomp: this.seccomp });
      sandbox.onExit(release);
      return sandbox;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Without root, RLIMIT_NPROC counts every task of databot's user: leave room for those already running. */
  private async sharedUidLimits(limits: SandboxLimits): Promise<SandboxLimits> {
    return { ...limits, maxProcesses: limits.maxProcesses + (await countTasksOfUser(process.getuid!())) };
  }

  async startSession(): Promise<LocalSandboxSession> {
    if (this.closed)
      throw new DatabotError(ErrorCode.SandboxUnavailable, "The local engine is shutting down.");
    await this.ready();
    const sandbox = await this.pool!.take();
    const session = new LocalSandboxSession(sandbox, {
      cellTimeoutMs: this.config.cellTimeoutSeconds * 1000,
      outputBytes: this.config.outputKb * 1024,
      diskMb: this.config.diskMb,
      logger: this.options.logger,
    });
    this.sessions.add(session);
    sandbox.onExit(() => this.sessions.delete(session));
    return session;
  }

  poolStats(): { warm: number; target: number } {
    return { warm: this.pool?.available ?? 0, target: this.config.poolSize };
  }

  async poolFull(): Promise<void> {
    await this.ready();
    await this.pool!.whenFull();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions].map((s) => s.close()));
    await this.pool?.close();
  }
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const stderr = (error as { stderr?: string }).stderr ?? "";
  const lastLine = stderr.trim().split("\n").filter(Boolean).pop();
  return lastLine ? `${message} (${lastLine.slice(0, 300)})` : message;
}
