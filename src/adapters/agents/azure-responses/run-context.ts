/**
 * What one run of a thread shares between starting, following and finishing its response: the clients, the
 * thread's state (kept current in the store), and what is known of the response so far.
 */
import type OpenAI from "openai";
import type { Logger } from "../../../core/logger";
import type { RunObserver, SessionRestart } from "../../../core/ports/agent-backend";
import type { RetrySettings } from "../azure-classic/retry-policy";
import type { AgentRef } from "./agent-version";
import type { Containers } from "./containers";
import type { ThreadState, ThreadStates } from "./thread-state";

/** Asked for on every response and retrieval: the code interpreter's logs and images. */
export const INCLUDE = ["code_interpreter_call.outputs" as const];

/** Statuses a response never leaves. */
export const TERMINAL: ReadonlySet<string> = new Set(["completed", "failed", "incomplete", "cancelled"]);

export interface RunSettings {
  /** Longest a run may take before databot cancels it. */
  timeoutMs: number;
  /** Pause between status checks while waiting for a response to end. */
  pollIntervalMs: number;
}

export interface RunDeps {
  openai: OpenAI;
  states: ThreadStates;
  containers: Containers;
  agent: () => Promise<AgentRef>;
  retry: RetrySettings;
  settings: RunSettings;
  logger: Logger;
}

export class RunContext {
  /** Set as soon as the service names the response. */
  responseId?: string;
  /** The newest event seen, to resume the stream after it. */
  lastSequence?: number;
  /** The `error` event the stream reported, if any: the reason when the response failed without one. */
  streamError?: { code?: string; message?: string };

  constructor(
    readonly deps: RunDeps,
    public state: ThreadState,
    readonly observer: RunObserver,
    readonly abort: AbortSignal,
  ) {}

  get conversationId(): string {
    return this.state.conversationId;
  }

  /** The session restart this run has to report, if the container was replaced since the message was added. */
  get restart(): SessionRestart | undefined {
    return this.state.pendingRestart;
  }

  async saveState(patch: Partial<ThreadState>): Promise<void> {
    this.state = { ...this.state, ...patch };
    await this.deps.states.put(this.state);
  }

  /** Records the response id (in the thread state and through the observer) once, before following it. */
  async announce(responseId: string): Promise<void> {
    if (this.responseId) return;
    this.responseId = responseId;
    await this.saveState({ lastResponse: { id: responseId, messageId: this.state.lastMessageId } });
    await this.observer.onRunStarted(responseId);
    this.observer.onProgress({ kind: "thinking" });
  }
}
