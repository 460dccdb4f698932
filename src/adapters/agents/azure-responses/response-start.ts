/**
 * Starting the one response that answers a thread's newest message. Creating a response is not idempotent, so
 * it is sent without the client's own retries and databot decides:
 * - 429: nothing was created; wait as long as `retry-after` says, then try again;
 * - 5xx or a broken connection: it may have been created; try again, and look in the conversation whether the
 *   lost attempt already answered;
 * - 400 `conversation_locked`: a response is still busy on the conversation. If it is the one databot recorded
 *   for this very message, reattach to it; if it answers an earlier message, wait for it to end; an unknown one is
 *   this message's lost attempt: wait until its answer shows in the conversation — never start a second one;
 * - 400 "Container is expired.": the thread's session ended; replace it (restoring the files) and try again.
 */
import { CONTAINER_INPUT } from "./agent-version";
import type { Stream } from "openai/core/streaming";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { sleep } from "../../../core/async";
import { backoffMs, retryAfterMs } from "../../../core/backoff";
import {
  errorHeaders,
  isAbort,
  isContainerExpired,
  isConversationLocked,
  isTransient,
  statusOf,
  toDatabotError,
} from "./errors";
import type { OutputItem } from "./outputs";
import { INCLUDE, type RunContext, TERMINAL } from "./run-context";

export type StartOutcome =
  | { stream: Stream<ResponseStreamEvent> }
  /** A response databot recorded for this message is still running: follow it. */
  | { reattach: string }
  /** A lost attempt answered the message; these are its output items, read from the conversation. */
  | { answered: OutputItem[] };

/** Longest databot waits for an earlier message's response to end before starting this one. */
const EARLIER_RESPONSE_WAIT_MS = 60_000;

export class ResponseStarter {
  private transientFailures = 0;
  private lockWaits = 0;
  private containerReplaced = false;
  /** An attempt whose answer was lost may have created a response. */
  private maybeCreated = false;
  /** The conversation's newest item before the first attempt: items after it answer this message. */
  private cursor?: string | null;

  constructor(private readonly ctx: RunContext) {}

  /** Marks that a response was created but never named (its stream broke first). */
  lostAfterCreate(): void {
    this.maybeCreated = true;
  }

  async start(): Promise<StartOutcome> {
    const { deps, abort } = this.ctx;
    const agent = await deps.agent();
    if (this.cursor === undefined) this.cursor = await this.newestItemId();
    for (;;) {
      abort.throwIfAborted();
      if (this.maybeCreated) {
        const answered = await this.answeredSinceCursor();
        if (answered) {
          deps.logger.info(
            { conversationId: this.ctx.conversationId },
            "a lost attempt answered the message",
          );
          return { answered };
        }
      }
      try {
        const stream = await deps.openai.responses.create(
          {
            conversation: this.ctx.conversationId,
            stream: true,
            background: true,
            include: INCLUDE,
          },
          {
            body: {
              agent_reference: { type: "agent_reference", name: agent.name, version: agent.version },
              // The agent's code interpreter runs in this thread's own container (see agentDefinition).
              structured_inputs: { [CONTAINER_INPUT]: this.ctx.state.containerId },
            },
            maxRetries: 0,
            signal: abort,
          },
        );
        if (this.maybeCreated) {
          // The lost attempt may have finished just before this one was accepted: its answer wins.
          const answered = await this.answeredSinceCursor();
          if (answered) {
            await this.discard(stream);
            return { answered };
          }
        }
        return { stream };
      } catch (error) {
        if (isAbort(error) || abort.aborted) throw error;
        const next = await this.afterFailure(error);
        if (next) return next;
      }
    }
  }

  /** Decides what follows a failed attempt: an outcome, or undefined to try again (after waiting). */
  private async afterFailure(error: unknown): Promise<StartOutcome | undefined> {
    const { deps, abort } = this.ctx;
    if (isContainerExpired(error) && !this.containerReplaced) {
      this.containerReplaced = true;
      const replaced = await deps.containers.replace(this.ctx.state);
      await this.ctx.saveState({
        ...replaced.state,
        pendingRestart: { filesRestored: replaced.filesRestored },
      });
      return undefined;
    }
    if (isConversationLocked(error)) {
      const known = this.ctx.state.lastResponse;
      const busy = known ? await this.activeResponse(known.id) : undefined;
      if (busy && known?.messageId === this.ctx.state.lastMessageId) {
        deps.logger.info(
          { responseId: busy },
          "the conversation is busy with this message's response; reattaching",
        );
        return { reattach: busy };
      }
      if (busy) {
        deps.logger.info({ responseId: busy }, "waiting for the previous response to end");
        await this.waitUntilEnded(busy);
        this.cursor = await this.newestItemId();
        return undefined;
      }
      this.maybeCreated = true;
      await deps.retry.sleep(backoffMs(Math.min(this.lockWaits++, 5), deps.retry), abort);
      return undefined;
    }
    if (!isTransient(error) || ++this.transientFailures > deps.retry.maxRetries) {
      throw toDatabotError(error, "starting the analysis");
    }
    if (statusOf(error) !== 429) this.maybeCreated = true;
    const asked = retryAfterMs(errorHeaders(error));
    if (asked !== undefined && asked > deps.retry.maxRetryAfterMs)
      throw toDatabotError(error, "starting the analysis");
    const delay = asked ?? backoffMs(this.transientFailures - 1, deps.retry);
    deps.logger.warn(
      { status: statusOf(error), attempt: this.transientFailures, delayMs: delay },
      "starting the response failed; retrying",
    );
    await deps.retry.sleep(delay, abort);
    return undefined;
  }

  /** Cancels a response started needlessly, as soon as its first event names it. */
  private async discard(stream: Stream<ResponseStreamEvent>): Promise<void> {
    try {
      for await (const event of stream) {
        if ("response" in event && event.response?.id) {
          this.ctx.deps.logger.info(
            { responseId: event.response.id },
            "cancelling a second response for the message",
          );
          await this.ctx.deps.openai.responses.cancel(event.response.id);
        }
        break;
      }
    } catch (error) {
      this.ctx.deps.logger.warn(
        { err: String(error) },
        "could not cancel a second response; it will end on its own",
      );
    } finally {
      stream.controller.abort();
    }
  }

  /** The response's id while it is still running; undefined once it ended (or is unknown). */
  private async activeResponse(responseId: string): Promise<string | undefined> {
    try {
      const response = await this.ctx.deps.openai.responses.retrieve(
        responseId,
        {},
        { signal: this.ctx.abort },
      );
      return TERMINAL.has(response.status ?? "") ? undefined : response.id;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw toDatabotError(error, "checking the previous analysis");
    }
  }

  private async waitUntilEnded(responseId: string): Promise<void> {
    const deadline = Date.now() + EARLIER_RESPONSE_WAIT_MS;
    while (Date.now() < deadline && (await this.activeResponse(responseId))) {
      await sleep(this.ctx.deps.settings.pollIntervalMs, this.ctx.abort);
    }
  }

  private async newestItemId(): Promise<string | null> {
    try {
      const page = await this.ctx.deps.openai.conversations.items.list(
        this.ctx.conversationId,
        { limit: 1, order: "desc" },
        { signal: this.ctx.abort },
      );
      return page.data[0]?.id ?? null;
    } catch (error) {
      throw toDatabotError(error, "opening the conversation");
    }
  }

  /** The items after the cursor, once they hold a completed assistant message (the lost attempt's answer). */
  private async answeredSinceCursor(): Promise<OutputItem[] | undefined> {
    const items: OutputItem[] = [];
    const query = { order: "asc" as const, limit: 100, ...(this.cursor ? { after: this.cursor } : {}) };
    for await (const item of this.ctx.deps.openai.conversations.items.list(this.ctx.conversationId, query, {
      signal: this.ctx.abort,
    })) {
      items.push(item as OutputItem);
    }
    const answered = items.some(
      (item) =>
        item.type === "message" &&
        (item as { role?: string }).role === "assistant" &&
        (item as { status?: string }).status === "completed",
    );
    return answered ? items : undefined;
  }
}
