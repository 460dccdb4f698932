/**
 * Following a thread's response to its end. The response runs in the background and is streamed for progress;
 * when the stream drops, stops on an `error` event or ends without an ending, databot looks at the response and
 * reattaches with `responses.retrieve(id, { stream: true, starting_after })` — after a restart from the first
 * event. Every ending becomes the answer or an error that says what happened; past the run timeout the response
 * is cancelled.
 */
import { APIError } from "openai";
import type { Stream } from "openai/core/streaming";
import type { Response, ResponseStreamEvent } from "openai/resources/responses/responses";
import { sleep } from "../../../core/async";
import type { AgentOutput, RunObserver } from "../../../core/ports/agent-backend";
import {
  isAbort,
  lostThreadError,
  responseEndedError,
  runTimedOutError,
  statusOf,
  stoppedWaitingError,
  toDatabotError,
} from "./errors";
import { collectOutputs, type OutputItem, type OutputSettings } from "./outputs";
import { ResponseStarter } from "./response-start";
import { INCLUDE, RunContext, type RunDeps, TERMINAL } from "./run-context";
import type { OutputSpool } from "./spool";
import { StreamProgress } from "./stream-progress";

/** Longest databot waits, after a cancel, for the response to stop. */
const CANCEL_WAIT_MS = 30_000;

export interface ResponseRunsDeps extends RunDeps {
  spool: OutputSpool;
  outputs: OutputSettings;
}

export class ResponseRuns {
  constructor(private readonly deps: ResponseRunsDeps) {}

  /** Starts the response that answers the thread's newest message and follows it to its end. */
  run(conversationId: string, observer: RunObserver, signal?: AbortSignal): Promise<AgentOutput> {
    return this.within(conversationId, observer, signal, undefined, async (ctx) => {
      const starter = new ResponseStarter(ctx);
      for (;;) {
        const started = await starter.start();
        if ("answered" in started) return this.finishItems(ctx, started.answered);
        if ("reattach" in started) {
          await ctx.announce(started.reattach);
          return this.finish(ctx, await this.followKnown(ctx));
        }
        const ended = await this.follow(ctx, started.stream);
        if (ended) return this.finish(ctx, ended);
        // The stream broke before it named the response: it may exist, so never blindly create another.
        ctx.deps.logger.warn({ conversationId }, "the response stream broke before the response was named");
        starter.lostAfterCreate();
      }
    });
  }

  /** Reattaches to a response started earlier (after a restart), replaying its events from the first. */
  resume(conversationId: string, responseId: string, observer: RunObserver, signal?: AbortSignal) {
    return this.within(conversationId, observer, signal, responseId, async (ctx) => {
      ctx.deps.logger.info({ conversationId, responseId }, "resuming a response");
      return this.finish(ctx, await this.followKnown(ctx));
    });
  }

  /** Cancels a response and waits (briefly) until it stopped; succeeds when it had already ended. */
  async cancel(responseId: string): Promise<void> {
    const { openai, logger, settings } = this.deps;
    try {
      await openai.responses.cancel(responseId);
    } catch (error) {
      const status = statusOf(error);
      if (status !== 400 && status !== 404 && status !== 409)
        throw toDatabotError(error, "cancelling the analysis");
    }
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while (Date.now() < deadline) {
      let response: Response;
      try {
        response = await openai.responses.retrieve(responseId);
      } catch (error) {
        if (statusOf(error) === 404) return;
        throw toDatabotError(error, "cancelling the analysis");
      }
      if (TERMINAL.has(response.status ?? "")) return;
      await sleep(settings.pollIntervalMs);
    }
    logger.warn({ responseId }, "the response was still stopping when databot stopped waiting");
  }

  /**
   * Runs `follow` under the run timeout and the caller's signal: past the timeout the response is cancelled and
   * the user told; when the caller aborts (shutdown, lost turn) databot stops waiting but leaves it running.
   */
  private async within(
    conversationId: string,
    observer: RunObserver,
    signal: AbortSignal | undefined,
    responseId: string | undefined,
    follow: (ctx: RunContext) => Promise<AgentOutput>,
  ): Promise<AgentOutput> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.deps.settings.timeoutMs);
    const abort = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    let ctx: RunContext | undefined;
    try {
      const state = await this.deps.states.get(conversationId);
      if (!state) throw lostThreadError(conversationId);
      ctx = new RunContext(this.deps, state, observer, abort);
      ctx.responseId = responseId;
      return await follow(ctx);
    } catch (error) {
      const known = ctx?.responseId;
      if (signal?.aborted) throw stoppedWaitingError(known);
      if (deadline.signal.aborted) {
        if (known) {
          this.deps.logger.warn(
            { conversationId, responseId: known },
            "the response took too long; cancelling it",
          );
          await this.cancel(known).catch((cancelError: unknown) =>
            this.deps.logger.error({ responseId: known, err: String(cancelError) }, "cancelling failed"),
          );
        }
        throw runTimedOutError(known ?? "(not started)", this.deps.settings.timeoutMs);
      }
      throw toDatabotError(error, "following the analysis");
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reads the stream (or reattaches) until the response ended. Returns undefined only when the first stream broke
   * before the response was named.
   */
  private async follow(
    ctx: RunContext,
    first: Stream<ResponseStreamEvent> | undefined,
  ): Promise<Response | undefined> {
    const { openai, settings } = this.deps;
    const progress = new StreamProgress(ctx.observer);
    let stream = first;
    for (let quiet = 0; ;) {
      if (stream) {
        const seen = ctx.lastSequence;
        const ended = await this.read(ctx, stream, progress);
        if (ended) return ended;
        if (!ctx.responseId) return undefined;
        quiet = ctx.lastSequence === seen ? quiet + 1 : 0;
      }
      const id = ctx.responseId!;
      const current = await openai.responses.retrieve(id, { include: INCLUDE }, { signal: ctx.abort });
      if (TERMINAL.has(current.status ?? "")) return current;
      // A stream that keeps ending without news: wait a little longer each time before asking again.
      if (quiet > 0) await sleep(settings.pollIntervalMs * Math.min(quiet, 10), ctx.abort);
      this.deps.logger.info(
        { responseId: id, after: ctx.lastSequence },
        "reattaching to the response stream",
      );
      stream = await openai.responses.retrieve(
        id,
        {
          stream: true,
          include: INCLUDE,
          ...(ctx.lastSequence !== undefined ? { starting_after: ctx.lastSequence } : {}),
        },
        { signal: ctx.abort },
      );
    }
  }

  /** Follows a response whose id is known, from a fresh stream. */
  private async followKnown(ctx: RunContext): Promise<Response> {
    const ended = await this.follow(ctx, undefined);
    if (!ended) throw new Error(`response ${ctx.responseId} could not be followed`);
    return ended;
  }

  /** Reads events until the response ended (returned) or the stream stopped (undefined). */
  private async read(
    ctx: RunContext,
    stream: Stream<ResponseStreamEvent>,
    progress: StreamProgress,
  ): Promise<Response | undefined> {
    try {
      for await (const event of stream) {
        if (ctx.lastSequence !== undefined && event.sequence_number <= ctx.lastSequence) continue;
        ctx.lastSequence = event.sequence_number;
        switch (event.type) {
          case "response.created":
          case "response.queued":
          case "response.in_progress":
            await ctx.announce(event.response.id);
            break;
          case "response.code_interpreter_call_code.delta":
            progress.codeDelta(event.item_id, event.delta);
            break;
          case "response.code_interpreter_call_code.done":
            progress.codeDone(event.item_id, event.code);
            break;
          case "response.output_text.delta":
            progress.textDelta(event.item_id, event.content_index, event.delta);
            break;
          case "response.output_text.done":
            progress.textDone(event.item_id, event.content_index, event.text);
            break;
          case "response.completed":
          case "response.failed":
          case "response.incomplete":
            await ctx.announce(event.response.id);
            return event.response;
          case "error":
            ctx.streamError = { code: event.code ?? undefined, message: event.message };
            this.deps.logger.warn(
              { responseId: ctx.responseId, code: event.code },
              "the response stream reported an error",
            );
            return undefined;
        }
      }
    } catch (error) {
      if (isAbort(error) || ctx.abort.aborted) throw error;
      if (error instanceof APIError && error.status === undefined && isErrorEvent(error.error)) {
        ctx.streamError = { code: error.error.code ?? undefined, message: error.error.message };
        this.deps.logger.warn(
          { responseId: ctx.responseId, code: error.error.code },
          "the response stream reported an error",
        );
      } else {
        this.deps.logger.warn(
          { responseId: ctx.responseId, err: String(error) },
          "the response stream broke",
        );
      }
    }
    return undefined;
  }

  /** The answer of a completed response, or the error for any other ending. */
  private async finish(ctx: RunContext, response: Response): Promise<AgentOutput> {
    this.deps.logger.info(
      { conversationId: ctx.conversationId, responseId: response.id, status: response.status },
      "the response ended",
    );
    if (response.status !== "completed") {
      const error = response.error ?? (response.status === "failed" ? ctx.streamError : undefined);
      throw responseEndedError(
        response.status ?? "unknown",
        response.id,
        error,
        response.incomplete_details?.reason,
      );
    }
    let output: OutputItem[] = response.output;
    if (output.length === 0) {
      output = (
        await this.deps.openai.responses.retrieve(response.id, { include: INCLUDE }, { signal: ctx.abort })
      ).output;
    }
    const usage = response.usage
      ? { inputTokens: response.usage.input_tokens, outputTokens: response.usage.output_tokens }
      : undefined;
    const answer = await this.finishItems(ctx, output);
    return usage ? { ...answer, usage } : answer;
  }

  private async finishItems(ctx: RunContext, items: readonly OutputItem[]): Promise<AgentOutput> {
    const output = await collectOutputs(items, {
      openai: this.deps.openai,
      spool: this.deps.spool,
      logger: this.deps.logger,
      ...this.deps.outputs,
    });
    const restart = ctx.restart;
    if (restart) await ctx.saveState({ pendingRestart: undefined });
    return restart ? { ...output, sessionRestarted: restart } : output;
  }
}

function isErrorEvent(value: unknown): value is { code?: string | null; message: string } {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "error";
}
