/**
 * One Python session per thread, with Code Interpreter's lifetime: it ends after `sessionMaxMinutes` from its
 * start or `sessionIdleMinutes` without use, whichever comes first, and its files go with it. A session that
 * expires during a run ends when the run is over.
 *
 * Idle sessions hold memory (a warm interpreter and the tables it loaded), so at most `maxSessions` are alive:
 * opening one more ends the least recently used idle session first. Its thread keeps its files, and its next
 * turn gets a fresh session with them, told so as after an idle expiry. Sessions in use are never ended for
 * room; when every session is busy the cap is passed for a moment and restored as soon as one is released.
 */
import os from "node:os";
import type { Logger } from "../../../core/logger";
import type { SandboxEngine } from "./sandbox/engine";
import type { LocalSandboxSession } from "./sandbox/sandbox-session";

export interface SessionLifetime {
  idleMs: number;
  maxMs: number;
  /** Most sessions alive at once. */
  maxSessions: number;
}

/** Memory an idle session is allowed for when the cap is derived from the machine. */
const IDLE_SESSION_BYTES = 256 * 1024 * 1024;

/**
 * The default cap: half of the memory available when databot starts (at most half of all memory), at 256 MB
 * per idle session, between 2 and 64.
 */
export function defaultMaxSessions(free = os.freemem(), total = os.totalmem()): number {
  const budget = Math.min(free, total / 2);
  return Math.max(2, Math.min(64, Math.floor(budget / IDLE_SESSION_BYTES)));
}

/** A thread's session and what the backend has put into it. */
export interface ThreadSession {
  session: LocalSandboxSession;
  /** Thread file ids already copied into `/mnt/data`. */
  copiedFiles: Set<string>;
  /** True when this call opened it. */
  fresh: boolean;
}

interface Entry {
  session: LocalSandboxSession;
  copiedFiles: Set<string>;
  inUse: number;
  expired: boolean;
  /** When a run last took or released it: the least recent idle one makes room first. */
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
  maxTimer?: NodeJS.Timeout;
}

export class SessionManager {
  private readonly entries = new Map<string, Entry>();
  private readonly opening = new Map<string, Promise<Entry>>();
  private clock = 0;

  constructor(
    private readonly engine: SandboxEngine,
    private readonly lifetime: SessionLifetime,
    private readonly logger: Logger,
  ) {}

  /** Sessions open now (each holds a sandbox), including expired ones a run still uses. */
  get openCount(): number {
    return this.entries.size;
  }

  /** True while the thread has a session its next run will use (not expired, not ended). */
  isLive(threadId: string): boolean {
    const entry = this.entries.get(threadId);
    return entry !== undefined && !entry.expired && entry.session.alive;
  }

  /** Sessions alive or starting. */
  get live(): number {
    return this.entries.size + this.opening.size;
  }

  /** Sessions alive and not in use by a run. */
  get idle(): number {
    return [...this.entries.values()].filter((e) => e.inUse === 0).length;
  }

  /** The thread's live session, or a new one. Call {@link release} when the run is done with it. */
  async acquire(threadId: string): Promise<ThreadSession> {
    const existing = this.entries.get(threadId);
    if (existing && !existing.expired && existing.session.alive) {
      existing.inUse += 1;
      existing.lastUsed = this.tick();
      clearTimeout(existing.idleTimer);
      return { session: existing.session, copiedFiles: existing.copiedFiles, fresh: false };
    }
    if (existing) await this.end(threadId);
    let opening = this.opening.get(threadId);
    if (!opening) {
      // Counted as live from now on, so concurrent openings make room for each other too.
      opening = this.makeRoom()
        .then(() => this.open(threadId))
        .finally(() => this.opening.delete(threadId));
      this.opening.set(threadId, opening);
    }
    const entry = await opening;
    entry.inUse += 1;
    entry.lastUsed = this.tick();
    return { session: entry.session, copiedFiles: entry.copiedFiles, fresh: true };
  }

  private tick(): number {
    this.clock += 1;
    return this.clock;
  }

  /** Ends least recently used idle sessions until the live ones fit under the cap. */
  private async makeRoom(): Promise<void> {
    while (this.live > this.lifetime.maxSessions) {
      const idle = [...this.entries]
        .filter(([, e]) => e.inUse === 0)
        .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
      const oldest = idle[0];
      if (!oldest) {
        this.logger.warn(
          { live: this.live, maxSessions: this.lifetime.maxSessions },
          "every python session is in use; opening one past the session cap",
        );
        return;
      }
      const [threadId, entry] = oldest;
      this.logger.info(
        { threadId, sessionId: entry.session.id, maxSessions: this.lifetime.maxSessions },
        "python session ended to make room for another conversation",
      );
      await this.end(threadId);
    }
  }

  private async open(threadId: string): Promise<Entry> {
    const session = await this.engine.startSession();
    const entry: Entry = { session, copiedFiles: new Set(), inUse: 0, expired: false, lastUsed: this.tick() };
    entry.maxTimer = setTimeout(() => this.expire(threadId, entry, "max"), this.lifetime.maxMs);
    entry.maxTimer.unref();
    this.entries.set(threadId, entry);
    this.logger.debug({ threadId, sessionId: session.id }, "python session started");
    return entry;
  }

  /** The run is done with the session: the idle clock starts, or an expired session ends now. */
  release(threadId: string, session: LocalSandboxSession): void {
    const entry = this.entries.get(threadId);
    if (!entry || entry.session !== session) return;
    entry.inUse = Math.max(0, entry.inUse - 1);
    entry.lastUsed = this.tick();
    if (entry.inUse > 0) return;
    if (entry.expired || !session.alive) {
      void this.end(threadId);
      return;
    }
    clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => this.expire(threadId, entry, "idle"), this.lifetime.idleMs);
    entry.idleTimer.unref();
    // Past the cap while every session was busy: back under it now that one is idle.
    if (this.live > this.lifetime.maxSessions) void this.makeRoom();
  }

  private expire(threadId: string, entry: Entry, why: "idle" | "max"): void {
    if (this.entries.get(threadId) !== entry) return;
    entry.expired = true;
    this.logger.info({ threadId, sessionId: entry.session.id, why }, "python session expired");
    if (entry.inUse === 0) void this.end(threadId);
  }

  /** Ends the thread's session (its files are deleted with it). */
  async end(threadId: string): Promise<void> {
    const entry = this.entries.get(threadId);
    if (!entry) return;
    this.entries.delete(threadId);
    clearTimeout(entry.idleTimer);
    clearTimeout(entry.maxTimer);
    try {
      await entry.session.close();
    } catch (error) {
      this.logger.warn({ threadId, err: (error as Error).message }, "closing a python session failed");
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.opening.values()].map((p) => p.catch(() => undefined)));
    await Promise.all([...this.entries.keys()].map((id) => this.end(id)));
  }
}
