import type { Readable } from "node:stream";
import type { CodeRun, Notice, ReplyFile, ReplyImage } from "../types";
import type { RetentionTarget } from "./retention";
import type { TokenUsage } from "./usage";

/** A file to upload into the backend, as a stream. */
export interface AgentFileInput {
  /** A validated, safe file name (see the file policy). */
  name: string;
  mimeType: string;
  /** Declared size in bytes, when known. */
  size?: number;
  stream: Readable;
}

/** A file the backend holds, to attach to a message. Serialisable, so it can be checkpointed. */
export interface UploadedFile {
  id: string;
  name: string;
  mimeType: string;
}

/** A user message for the agent thread. */
export interface AgentMessageInput {
  text: string;
  files: UploadedFile[];
  /** Display name of the person who asked, so the agent can tell people apart in a shared thread. */
  authorName?: string;
}

/** What a run reports while it works. */
export type AgentProgress =
  | { kind: "thinking" }
  | { kind: "running_code"; code: string }
  /** The answer text so far (whole, not a delta). */
  | { kind: "text"; text: string };

/** Callbacks from a run to the core. */
export interface RunObserver {
  /**
   * Called once, as soon as the backend has a run id and before any long work, so the core can record it and
   * reattach after a crash instead of starting a second run. The run proceeds only after this resolves.
   */
  onRunStarted(runId: string): Promise<void>;
  onProgress(progress: AgentProgress): void;
}

/**
 * The result of a completed run. The core posts at most `REPLY_LIMITS` images and files (see
 * `reply-limits.ts`); a backend need not fetch more than that, and reports how many it did not fetch in
 * `leftOut`, so the reply can say what was left out.
 */
export interface AgentOutput {
  /** Markdown, with sandbox links already replaced by the names of files in `files`. */
  text: string;
  images: ReplyImage[];
  files: ReplyFile[];
  code: CodeRun[];
  notices: Notice[];
  /** Outputs the run made that the backend did not fetch (beyond the reply limits). */
  leftOut?: { images: number; files: number };
  /**
   * Set when the analysis session expired during this turn and the backend replaced it (see
   * {@link EnsuredThread.replacedExpired}); the core tells the user.
   */
  sessionRestarted?: SessionRestart;
  /** Tokens the run consumed, summed over its model calls, where the backend reports them. */
  usage?: TokenUsage;
}

/** How much of an expired analysis session the backend brought back. */
export interface SessionRestart {
  /** The thread's files are in the new session again (only variables and imports are gone). */
  filesRestored: boolean;
}

/** The backend thread to use for a chat thread. */
export interface EnsuredThread {
  /** `existingId` when that thread is still there, otherwise a new thread's id. */
  id: string;
  /**
   * Set when `existingId` was given but its thread, or the analysis session behind it, was gone (expired, or
   * removed on the service) and has been replaced: by a new thread (`id` differs) or, when the thread itself
   * survives, by a new session on it (`id` is `existingId`). The core then tells the user, in words that depend
   * on {@link EnsuredThread.filesRestored}.
   */
  replacedExpired?: boolean;
  /** With `replacedExpired`: the thread's files were copied into the replacement, so they are still there. */
  filesRestored?: boolean;
}

/**
 * An agent backend: where the analysis runs. Azure AI Foundry Agent Service with Code Interpreter, or the local
 * engine. The core drives one turn as: ensure thread → upload files → add message → run (or resume) → post.
 * The contract suite in `test/contracts/` checks every implementation against what is written here; where one
 * cannot do something, it declares the gap there, with the reason.
 *
 * Failures are thrown as `DatabotError`, with these codes:
 * - `backend_busy` (throttling; retryable) and `backend_unavailable` (the service does not answer, or refuses
 *   databot's access), from any method;
 * - from `uploadFile`: `file_refused` (the backend will not take this file) and `attachment_unavailable` (reading
 *   the source stream failed; a `DatabotError` the stream itself failed with, such as the file policy's size cap,
 *   is passed on as it is);
 * - `run_expired`, not retryable, for a message or run on a thread that is gone (deleted, or expired on the
 *   service): the next {@link AgentBackend.ensureThread} with its id replaces it;
 * - how a run ended, from `run` and `resumeRun`: `run_failed`, `run_expired`, `run_cancelled` (see
 *   {@link AgentBackend.cancelRun}), `run_incomplete`, `run_requires_action`, `run_timed_out`;
 * - `cancelled` when the caller's signal aborted (retryable: the run goes on and can be resumed);
 * - `sandbox_unavailable` when the local engine cannot run code safely here;
 * - `internal` for anything else.
 *
 * Aborting a method's `signal` means databot is shutting down or lost the turn to another worker: stop waiting
 * and reject, but do NOT cancel the run — it will be resumed with {@link AgentBackend.resumeRun}. Only
 * {@link AgentBackend.cancelRun} cancels.
 */
export interface AgentBackend {
  /** A short name for logs and the thread map ("azure", "local"). */
  readonly name: string;

  /**
   * Resolves when the backend answers now: a real, cheap round trip on every call (not a remembered result),
   * since `/readyz` relies on it. The caller bounds it in time and caches it briefly.
   */
  ready(): Promise<void>;

  /**
   * Returns `existingId` when that thread still exists on the backend, otherwise creates a new thread. A thread
   * or session that expired or is gone is replaced and reported (see {@link EnsuredThread.replacedExpired}).
   * @param existingId the agent thread mapped to this chat thread so far, if any.
   */
  ensureThread(existingId: string | undefined): Promise<EnsuredThread>;

  /**
   * Uploads a file as a stream, never buffered whole (bytes reach the backend's storage while the source is
   * still being read), and returns its id for {@link AgentBackend.addMessage}.
   */
  uploadFile(file: AgentFileInput, signal?: AbortSignal): Promise<UploadedFile>;

  /** Adds a user message with its files attached for the code interpreter; returns the message id. */
  addMessage(threadId: string, message: AgentMessageInput): Promise<string>;

  /**
   * Starts a run that answers the thread's newest message and follows it to the end. Calls
   * `observer.onRunStarted` with the run id before any long work, and goes on only after it resolved.
   * Only one run is active per thread: a `run` that meets the thread's active run (a retried start, or a second
   * caller) reattaches to it, so its observer gets that run's id and the result is that run's.
   */
  run(threadId: string, observer: RunObserver, signal?: AbortSignal): Promise<AgentOutput>;

  /**
   * Reattaches to a run started earlier — by this instance or by another one on the same service and store, as
   * after a restart — and follows it to the end, never starting a second run for the message. A run that already
   * ended gives its result again. `observer.onRunStarted` is not called: the caller has the id. (The local
   * engine's runs live in databot's own process and keep no outputs: after a restart, or once ended, it answers
   * the message again under the same run id.)
   */
  resumeRun(
    threadId: string,
    runId: string,
    observer: RunObserver,
    signal?: AbortSignal,
  ): Promise<AgentOutput>;

  /**
   * Cancels a run and resolves once it stopped: whoever follows it (`run`, `resumeRun`) then rejects with
   * `run_cancelled`. Succeeds, changing nothing, when the run already ended.
   */
  cancelRun(threadId: string, runId: string): Promise<void>;

  /**
   * Deletes a thread (with its session and files, where the backend keeps them per thread); succeeds when it is
   * already gone. A later {@link AgentBackend.ensureThread} with its id gets a new thread.
   */
  deleteThread(threadId: string): Promise<void>;

  /**
   * What the backend keeps here by itself, for the `RETENTION_DAYS` purge: threads no chat thread maps to any
   * more (their mapping was lost) would otherwise never be deleted. Backends that keep nothing locally leave it
   * out.
   */
  readonly retention?: RetentionTarget;

  /** Releases clients, pools and timers. */
  close(): Promise<void>;
}
