/**
 * What the agent-backend contract needs from each implementation under test: the backend, a way to script what
 * its "model" answers, and a look behind it at the service (or store) it drives. Each implementation supplies a
 * {@link BackendSubject}; the contract itself is in `agent-backend-contract.ts`.
 */
import type { AgentBackend } from "../../src/core/ports";

/** How one question is answered. Every run of a question containing the key answers alike, as a steady model would. */
export interface ContractAnswer {
  /** The answer's text. */
  text: string;
  /** The Python the analysis runs (really, where there is an interpreter). */
  code: string;
  /** What that code prints. */
  output: string;
  /** After the code ran, the run stays active until {@link ContractWorld.release} or a cancel. */
  hold?: boolean;
  /** The analysis fails with this reason instead of answering. */
  fail?: string;
}

/** A file as the analysis found it. */
export interface SeenFile {
  name: string;
  content: string;
}

/** A run as the service holds it. */
export interface ServiceRun {
  id: string;
  status: "active" | "completed" | "cancelled" | "failed";
}

/**
 * What "the session expired" means for a backend:
 * - `new-thread`: the whole thread is gone (the service dropped it), so `ensureThread` makes a new one;
 * - `new-session`: the thread survives but its analysis session ended, so `ensureThread` keeps the id and the
 *   files are copied into a new session.
 */
export type ExpiryKind = "new-thread" | "new-session";

export interface ContractWorld {
  /** The backend instance the running process has. */
  readonly backend: AgentBackend;
  /** The process restarts: the current instance is closed, a new one on the same service and store takes over. */
  restart(): Promise<AgentBackend>;
  /** Questions containing `key` get this answer. */
  answer(key: string, answer: ContractAnswer): void;
  /** Lets every held run go on; answers registered so far hold no more. */
  release(): void;
  /** How many times the analysis of `key` was carried out (a model asked, an analyst run). */
  analyses(key: string): number;
  /** The files (with their contents) the latest run of `key` could read, or undefined before it ran. */
  filesSeen(key: string): SeenFile[] | undefined;
  /** Bytes of uploads the service (or the engine's disk) has received so far. */
  uploadBytesReceived(): Promise<number>;
  /** The runs the service holds for a thread, oldest first. */
  runs(threadId: string): Promise<ServiceRun[]>;
  /** The service loses the thread behind databot's back (removed there). */
  loseThread(threadId: string): Promise<void>;
  /** The thread's session (or, for `new-thread` backends, the thread) expires, as its time running out would. */
  expire(threadId: string): Promise<void>;
  close(): Promise<void>;
}

/** Every contract test, by id; an implementation that genuinely lacks one says so in {@link BackendSubject.lacks}. */
export type ContractCapability =
  | "new-thread"
  | "existing-thread"
  | "lost-thread"
  | "expiry"
  | "streamed-upload"
  | "upload-in-message"
  | "upload-source-failure"
  | "run-answers"
  | "run-waits-for-start"
  | "failed-run"
  | "abort-stops-waiting"
  | "resume"
  | "resume-after-restart"
  | "resume-ended"
  | "second-run-reattaches"
  | "cancel-active"
  | "cancel-ended"
  | "delete"
  | "gone-thread-refused";

export interface BackendSubject {
  /** How the describe block names it. */
  name: string;
  expiry: { kind: ExpiryKind; /** What expiring means for this backend, in a few words. */ means: string };
  /**
   * Capabilities the implementation does not have, each with the reason. The contract still runs those tests and
   * expects them to fail, so a declaration that is no longer true fails the suite.
   */
  lacks?: Partial<Record<ContractCapability, string>>;
  start(): Promise<ContractWorld>;
}
