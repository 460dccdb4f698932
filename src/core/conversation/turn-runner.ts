/**
 * Answers one inbox item: a thread command, or a question with files. Each step is checkpointed in the store, so
 * a turn resumed after a crash skips what was done — files are not uploaded twice, the message is not added
 * twice, and a run that already started is reattached instead of started again.
 */
import type {
  AgentBackend,
  AgentOutput,
  AgentProgress,
  ChatSurface,
  ClaimedItem,
  ObservedTurn,
  Store,
  TurnCheckpoint,
  TurnObserver,
  TurnOutcome,
  TurnStage,
} from "../ports";
import { asDatabotError, DatabotError, ErrorCode } from "../errors";
import type { FilePolicy } from "../files/file-policy";
import type { Logger } from "../logger";
import { emptyReply, type InboundMessage, type Notice, type Progress, type Reply } from "../types";
import {
  ALREADY_DONE_TEXT,
  HELP_TEXT,
  NOTHING_TO_STOP_TEXT,
  parseCommand,
  RESET_TEXT,
  STOPPED_TEXT,
  type ThreadCommand,
  UPLOAD_ONLY_PROMPT,
} from "./commands";
import { limitOutput } from "./reply-limits";
import { STOPS_NAMESPACE } from "./stops";
import { NO_TURN_OBSERVER, observedTurn } from "./turn-observation";
import { WaitingForSession, type SessionBudget } from "./session-budget";
import { TurnUsage } from "./turn-usage";
import { TurnPresenter } from "./turn-presenter";
import { transferAttachments } from "./turn-files";

export interface TurnRunnerDeps {
  store: Store;
  backend: AgentBackend;
  surfaces: ReadonlyMap<string, ChatSurface>;
  policy: FilePolicy;
  logger: Logger;
  /** Told about each stage of a turn (metrics, traces) and what it used. */
  observer?: TurnObserver;
  /** The session gate, when usage is kept (see `session-budget.ts`). */
  budget?: SessionBudget;
}

export type { TurnOutcome } from "../ports";

/** Thrown when the worker lost its lease: another worker owns the turn now. */
class LeaseLostError extends Error {}

export class TurnRunner {
  constructor(private readonly deps: TurnRunnerDeps) {}

  /** Runs the item to the end. `signal` aborts on shutdown or a lost lease; the item is then left for a resume. */
  async run(item: ClaimedItem, signal: AbortSignal, observed = observedTurn(item)): Promise<TurnOutcome> {
    const { message } = item;
    const log = this.deps.logger.child({ threadId: message.threadId, messageId: message.id, seq: item.seq });
    const surface = this.deps.surfaces.get(message.platform);
    if (!surface) {
      log.error(
        { platform: message.platform },
        "no surface configured for this platform; the message is dropped",
      );
      await this.deps.store.finish(item.lease, "failed", "no_surface");
      return "failed";
    }
    const turn = new Turn(item, surface, this.deps, log, signal, observed);
    return turn.run();
  }
}

class Turn {
  private checkpoint: TurnCheckpoint;
  private readonly message: InboundMessage;
  /** What the thread sees of this turn, for as long as it runs. */
  private readonly presenter: TurnPresenter;
  /** What the turn used, for the usage ledger and metrics. */
  private readonly usage: TurnUsage;

  constructor(
    private readonly item: ClaimedItem,
    private readonly surface: ChatSurface,
    private readonly deps: TurnRunnerDeps,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
    private readonly observed: ObservedTurn,
  ) {
    this.checkpoint = { ...item.checkpoint };
    this.message = item.message;
    this.usage = new TurnUsage(item, deps.backend.name);
    const live = this.checkpoint.live;
    this.presenter = new TurnPresenter(surface.openTurn(this.message), {
      // What the thread shows exactly is not known after a restart: the view replaces it rather than append.
      resumed: live ? { ...live, shown: undefined } : undefined,
      saveLive: ({ channel, handle, openedAt }) => this.save({ live: { channel, handle, openedAt } }),
      logger: log,
    });
  }

  async run(): Promise<TurnOutcome> {
    const started = Date.now();
    let notices: Notice[] = this.checkpoint.notices ?? [];
    const posted = this.checkpoint.posted;
    if (posted) {
      // The reply went out before a crash or a lost lease: finish as it ended, and post nothing again.
      this.log.info({ postedAt: posted.at }, "reply was already posted; finishing the turn");
      await this.presenter.close();
      // Its usage was told before the crash, or is lost with it: nothing of the run is known here.
      return this.finish(posted.outcome, posted.errorCode, false);
    }
    try {
      const command = parseCommand(this.message.text);
      if (command && this.message.attachments.length === 0) {
        await this.runCommand(command);
        return await this.finish("done");
      }
      const result = await this.answer();
      notices = result.notices;
      const output = limitOutput(result.output);
      await this.post({
        ...emptyReply(),
        ...output,
        notices: [...result.notices, ...output.notices],
      });
      this.log.info({ ms: Date.now() - started, images: result.output.images.length }, "turn answered");
      return await this.finish("done");
    } catch (error) {
      if (error instanceof WaitingForSession) return await this.defer(error.retryInMs);
      if (this.signal.aborted || error instanceof LeaseLostError) {
        this.log.info({ reason: String(this.signal.reason ?? "lease lost") }, "turn left for resume");
        await this.presenter.abandon();
        return "abandoned";
      }
      const failure = asDatabotError(error);
      this.log.warn({ code: failure.code, err: failure }, "turn failed");
      // Notices saved during the turn (refused files, a restarted session) still reach the user.
      await this.postError(failure, this.checkpoint.notices ?? notices);
      return await this.finish("failed", failure.code);
    } finally {
      await this.presenter.close();
    }
  }

  /** Uploads files, adds the message and runs (or resumes) the agent. */
  private async answer(): Promise<{ output: AgentOutput; notices: Notice[] }> {
    const { backend } = this.deps;
    await this.admit();
    if (this.message.attachments.length > 0) {
      this.progress({ stage: "receiving_files", files: this.message.attachments.map((a) => a.name) });
    }
    const agentThreadId = await this.agentThread();
    const { uploads, notices } = await this.stage("receiving_files", () =>
      transferAttachments(this.message, this.checkpoint, {
        surface: this.surface,
        backend,
        policy: this.deps.policy,
        logger: this.log,
        save: (patch) => this.save(patch),
        signal: this.signal,
      }),
    );
    const question = this.message.text.trim();
    if (question === "" && uploads.length === 0) {
      // Only refused files (or nothing usable): the notices are the whole answer.
      return { output: { ...emptyReply() }, notices };
    }
    if (!this.checkpoint.agentMessageId) {
      const agentMessageId = await backend.addMessage(agentThreadId, {
        text: question === "" ? UPLOAD_ONLY_PROMPT : question,
        files: uploads,
        authorName: this.message.author.name,
      });
      await this.save({ agentThreadId, agentMessageId });
    }
    this.progress({ stage: "thinking" });
    const observer = {
      onRunStarted: async (runId: string) => {
        this.log.info({ runId, agentThreadId }, "run started");
        await this.save({ runId });
      },
      onProgress: (p: AgentProgress) => {
        const progress: Progress =
          p.kind === "running_code"
            ? { stage: "running_code", code: p.code }
            : p.kind === "text"
              ? { stage: "answering", text: p.text }
              : { stage: "thinking" };
        void this.progress(progress);
      },
    };
    const runId = this.checkpoint.runId;
    const output = await this.stage("run", () =>
      runId
        ? backend.resumeRun(agentThreadId, runId, observer, this.signal)
        : backend.run(agentThreadId, observer, this.signal),
    );
    this.usage.ran(output);
    if (output.sessionRestarted) notices.push(sessionRestartedNotice(output.sessionRestarted.filesRestored));
    return { output, notices };
  }

  /** The agent thread for this chat thread: the mapped one if it still exists, otherwise a new one. */
  private async agentThread(): Promise<string> {
    if (this.checkpoint.agentThreadId) return this.checkpoint.agentThreadId;
    const { store, backend } = this.deps;
    const mapped = await store.getThread(this.message.threadId);
    const existing = mapped && mapped.backend === backend.name ? mapped.agentThreadId : undefined;
    const ensured = await backend.ensureThread(existing);
    if (ensured.id !== existing || ensured.replacedExpired) this.usage.newSession();
    if (ensured.id !== existing) {
      await store.putThread(this.message.threadId, backend.name, ensured.id);
      this.log.info({ agentThreadId: ensured.id, replaced: existing !== undefined }, "agent thread created");
    }
    if (ensured.replacedExpired) {
      // Saved now, so the notice survives a restart of this turn (the thread is not replaced twice).
      const notices = [
        ...(this.checkpoint.notices ?? []),
        sessionRestartedNotice(ensured.filesRestored === true),
      ];
      await this.save({ notices });
    }
    // Saved together with the message id (one write fewer): until then, a resumed turn finds the same thread
    // through the thread map.
    this.checkpoint.agentThreadId = ensured.id;
    return ensured.id;
  }

  private async runCommand(command: ThreadCommand): Promise<void> {
    const { store, backend } = this.deps;
    if (command === "help") return this.post({ ...emptyReply(), text: HELP_TEXT });
    if (command === "stop") {
      // The run was cancelled when this message arrived; by now the question it stopped has ended.
      const record = await store.space(STOPS_NAMESPACE).get<{ seqs: number[] }>(this.message.id);
      const items = await Promise.all((record?.seqs ?? []).map((seq) => store.getItem(seq)));
      const stopped = items.some((i) => i?.lastError === ErrorCode.RunCancelled);
      const text = stopped ? STOPPED_TEXT : items.length > 0 ? ALREADY_DONE_TEXT : NOTHING_TO_STOP_TEXT;
      return this.post({ ...emptyReply(), text });
    }
    if (command === "reset") {
      const mapped = await store.getThread(this.message.threadId);
      await store.deleteThread(this.message.threadId);
      if (mapped && mapped.backend === backend.name) {
        await backend.deleteThread(mapped.agentThreadId).catch((error: unknown) => {
          this.log.warn(
            { err: asDatabotError(error) },
            "could not delete the old agent thread; it will expire",
          );
        });
      }
      return this.post({ ...emptyReply(), text: RESET_TEXT });
    }
    const failed = await store.latestInThread(this.message.threadId, "failed");
    if (!failed)
      return this.post({ ...emptyReply(), text: "There is no failed question in this thread to retry." });
    // Keep what was uploaded and added; start a fresh run and post again (its failure already ended its live text).
    // When its agent thread was gone, it starts over on a new one: only what the person was told is kept.
    const { runId: _run, live: _live, posted: _posted, ...kept } = failed.checkpoint;
    const again: TurnCheckpoint =
      failed.lastError === ErrorCode.RunExpired ? { notices: kept.notices, refused: kept.refused } : kept;
    await store.reopen(failed.seq, again);
    this.log.info({ retriedSeq: failed.seq }, "failed message reopened");
    this.progress({ stage: "queued", position: 1 });
  }

  private async post(reply: Reply): Promise<void> {
    this.signal.throwIfAborted();
    this.progress({ stage: "posting" });
    let ids: string[] | undefined;
    try {
      ids = (await this.stage("posting", () => this.presenter.finish(reply)))?.ids;
    } catch (error) {
      throw new DatabotError(ErrorCode.PostFailed, "I could not post the answer in this thread.", {
        cause: error,
        detail: error instanceof Error ? error.message : String(error),
      });
    }
    await this.recordPosted("done", undefined, ids);
  }

  /** Saved before the item is finished, so a crash in between cannot post the reply twice. */
  private async recordPosted(outcome: "done" | "failed", errorCode?: string, ids?: string[]): Promise<void> {
    await this.save({
      posted: { at: Date.now(), outcome, ...(errorCode ? { errorCode } : {}), ...(ids ? { ids } : {}) },
    });
  }

  private async postError(failure: DatabotError, notices: Notice[]): Promise<void> {
    if (failure.code === ErrorCode.PostFailed) return; // posting is what failed; don't try again with the same surface
    const retryHint = failure.retryable ? " Say `retry` in this thread to try again." : "";
    const reply: Reply = {
      ...emptyReply(),
      notices,
      error: { code: failure.code, message: failure.userMessage + retryHint, retryable: failure.retryable },
    };
    try {
      const ids = (await this.stage("posting", () => this.presenter.fail(reply)))?.ids;
      await this.recordPosted("failed", failure.code, ids);
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      this.log.error({ err: asDatabotError(error) }, "could not post the error reply");
    }
  }

  /** Shown in the thread in the background, paced by the presenter. */
  private progress(progress: Progress): void {
    this.presenter.progress(progress);
  }

  private stage<T>(stage: TurnStage, work: () => Promise<T>): Promise<T> {
    return (this.deps.observer ?? NO_TURN_OBSERVER).stage(this.observed, stage, work);
  }

  private async save(patch: TurnCheckpoint): Promise<void> {
    this.checkpoint = { ...this.checkpoint, ...patch };
    const kept = await this.deps.store.saveCheckpoint(this.item.lease, patch);
    if (!kept) throw new LeaseLostError("lease lost");
  }

  /** The session gate, when budgets are kept: go on, or wait in line (told the place), or fail as spent. */
  private async admit(): Promise<void> {
    const budget = this.deps.budget;
    if (!budget) return;
    const admission = await budget.admit(this.item);
    if (admission.kind === "go") return this.usage.admitted(admission.startedAt, admission.sessionOpened);
    // A "stop" waits behind the question it stops: a waiting question ends here instead.
    const later = await this.deps.store.unfinishedInThread(this.message.threadId);
    if (later.some((i) => i.seq > this.item.seq && parseCommand(i.message.text) === "stop")) {
      await budget.forget(this.item.seq);
      throw new DatabotError(ErrorCode.RunCancelled, "Stopped while it waited for an analysis session.");
    }
    if (admission.announce) {
      await this.surface
        .announceQueued?.(this.message, admission.place, "sessions")
        .catch((error: unknown) => {
          this.log.debug({ err: asDatabotError(error) }, "could not tell the thread its place");
        });
    }
    throw new WaitingForSession(admission.retryInMs);
  }

  /** Gives the item back to the inbox, claimable again after `delayMs`: waiting holds no worker. */
  private async defer(delayMs: number): Promise<TurnOutcome> {
    await this.deps.store.release(this.item.lease, delayMs);
    return "deferred";
  }

  private async finish(status: "done" | "failed", errorCode?: string, tell = true): Promise<TurnOutcome> {
    if (tell)
      await this.usage.tell(
        this.deps.observer ?? NO_TURN_OBSERVER,
        this.observed,
        status,
        this.checkpoint,
        this.log,
      );
    if (!(await this.deps.store.finish(this.item.lease, status, errorCode))) {
      // Someone else holds the turn now; they finish it (from the posted record, without posting again).
      this.log.info({ seq: this.item.seq }, "lease lost before the turn was marked finished");
      return "abandoned";
    }
    return status;
  }
}

/** What the user is told when the analysis session behind the thread had expired and was replaced. */
function sessionRestartedNotice(filesRestored: boolean): Notice {
  return {
    kind: "session_restarted",
    message: filesRestored
      ? "The analysis session for this thread had expired, so a new one was started: your files were restored, but variables from earlier questions are gone."
      : "The earlier analysis in this thread had expired, so a new one was started: files shared before are gone, so please share them again if you need them.",
  };
}
