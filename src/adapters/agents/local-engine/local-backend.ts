/**
 * The local engine behind the AgentBackend port: threads and their files on disk, a sandboxed Python session per
 * thread, and an analyst (the offline one or a model loop) that decides which cells to run. Semantics follow
 * Azure's Code Interpreter: the thread survives restarts, the session may expire, and the next run on a thread
 * whose session ended gets a fresh one with the thread's files copied back in. The restart is reported once: by
 * the next `ensureThread` (`replacedExpired`), or by the run's output when the session ended after that.
 */
import { randomUUID } from "node:crypto";
import type { LocalEngineConfig } from "../../../config/local-engine";
import { DatabotError, ErrorCode, asDatabotError } from "../../../core/errors";
import type { Logger } from "../../../core/logger";
import type {
  AgentBackend,
  AgentFileInput,
  AgentMessageInput,
  AgentOutput,
  EnsuredThread,
  RetentionTarget,
  RunObserver,
  UploadedFile,
} from "../../../core/ports";
import { LocalRun } from "./local-run";
import type { BlobStore } from "../../../core/ports/blobs";
import { FsBlobStore } from "../../stores/files/fs-blobs";
import {
  LocalThreadStore,
  newLocalId,
  type LocalThread,
  type LocalThreadRecords,
  type ThreadMessage,
} from "./local-threads";
import { FileLocalThreadRecords } from "./thread-records";
import { createSandboxEngine, type SandboxEngine } from "./sandbox/engine";
import { defaultMaxSessions, SessionManager } from "./session-manager";
import type { Analyst } from "./types";

export interface LocalBackendOptions {
  config: LocalEngineConfig;
  /** databot's data directory; the engine keeps its threads in `<dataDir>/local-engine/` unless given others. */
  dataDir: string;
  /** Where thread records are kept (default: files in the data directory). */
  records?: LocalThreadRecords;
  /** Where the threads' files are kept (default: the data directory). */
  blobs?: BlobStore;
  logger: Logger;
  analyst: Analyst;
  /** A sandbox engine to use instead of creating one from `config` (tests, benchmarks). */
  engine?: SandboxEngine;
}

/** Uploads that no message attached within a day are left over from failed turns. */
const UPLOAD_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Idle threads deleted per retention purge; the rest go in the next one (hourly). */
const PURGE_BATCH = 500;

interface ActiveRun {
  runId: string;
  controller: AbortController;
  done: Promise<AgentOutput>;
}

/** What the local engine's sandboxes are doing, for the operators' metrics. */
export interface SandboxStats {
  /** Warm sandboxes waiting in the pool. */
  warm: number;
  /** How many warm sandboxes the pool keeps (`SANDBOX_POOL_SIZE`). */
  poolTarget: number;
  /** Python sessions open now, one per thread that analysed lately. */
  sessions: number;
}

/** A backend that can say what its sandboxes are doing. */
export interface SandboxStatsSource {
  sandboxStats(): SandboxStats;
}

/** True for the local engine (and anything else that reports sandbox stats). */
export function hasSandboxStats(backend: object): backend is SandboxStatsSource {
  return typeof (backend as Partial<SandboxStatsSource>).sandboxStats === "function";
}

/** Creates the local backend. Sandboxes start in the background once {@link AgentBackend.ready} is called. */
export function createLocalBackend(options: LocalBackendOptions): AgentBackend & SandboxStatsSource {
  return new LocalBackend(options);
}

class LocalBackend implements AgentBackend, SandboxStatsSource {
  readonly name = "local";
  private readonly store: LocalThreadStore;
  private readonly engine: SandboxEngine;
  private readonly sessions: SessionManager;
  private readonly runner: LocalRun;
  private readonly active = new Map<string, ActiveRun>();
  private readonly logger: Logger;
  /** This process's name in the thread records of the sessions it opens. */
  private readonly holder = randomUUID();
  private closed = false;
  private pruning: Promise<unknown> | undefined;

  constructor(private readonly options: LocalBackendOptions) {
    this.logger = options.logger.child({ backend: "local" });
    this.store = new LocalThreadStore(
      options.records ?? new FileLocalThreadRecords(options.dataDir),
      options.blobs ?? new FsBlobStore(options.dataDir),
    );
    this.engine = options.engine ?? createSandboxEngine({ config: options.config, logger: this.logger });
    this.sessions = new SessionManager(
      this.engine,
      {
        idleMs: options.config.sessionIdleMinutes * 60_000,
        maxMs: options.config.sessionMaxMinutes * 60_000,
        maxSessions: options.config.maxSessions ?? defaultMaxSessions(),
      },
      this.logger,
    );
    this.runner = new LocalRun({
      store: this.store,
      sessions: this.sessions,
      analyst: options.analyst,
      holder: this.holder,
    });
  }

  sandboxStats(): SandboxStats {
    const { warm, target } = this.engine.poolStats();
    return { warm, poolTarget: target, sessions: this.sessions.openCount };
  }

  async ready(): Promise<void> {
    this.pruning ??= this.store.pruneUploads(UPLOAD_MAX_AGE_MS).then(
      (removed) => removed > 0 && this.logger.info({ removed }, "removed uploads no message used"),
      (error: Error) => this.logger.warn({ err: error.message }, "could not prune old uploads"),
    );
    await this.engine.ready();
  }

  async ensureThread(existingId: string | undefined): Promise<EnsuredThread> {
    if (existingId !== undefined && (await this.store.exists(existingId))) {
      if (this.sessions.isLive(existingId)) {
        const { sessionHolder } = await this.store.load(existingId);
        if (sessionHolder === undefined || sessionHolder === this.holder) return { id: existingId };
        // Another replica answered in this thread since this one's session began: its variables are stale.
        await this.sessions.end(existingId);
      }
      // The thread's Python session ended (it expired, databot restarted, or the thread's turns moved to
      // another replica): the next run opens a new one with the thread's files copied back in.
      const ended = await this.store.update(existingId, (t) => {
        const report = t.hadSession && !t.restartReported;
        if (report) t.restartReported = true;
        return report;
      });
      return ended ? { id: existingId, replacedExpired: true, filesRestored: true } : { id: existingId };
    }
    const thread = await this.store.create();
    return existingId === undefined ? { id: thread.id } : { id: thread.id, replacedExpired: true };
  }

  async uploadFile(file: AgentFileInput, signal?: AbortSignal): Promise<UploadedFile> {
    // A failure reading the source (the chat platform's download) is the attachment's, not the engine's.
    let sourceError: unknown;
    const onSourceError = (error: unknown) => (sourceError = error);
    file.stream.on("error", onSourceError);
    try {
      const stored = await this.store.putUpload(file.name, file.mimeType, file.stream, signal);
      return { id: stored.id, name: stored.name, mimeType: stored.mimeType };
    } catch (error) {
      if (sourceError instanceof DatabotError) throw sourceError;
      if (sourceError === undefined || signal?.aborted) throw asDatabotError(error);
      throw new DatabotError(ErrorCode.AttachmentUnavailable, `databot could not read ${file.name}.`, {
        retryable: true,
        cause: sourceError,
      });
    } finally {
      file.stream.off("error", onSourceError);
    }
  }

  async addMessage(threadId: string, message: AgentMessageInput): Promise<string> {
    await this.assertThread(threadId);
    const files = await this.store.attach(
      threadId,
      message.files.map((f) => f.id),
    );
    const id = newLocalId("msg");
    await this.store.update(threadId, (thread) => {
      thread.messages.push({
        id,
        role: "user",
        text: message.text,
        authorName: message.authorName,
        files,
        createdAt: new Date().toISOString(),
      });
    });
    return id;
  }

  async run(threadId: string, observer: RunObserver, signal?: AbortSignal): Promise<AgentOutput> {
    const current = this.active.get(threadId);
    if (current) {
      // One run per thread: a retried start reattaches to the run already going.
      await this.assertThread(threadId);
      await observer.onRunStarted(current.runId);
      return this.follow(current, signal);
    }
    const runId = newLocalId("run");
    // Registered before anything is awaited, so a concurrent start — whichever of its awaits finishes first —
    // finds it: the first call starts the run, later ones reattach.
    const run = this.register(threadId, runId, (t) => lastUserMessage(t));
    try {
      await this.assertThread(threadId);
      await observer.onRunStarted(runId);
    } catch (error) {
      run.abandon(error);
      throw error;
    }
    run.go(observer);
    return this.follow(run.active, signal);
  }

  async resumeRun(
    threadId: string,
    runId: string,
    observer: RunObserver,
    signal?: AbortSignal,
  ): Promise<AgentOutput> {
    await this.assertThread(threadId);
    const current = this.active.get(threadId);
    if (current) return this.follow(current, signal);
    // The run was lost with the process that ran it: answer the same question again, under the same run id.
    this.logger.info({ threadId, runId }, "resuming a run lost in a restart by running it again");
    const run = this.register(threadId, runId, (t) => {
      t.messages = t.messages.filter((m) => m.role !== "assistant" || m.runId !== runId);
      const messageId = t.runs[runId]?.messageId;
      return t.messages.find((m) => m.id === messageId) ?? lastUserMessage(t);
    });
    run.go(observer);
    return this.follow(run.active, signal);
  }

  async cancelRun(threadId: string, runId: string): Promise<void> {
    const current = this.active.get(threadId);
    if (!current || current.runId !== runId) return;
    current.controller.abort();
    await current.done.then(
      () => undefined,
      () => undefined, // the run's own caller sees how it ended
    );
  }

  async deleteThread(threadId: string): Promise<void> {
    const current = this.active.get(threadId);
    if (current) await this.cancelRun(threadId, current.runId);
    await this.sessions.end(threadId);
    await this.store.delete(threadId);
  }

  /**
   * Threads last used before the cut-off, mapped or not: the purge deleted the mapped ones of idle chat
   * threads already (through {@link deleteThread}); this finds those whose mapping was lost. A running one stays.
   */
  readonly retention: RetentionTarget = {
    name: "local-threads",
    purgeOlderThan: async (cutoff) => {
      const idle = (await this.store.idleSince(cutoff, PURGE_BATCH)).filter((id) => !this.active.has(id));
      for (const id of idle) await this.deleteThread(id);
      return idle;
    },
  };

  async close(): Promise<void> {
    this.closed = true;
    for (const run of this.active.values()) run.controller.abort();
    await this.sessions.closeAll();
    await this.engine.close();
  }

  private async assertThread(threadId: string): Promise<void> {
    if (!(await this.store.exists(threadId))) {
      throw new DatabotError(ErrorCode.RunExpired, "This conversation's history is gone; please ask again.", {
        detail: `local thread ${threadId.slice(0, 80)} not found`,
      });
    }
  }

  /** Waits for a run; the caller's signal stops the wait, not the run (it can be resumed). */
  private follow(run: ActiveRun, signal?: AbortSignal): Promise<AgentOutput> {
    if (!signal) return run.done;
    return new Promise<AgentOutput>((resolve, reject) => {
      const onAbort = () =>
        reject(new DatabotError(ErrorCode.Cancelled, "Stopped waiting for the answer.", { retryable: true }));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      run.done.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  /**
   * Registers a run (so a concurrent start reattaches to it) and returns how to start or abandon it. Started, it
   * records which message it answers (chosen by `pickQuestion`), then executes.
   */
  private register(
    threadId: string,
    runId: string,
    pickQuestion: (thread: LocalThread) => ThreadMessage | undefined,
  ): { active: ActiveRun; go(observer: RunObserver): void; abandon(error: unknown): void } {
    if (this.closed) throw new DatabotError(ErrorCode.BackendUnavailable, "databot is shutting down.");
    const controller = new AbortController();
    let go!: (observer: RunObserver) => void;
    let abandon!: (error: unknown) => void;
    const started = new Promise<RunObserver>((resolve, reject) => {
      go = resolve;
      abandon = reject;
    });
    const done = started.then(async (observer) => {
      const thread = await this.store.update(threadId, (t) => {
        const question = pickQuestion(t);
        if (!question) throw new DatabotError(ErrorCode.RunFailed, "There is no question to answer yet.");
        t.runs[runId] = { messageId: question.id, status: "in_progress" };
        return t;
      });
      return this.runner.execute(thread, runId, observer, controller.signal);
    });
    const active: ActiveRun = { runId, controller, done };
    this.active.set(threadId, active);
    void done
      .then(
        () => "completed" as const,
        (error: unknown) =>
          error instanceof DatabotError && error.code === ErrorCode.RunCancelled ? "cancelled" : "failed",
      )
      .then(async (status) => {
        if (this.active.get(threadId) === active) this.active.delete(threadId);
        if (status !== "completed") await this.recordStatus(threadId, runId, status);
      });
    return { active, go, abandon };
  }

  private async recordStatus(threadId: string, runId: string, status: "failed" | "cancelled"): Promise<void> {
    try {
      await this.store.update(threadId, (t) => {
        const record = t.runs[runId];
        if (record) record.status = status;
      });
    } catch (error) {
      this.logger.warn(
        { threadId, runId, err: (error as Error).message },
        "could not record how a run ended",
      );
    }
  }
}

function lastUserMessage(thread: LocalThread): ThreadMessage | undefined {
  for (let i = thread.messages.length - 1; i >= 0; i--) {
    if (thread.messages[i]!.role === "user") return thread.messages[i];
  }
  return undefined;
}
