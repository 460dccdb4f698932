/**
 * The Azure AI Foundry Agent Service backend: databot's agent with the Code Interpreter tool, one agent thread per
 * chat thread, files uploaded as streams and attached per message, runs streamed for progress.
 */
import type { AgentsClient } from "@azure/ai-agents";
import type { AzureConfig } from "../../../config/azure";
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
import { provisionAgent } from "./agent-provisioning";
import { DatabotError } from "../../../core/errors";
import { activeRunConflict, statusOf, threadGoneError, toDatabotError } from "./errors";
import { addMessage, threadFileIds, uploadFile } from "./messages";
import type { RetrySettings } from "./retry-policy";
import { RunFollower, type RunSettings } from "./runs";

export class AzureAgentBackend implements AgentBackend {
  readonly name = "azure";
  private agentId?: Promise<string>;
  private readonly runs: RunFollower;

  constructor(
    private readonly client: AgentsClient,
    private readonly config: AzureConfig,
    private readonly retry: RetrySettings,
    settings: RunSettings,
    private readonly logger: Logger,
  ) {
    this.runs = new RunFollower(client, retry, settings, logger);
  }

  /** databot's agent id, provisioned once (and again after a failed attempt). */
  private agent(): Promise<string> {
    this.agentId ??= provisionAgent(this.client, this.config, this.logger).catch((error: unknown) => {
      this.agentId = undefined;
      throw toDatabotError(error, "preparing databot's agent");
    });
    return this.agentId;
  }

  /** Provisions the agent once (which asks the service), then asks the service for it on every later call. */
  async ready(): Promise<void> {
    const provisioning = this.agentId === undefined;
    const agentId = await this.agent();
    if (provisioning) return;
    try {
      await this.client.getAgent(agentId);
    } catch (error) {
      throw toDatabotError(error, "checking that the Agent Service answers");
    }
  }

  async ensureThread(existingId: string | undefined): Promise<EnsuredThread> {
    if (existingId) {
      try {
        const thread = await this.client.threads.get(existingId);
        return { id: thread.id };
      } catch (error) {
        if (statusOf(error) !== 404) throw toDatabotError(error, "opening the agent thread");
        this.logger.warn({ threadId: existingId }, "the agent thread is gone; starting a new one");
      }
    }
    try {
      const thread = await this.client.threads.create();
      this.logger.info({ threadId: thread.id }, "created an agent thread");
      return { id: thread.id, ...(existingId ? { replacedExpired: true } : {}) };
    } catch (error) {
      throw toDatabotError(error, "creating the agent thread");
    }
  }

  uploadFile(file: AgentFileInput, signal?: AbortSignal): Promise<UploadedFile> {
    return uploadFile(this.client, file, this.logger, signal);
  }

  addMessage(threadId: string, message: AgentMessageInput): Promise<string> {
    return this.addMessageOnce(threadId, message).catch((error: unknown) =>
      this.orThreadGone(threadId, error),
    );
  }

  private async addMessageOnce(threadId: string, message: AgentMessageInput): Promise<string> {
    try {
      return await addMessage(this.client, threadId, message, this.retry, this.logger);
    } catch (error) {
      // A run that is still ending (for example one just cancelled) holds the thread: wait for it, then add.
      const conflict = activeRunConflict((error as { cause?: unknown }).cause);
      if (!conflict?.runId) throw error;
      this.logger.info({ threadId, runId: conflict.runId }, "waiting for the thread's previous run to end");
      await this.runs.waitUntilEnded(threadId, conflict.runId, 60_000);
      return addMessage(this.client, threadId, message, this.retry, this.logger);
    }
  }

  async run(threadId: string, observer: RunObserver, signal?: AbortSignal): Promise<AgentOutput> {
    const agentId = await this.agent();
    return this.runs
      .run(threadId, agentId, observer, signal)
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

  cancelRun(threadId: string, runId: string): Promise<void> {
    return this.runs.cancel(threadId, runId);
  }

  /**
   * Deletes the thread and the files it holds: the ones people shared (message attachments) and the ones the
   * analysis made (charts and linked files). A thread already gone is not an error.
   */
  async deleteThread(threadId: string): Promise<void> {
    let fileIds: string[] = [];
    try {
      fileIds = await threadFileIds(this.client, threadId);
    } catch (error) {
      if (statusOf(error) !== 404) throw toDatabotError(error, "listing the agent thread's files");
    }
    for (const fileId of fileIds) {
      try {
        await this.client.files.delete(fileId);
      } catch (error) {
        if (statusOf(error) !== 404) throw toDatabotError(error, "deleting the agent thread's files");
      }
    }
    try {
      await this.client.threads.delete(threadId);
    } catch (error) {
      if (statusOf(error) !== 404) throw toDatabotError(error, "deleting the agent thread");
    }
    this.logger.info({ threadId, files: fileIds.length }, "deleted an agent thread and its files");
  }

  /** Rethrows a failure, as a thread-gone error when it was a 404 and the thread itself is gone. */
  private async orThreadGone(threadId: string, error: unknown): Promise<never> {
    const cause = error instanceof DatabotError ? error.cause : error;
    if (statusOf(cause) !== 404) throw error;
    try {
      await this.client.threads.get(threadId);
    } catch (lookup) {
      if (statusOf(lookup) === 404) throw threadGoneError(threadId, cause);
    }
    throw error;
  }

  async close(): Promise<void> {
    // The SDK holds no timers; its keep-alive sockets are released by the runtime when idle.
  }
}
