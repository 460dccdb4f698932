import type { Readable } from "node:stream";
import type { CodeRun, Notice, ReplyFile, ReplyImage } from "../types";

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
}

/** How much of an expired analysis session the backend brought back. */
export interface SessionRestart {
  /** The thread's files are in the new session again (only variables and imports are gone). */
  filesRestored: boolean;
}

/** A thread on the backend, and whether it was created just now (for example after a session expired). */
export interface EnsuredThread {
  id: string;
  created: boolean;
  /**
   * Set when an earlier thread or session was gone and this one replaces it. The core then tells the user, in
   * words that depend on {@link EnsuredThread.filesRestored}.
   */
  replacedExpired?: boolean;
  /** With `replacedExpired`: the thread's files were copied into the replacement, so they are still there. */
  filesRestored?: boolean;
}

/**
 * An agent backend: where the analysis runs. Azure AI Foundry Agent Service with Code Interpreter, or the local
 * engine. The core drives one turn as: ensure thread → upload files → add message → run (or resume) → post.
 *
 * Failures are thrown as `DatabotError`: `backend_busy` (retryable throttling), `backend_unavailable`,
 * `run_failed`, `run_expired`, `run_cancelled`, `run_incomplete`, `run_requires_action`, `run_timed_out`.
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
   * Returns `existingId` when that thread still exists on the backend, otherwise creates a new thread.
   * @param existingId the agent thread mapped to this chat thread so far, if any.
   */
  ensureThread(existingId: string | undefined): Promise<EnsuredThread>;

  /** Uploads a file as a stream (never buffered whole) and returns its backend id. */
  uploadFile(file: AgentFileInput, signal?: AbortSignal): Promise<UploadedFile>;

  /** Adds a user message with its files attached for the code interpreter; returns the message id. */
  addMessage(threadId: string, message: AgentMessageInput): Promise<string>;

  /**
   * Starts a run on the thread and follows it to the end. Calls `observer.onRunStarted` with the run id first.
   * Only one run is active per thread; a retried start that meets the thread's active run reattaches to it.
   */
  run(threadId: string, observer: RunObserver, signal?: AbortSignal): Promise<AgentOutput>;

  /** Reattaches to a run started earlier (after a restart) and follows it to the end. */
  resumeRun(
    threadId: string,
    runId: string,
    observer: RunObserver,
    signal?: AbortSignal,
  ): Promise<AgentOutput>;

  /** Cancels a run; succeeds when the run already ended. */
  cancelRun(threadId: string, runId: string): Promise<void>;

  /** Deletes a thread and what it holds; succeeds when it is already gone. */
  deleteThread(threadId: string): Promise<void>;

  /** Releases clients, pools and timers. */
  close(): Promise<void>;
}
