/**
 * Azure AI Foundry's new agents behind databot's AgentBackend port: an agent version managed with
 * `@azure/ai-projects`, one conversation and one code-interpreter container per chat thread, files uploaded as
 * streams and copied into the container, and background responses streamed for progress.
 *
 * The agent-thread id the core keeps is the conversation id; the rest of a thread's state (its container and
 * files) is kept in the store, so a restart or another replica continues the thread.
 */
import type OpenAI from "openai";
import type { AzureConfig } from "../../../config/azure";
import { DatabotError } from "../../../core/errors";
import type { Logger } from "../../../core/logger";
import type {
  AgentBackend,
  AgentFileInput,
  AgentMessageInput,
  AgentOutput,
  EnsuredThread,
  RunObserver,
  UploadedFile,
} from "../../../core/ports/agent-backend";
import type { RetrySettings } from "../azure-classic/retry-policy";
import { type AgentRef, provisionAgentVersion } from "./agent-version";
import type { FoundryClients } from "./clients";
import { Containers } from "./containers";
import { lostThreadError, statusOf, toDatabotError } from "./errors";
import { addUserMessage, composeMessageText, uploadFile } from "./messages";
import type { OutputSettings } from "./outputs";
import type { RunSettings } from "./run-context";
import { ResponseRuns } from "./runs";
import type { OutputSpool } from "./spool";
import type { ThreadFile, ThreadState, ThreadStates } from "./thread-state";

export interface ResponsesBackendDeps {
  clients: FoundryClients;
  config: AzureConfig;
  states: ThreadStates;
  spool: OutputSpool;
  retry: RetrySettings;
  runs: RunSettings;
  outputs: OutputSettings;
  logger: Logger;
}

export class AzureResponsesBackend implements AgentBackend {
  readonly name = "azure-responses";
  private agentRef?: Promise<AgentRef>;
  private readonly openai: OpenAI;
  private readonly containers: Containers;
  private readonly runs: ResponseRuns;

  constructor(private readonly deps: ResponsesBackendDeps) {
    this.openai = deps.clients.openai;
    this.containers = new Containers(
      this.openai,
      { idleMinutes: deps.config.containerIdleMinutes },
      deps.logger,
    );
    this.runs = new ResponseRuns({
      openai: this.openai,
      states: deps.states,
      containers: this.containers,
      agent: () => this.agent(),
      retry: deps.retry,
      settings: deps.runs,
      spool: deps.spool,
      outputs: deps.outputs,
      logger: deps.logger,
    });
  }

  /** databot's agent version, provisioned once (and again after a failed attempt). */
  private agent(): Promise<AgentRef> {
    this.agentRef ??= provisionAgentVersion(
      this.deps.clients.project,
      this.deps.config,
      this.deps.logger,
    ).catch((error: unknown) => {
      this.agentRef = undefined;
      throw error;
    });
    return this.agentRef;
  }

  /** Provisions the agent version once (which asks the service), then asks the service for it on every later call. */
  async ready(): Promise<void> {
    const provisioning = this.agentRef === undefined;
    const agent = await this.agent();
    if (provisioning) return;
    try {
      await this.deps.clients.project.agents.getVersion(agent.name, agent.version);
    } catch (error) {
      throw toDatabotError(error, "checking that the Agent Service answers");
    }
  }

  async ensureThread(existingId: string | undefined): Promise<EnsuredThread> {
    if (existingId) {
      const state = await this.deps.states.get(existingId);
      if (state && (await this.conversationExists(existingId))) {
        if (await this.containers.isAlive(state.containerId)) return { id: existingId };
        const replaced = await this.containers.replace(state);
        await this.deps.states.put(replaced.state);
        return {
          id: existingId,
          replacedExpired: true,
          filesRestored: replaced.filesRestored,
        };
      }
      this.deps.logger.warn({ conversationId: existingId }, "the conversation is gone; starting a new one");
    }
    let conversationId: string;
    try {
      conversationId = (await this.openai.conversations.create({ metadata: { created_by: "databot" } })).id;
    } catch (error) {
      throw toDatabotError(error, "starting the conversation");
    }
    const containerId = await this.containers.create(conversationId);
    await this.deps.states.put({ conversationId, containerId, files: [] });
    this.deps.logger.info({ conversationId, containerId }, "created a conversation");
    return { id: conversationId, ...(existingId ? { replacedExpired: true } : {}) };
  }

  uploadFile(file: AgentFileInput, signal?: AbortSignal): Promise<UploadedFile> {
    return uploadFile(this.openai, file, this.deps.logger, signal);
  }

  addMessage(threadId: string, message: AgentMessageInput): Promise<string> {
    return this.addMessageToState(threadId, message).catch((error: unknown) =>
      this.orThreadGone(threadId, error),
    );
  }

  private async addMessageToState(threadId: string, message: AgentMessageInput): Promise<string> {
    let state = await this.requireState(threadId);
    const shared: ThreadFile[] = [];
    for (const file of message.files) {
      const known = state.files.find((f) => f.id === file.id);
      if (known) {
        shared.push(known);
        continue;
      }
      ({ state } = await this.copyIntoContainer(state, file, shared));
    }
    const text = composeMessageText(
      message,
      shared,
      state.tellModelRestarted ? { allFiles: state.files } : undefined,
    );
    const messageId = await addUserMessage(this.openai, threadId, text, this.deps.retry, this.deps.logger);
    await this.deps.states.put({ ...state, lastMessageId: messageId, tellModelRestarted: undefined });
    this.deps.logger.debug(
      { conversationId: threadId, messageId, files: shared.length },
      "added the user message",
    );
    return messageId;
  }

  run(threadId: string, observer: RunObserver, signal?: AbortSignal): Promise<AgentOutput> {
    return this.runs
      .run(threadId, observer, signal)
      .catch((error: unknown) => this.orThreadGone(threadId, error));
  }

  resumeRun(
    threadId: string,
    runId: string,
    observer: RunObserver,
    signal?: AbortSignal,
  ): Promise<AgentOutput> {
    return this.runs
      .resume(threadId, runId, observer, signal)
      .catch((error: unknown) => this.orThreadGone(threadId, error));
  }

  cancelRun(_threadId: string, runId: string): Promise<void> {
    return this.runs.cancel(runId);
  }

  async deleteThread(threadId: string): Promise<void> {
    const state = await this.deps.states.get(threadId);
    await this.ignoreMissing(() => this.openai.conversations.delete(threadId), "deleting the conversation");
    if (state) {
      await this.containers.delete(state.containerId);
      for (const file of state.files) {
        await this.ignoreMissing(() => this.openai.files.delete(file.id), "deleting a thread file");
      }
    }
    await this.deps.states.delete(threadId);
  }

  async close(): Promise<void> {
    await this.deps.clients.close();
  }

  /**
   * Copies a new file into the thread's container. When the container expired since the turn began, it is
   * replaced first (with the thread's other files), and the run that follows reports the restart.
   */
  private async copyIntoContainer(
    state: ThreadState,
    file: UploadedFile,
    shared: ThreadFile[],
  ): Promise<{ state: ThreadState }> {
    let current = state;
    for (let attempt = 0; ; attempt++) {
      try {
        const path = await this.containers.addFile(current.containerId, file.id);
        const added: ThreadFile = { id: file.id, name: file.name, mimeType: file.mimeType, path };
        shared.push(added);
        current = { ...current, files: [...current.files, added] };
        await this.deps.states.put(current);
        return { state: current };
      } catch (error) {
        if (attempt > 0 || (await this.containers.isAlive(current.containerId))) {
          throw toDatabotError(error, `sharing ${file.name} with the analysis`);
        }
        const replaced = await this.containers.replace(current);
        current = { ...replaced.state, pendingRestart: { filesRestored: replaced.filesRestored } };
        await this.deps.states.put(current);
      }
    }
  }

  private async requireState(conversationId: string): Promise<ThreadState> {
    const state = await this.deps.states.get(conversationId);
    if (state) return state;
    throw lostThreadError(conversationId);
  }

  /** Rethrows a failure, as a thread-gone error when it was a 404 and the conversation itself is gone. */
  private async orThreadGone(conversationId: string, error: unknown): Promise<never> {
    const cause = error instanceof DatabotError ? error.cause : error;
    if (statusOf(cause) === 404 && !(await this.conversationExists(conversationId).catch(() => true))) {
      throw lostThreadError(conversationId, cause);
    }
    throw error;
  }

  private async conversationExists(conversationId: string): Promise<boolean> {
    try {
      await this.openai.conversations.retrieve(conversationId);
      return true;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw toDatabotError(error, "opening the conversation");
    }
  }

  private async ignoreMissing(action: () => Promise<unknown>, doing: string): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (statusOf(error) !== 404) throw toDatabotError(error, doing);
    }
  }
}
