/**
 * Starting a run and following it to its end. A run is started with streaming, so progress shows as it happens;
 * it is created once even when the answer is lost (see create-once), and a start that meets the thread's active
 * run reattaches to it. When the stream breaks, or when databot resumes a run after a restart, the run is followed
 * by polling. Every ending is handled: completed → outputs; failed, expired, cancelled, incomplete → an error that
 * says so; requires_action → cancelled (databot offers no such tools); past the run timeout → cancelled.
 */
import type {
  AgentEventMessageStream,
  AgentsClient,
  MessageDeltaChunk,
  RunStep,
  RunStepDeltaChunk,
  ThreadRun,
} from "@azure/ai-agents";
import type { Logger } from "../../../core/logger";
import type { AgentOutput, RunObserver } from "../../../core/ports/agent-backend";
import type { TokenUsage } from "../../../core/ports/usage";
import { createOnce, REQUEST_TOKEN_KEY } from "./create-once";
import {
  activeRunConflict,
  isAbort,
  runEndedError,
  runTimedOutError,
  statusOf,
  stoppedWaitingError,
  toDatabotError,
} from "./errors";
import { collectOutputs } from "./outputs";
import { findFirst } from "./paging";
import { ProgressTracker } from "./progress";
import type { RetrySettings } from "./retry-policy";

export interface RunSettings {
  /** Longest a run may take before databot cancels it. */
  timeoutMs: number;
  /** Pause between status checks when following a run by polling. */
  pollIntervalMs: number;
  pageSize: number;
  maxImageBytes: number;
}

/** Statuses a run never leaves, plus requires_action, where it waits for databot. */
const ENDED = new Set(["completed", "failed", "cancelled", "expired", "incomplete", "requires_action"]);
const ACTIVE = new Set(["queued", "in_progress", "requires_action", "cancelling"]);

/** What a run's follower knows so far; the run id is set as soon as the service names it. */
interface Following {
  runId?: string;
}

export class RunFollower {
  constructor(
    private readonly client: AgentsClient,
    private readonly retry: RetrySettings,
    private readonly settings: RunSettings,
    private readonly logger: Logger,
  ) {}

  /** Starts a run of `agentId` on the thread and follows it to its end. */
  run(threadId: string, agentId: string, observer: RunObserver, signal?: AbortSignal): Promise<AgentOutput> {
    return this.within(threadId, {}, signal, async (following, abort) => {
      let token = "";
      let outcome;
      try {
        outcome = await createOnce<AgentEventMessageStream, ThreadRun>(
          "run",
          (t) => {
            token = t;
            return this.client.runs
              .create(threadId, agentId, { metadata: { [REQUEST_TOKEN_KEY]: t }, abortSignal: abort })
              .stream();
          },
          (t) => this.findRun(threadId, (run) => run.metadata?.[REQUEST_TOKEN_KEY] === t),
          this.retry,
          this.logger,
          abort,
        );
      } catch (error) {
        if (isAbort(error)) throw error;
        const conflict = activeRunConflict(error);
        if (!conflict) throw toDatabotError(error, "starting the analysis");
        // Messages are refused while a run is active, so a run active now started after this turn's message:
        // it is this turn's run, created by an attempt whose answer was lost.
        const runId = conflict.runId ?? (await this.findRun(threadId, (run) => ACTIVE.has(run.status)))?.id;
        if (!runId) throw toDatabotError(error, "starting the analysis");
        this.logger.info({ threadId, runId }, "the thread already runs this turn; reattaching");
        return this.reattach(threadId, runId, observer, following, abort);
      }
      if ("found" in outcome) return this.reattach(threadId, outcome.found.id, observer, following, abort);
      const ended = await this.readStream(outcome.created, threadId, observer, following, abort);
      if (!following.runId) {
        const run = await this.findRun(threadId, (r) => r.metadata?.[REQUEST_TOKEN_KEY] === token);
        if (!run)
          throw toDatabotError(
            new Error("the run stream ended before the run was named"),
            "starting the analysis",
          );
        await this.announce(run.id, observer, following);
      }
      const run = ended ?? (await this.poll(threadId, following.runId!, observer, abort));
      return this.finish(threadId, run);
    });
  }

  /** Reattaches to a run started earlier and follows it to its end. */
  resume(threadId: string, runId: string, observer: RunObserver, signal?: AbortSignal): Promise<AgentOutput> {
    return this.within(threadId, { runId }, signal, async (following, abort) => {
      this.logger.info({ threadId, runId }, "resuming a run");
      return this.finish(threadId, await this.poll(threadId, runId, observer, abort));
    });
  }

  /** Cancels a run and waits (briefly) until it has stopped; succeeds when it had already ended. */
  async cancel(threadId: string, runId: string): Promise<void> {
    try {
      await this.client.runs.cancel(threadId, runId);
    } catch (error) {
      if (statusOf(error) !== 400 && statusOf(error) !== 404)
        throw toDatabotError(error, "cancelling the analysis");
    }
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      let run: ThreadRun;
      try {
        run = await this.client.runs.get(threadId, runId);
      } catch (error) {
        if (statusOf(error) === 404) return;
        throw toDatabotError(error, "cancelling the analysis");
      }
      if (!ACTIVE.has(run.status)) return;
      await this.retry.sleep(this.settings.pollIntervalMs);
    }
    this.logger.warn({ threadId, runId }, "the run was still stopping when databot stopped waiting");
  }

  /** Waits until a run has ended (used before adding a message to a thread that is still busy). */
  async waitUntilEnded(threadId: string, runId: string, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline) {
      const run = await this.client.runs.get(threadId, runId);
      if (!ACTIVE.has(run.status)) return;
      await this.retry.sleep(this.settings.pollIntervalMs);
    }
  }

  /**
   * Runs `follow` under the run timeout and the caller's signal: past the timeout the run is cancelled and the user
   * told; when the caller aborts (shutdown, lost turn) databot stops waiting but leaves the run going.
   */
  private async within(
    threadId: string,
    following: Following,
    signal: AbortSignal | undefined,
    follow: (following: Following, abort: AbortSignal) => Promise<AgentOutput>,
  ): Promise<AgentOutput> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.settings.timeoutMs);
    const abort = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    try {
      return await follow(following, abort);
    } catch (error) {
      if (signal?.aborted) throw stoppedWaitingError(following.runId);
      if (deadline.signal.aborted) {
        if (following.runId) {
          this.logger.warn({ threadId, runId: following.runId }, "the run took too long; cancelling it");
          await this.cancel(threadId, following.runId).catch((cancelError: unknown) =>
            this.logger.error(
              { threadId, runId: following.runId, err: String(cancelError) },
              "cancelling failed",
            ),
          );
        }
        throw runTimedOutError(following.runId ?? "(not started)", this.settings.timeoutMs);
      }
      throw toDatabotError(error, "following the analysis");
    } finally {
      clearTimeout(timer);
    }
  }

  private async announce(runId: string, observer: RunObserver, following: Following): Promise<void> {
    if (following.runId) return;
    following.runId = runId;
    await observer.onRunStarted(runId);
    observer.onProgress({ kind: "thinking" });
  }

  private async reattach(
    threadId: string,
    runId: string,
    observer: RunObserver,
    following: Following,
    abort: AbortSignal,
  ): Promise<AgentOutput> {
    await this.announce(runId, observer, following);
    return this.finish(threadId, await this.poll(threadId, runId, observer, abort));
  }

  /**
   * Reads the event stream. Returns the run once it ended; undefined when the stream stopped first (a dropped
   * connection or an `error` event), so the caller follows the run by polling.
   */
  private async readStream(
    stream: AgentEventMessageStream,
    threadId: string,
    observer: RunObserver,
    following: Following,
    abort: AbortSignal,
  ): Promise<ThreadRun | undefined> {
    const progress = new ProgressTracker(observer);
    try {
      for await (const { event, data } of stream) {
        if (event.startsWith("thread.run.step.")) {
          if (event === "thread.run.step.delta") progress.stepDelta(data as RunStepDeltaChunk);
          else progress.step(data as RunStep);
        } else if (event.startsWith("thread.run.")) {
          const run = data as ThreadRun;
          await this.announce(run.id, observer, following);
          if (ENDED.has(run.status)) return run;
        } else if (event === "thread.message.delta") {
          progress.messageDelta(data as MessageDeltaChunk);
        } else if (event === "error") {
          this.logger.warn(
            { threadId, runId: following.runId },
            "the run stream reported an error; polling instead",
          );
          return undefined;
        } else if (event === "done") {
          return undefined;
        }
      }
    } catch (error) {
      if (isAbort(error) || abort.aborted) throw error;
      this.logger.warn(
        { threadId, runId: following.runId, err: String(error) },
        "the run stream broke; polling instead",
      );
    }
    return undefined;
  }

  /** Polls the run until it ended, reporting the code of its newest step as it changes. */
  private async poll(
    threadId: string,
    runId: string,
    observer: RunObserver,
    abort: AbortSignal,
  ): Promise<ThreadRun> {
    let shownCode = "";
    for (;;) {
      const run = await this.client.runs.get(threadId, runId, { abortSignal: abort });
      if (ENDED.has(run.status)) return run;
      const newest = await findFirst(
        (page) => this.client.runSteps.list(threadId, runId, { ...page, abortSignal: abort }),
        () => true,
        "desc",
        1,
      );
      const code = newest ? latestCode(newest) : undefined;
      if (code && code !== shownCode) {
        shownCode = code;
        observer.onProgress({ kind: "running_code", code });
      }
      await this.retry.sleep(this.settings.pollIntervalMs, abort);
    }
  }

  /** Outputs of a completed run, or the error for any other ending (cancelling a run that waits for action). */
  private async finish(threadId: string, run: ThreadRun): Promise<AgentOutput> {
    this.logger.info({ threadId, runId: run.id, status: run.status }, "the run ended");
    if (run.status === "completed") {
      const output = await collectOutputs(this.client, threadId, run.id, this.settings, this.logger);
      const usage = runUsage(run);
      return usage ? { ...output, usage } : output;
    }
    if (run.status === "requires_action") await this.cancel(threadId, run.id);
    const incomplete = (run as { incompleteDetails?: { reason?: string } | null }).incompleteDetails?.reason;
    throw runEndedError(run.status, run.id, run.lastError, incomplete);
  }

  private findRun(threadId: string, matches: (run: ThreadRun) => boolean): Promise<ThreadRun | undefined> {
    return findFirst((page) => this.client.runs.list(threadId, page), matches);
  }
}

function latestCode(step: RunStep): string | undefined {
  if (step.stepDetails?.type !== "tool_calls") return undefined;
  const calls = (
    step.stepDetails as { toolCalls?: Array<{ type: string; codeInterpreter?: { input?: string } }> }
  ).toolCalls;
  return calls?.filter((c) => c.type === "code_interpreter").pop()?.codeInterpreter?.input || undefined;
}

/**
 * The run's token counts: the SDK names them in camelCase, a streamed run event carries the service's own
 * snake_case fields.
 */
function runUsage(run: ThreadRun): TokenUsage | undefined {
  const usage = run.usage as
    | { promptTokens?: number; completionTokens?: number; prompt_tokens?: number; completion_tokens?: number }
    | null
    | undefined;
  if (!usage) return undefined;
  const inputTokens = usage.promptTokens ?? usage.prompt_tokens;
  const outputTokens = usage.completionTokens ?? usage.completion_tokens;
  if (typeof inputTokens !== "number" || typeof outputTokens !== "number") return undefined;
  return { inputTokens, outputTokens };
}
