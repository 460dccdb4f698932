/**
 * What a thread sees of a turn while it works, driven through the surface's {@link TurnView}. One object per
 * turn, owned by the turn, sending one call at a time, so a slow update can never land after a newer one.
 *
 * A view that declares `pacing` (a chat platform with rate limits) gets only the newest status, at the pace it
 * asks for, and the answer text live once it has been written for a moment — through the native stream,
 * falling back to a posted and edited draft. A view without pacing (in-process surfaces) gets every update, in
 * order, as it comes.
 */
import type { LiveAnswer, LiveChannel, Pacing, PostedReply, TurnStatus, TurnView } from "../ports";
import { asDatabotError } from "../errors";
import type { Logger } from "../logger";
import type { JsonObject, Progress, Reply } from "../types";

const NO_PACING: Pacing = {
  firstStatusDelayMs: 0,
  statusIntervalMs: 0,
  liveAfterMs: 0,
  liveIntervalMs: 0,
  anyIntervalMs: 0,
  streamMaxAgeMs: Infinity,
  maxLiveChars: Infinity,
};

export interface PresenterOptions {
  /** Keeps the live answer with the turn's checkpoint, so a resumed turn finishes the same message. */
  saveLive(live: LiveAnswer): Promise<void>;
  /** The live answer an earlier attempt of this turn left in the thread. */
  resumed?: LiveAnswer;
  logger: Logger;
}

export class TurnPresenter {
  private readonly pacing: Pacing;
  private readonly startedAt = Date.now();
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private closed = false;

  private pendingStatus?: TurnStatus;
  private shownStatus?: string;
  private lastStatusAt = -Infinity;

  private text?: string;
  private textSince = 0;
  private renderedFrom?: string;
  private live?: LiveAnswer;
  /** No live channel will take more text (none available, or the stream ended without a draft). */
  private liveOver = false;
  private streamUnavailable = false;
  private lastLiveAt = -Infinity;
  private lastWriteAt = -Infinity;

  private readonly ordered: boolean;

  constructor(
    private readonly view: TurnView,
    private readonly options: PresenterOptions,
  ) {
    this.pacing = { ...NO_PACING, ...view.pacing };
    this.ordered = view.pacing === undefined;
    this.live = options.resumed;
    if (!view.stream && !view.draft) this.liveOver = true;
  }

  /** Records progress; the view is updated in the background. */
  progress(progress: Progress): void {
    if (this.closed) return;
    if (this.ordered) {
      this.chain = this.chain.then(() => this.deliver(progress));
      return;
    }
    if (progress.stage === "answering") {
      if (this.text === undefined) this.textSince = Date.now();
      this.text = progress.text;
    } else {
      // The newest status wins; one the thread already shows is not sent again.
      this.pendingStatus = statusKey(progress) === this.shownStatus ? undefined : progress;
    }
    this.schedule();
  }

  /** Posts the reply through the view, after the updates in flight (and a status that is due now). */
  async finish(reply: Reply): Promise<PostedReply | void> {
    await this.settle();
    return this.view.finish(reply, this.live);
  }

  /** Posts a failed turn's reply. */
  async fail(reply: Reply): Promise<PostedReply | void> {
    await this.settle();
    return this.view.fail(reply, this.live);
  }

  /** Stops showing progress; the turn goes on elsewhere or later. */
  async abandon(): Promise<void> {
    await this.settle(false);
    await this.view.abandon?.().catch((error: unknown) => this.quiet(error, "abandon"));
  }

  /** Ends the view if nothing else did (the turn crashed): no indicator outlives its turn. */
  async close(): Promise<void> {
    if (!this.closed) await this.abandon();
  }

  private async settle(sendDueStatus = true): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
    this.closed = true;
    if (sendDueStatus && this.pendingStatus && this.statusDue(Date.now()) <= Date.now())
      await this.writeStatus();
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    const now = Date.now();
    const due = Math.min(this.statusDue(now), this.liveDue(now));
    if (due === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.chain = this.chain.then(() => this.flush());
      },
      Math.max(0, due - now),
    );
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    if (this.statusDue(now) <= now) await this.writeStatus();
    else if (this.liveDue(now) <= now) await this.writeLive();
    this.schedule();
  }

  private statusDue(now: number): number {
    if (!this.pendingStatus || !this.view.status) return Infinity;
    const { firstStatusDelayMs, statusIntervalMs, anyIntervalMs } = this.pacing;
    return Math.max(
      now,
      this.startedAt + firstStatusDelayMs,
      this.lastStatusAt + statusIntervalMs,
      this.lastWriteAt + anyIntervalMs,
    );
  }

  private liveDue(now: number): number {
    if (this.liveOver || this.text === undefined || this.text === this.renderedFrom) return Infinity;
    const { liveAfterMs, liveIntervalMs, anyIntervalMs } = this.pacing;
    return Math.max(
      now,
      this.textSince + liveAfterMs,
      this.lastLiveAt + liveIntervalMs,
      this.lastWriteAt + anyIntervalMs,
    );
  }

  /** An unpaced view's update, in order. */
  private async deliver(progress: Progress): Promise<void> {
    if (progress.stage !== "answering") {
      this.pendingStatus = progress;
      if (this.view.status) await this.writeStatus();
      return;
    }
    if (this.liveOver) return;
    this.text = progress.text;
    await this.writeLive();
  }

  private async writeStatus(): Promise<void> {
    const status = this.pendingStatus!;
    this.pendingStatus = undefined;
    this.lastStatusAt = this.lastWriteAt = Date.now();
    try {
      await this.view.status!(status);
      this.shownStatus = statusKey(status);
    } catch (error) {
      this.quiet(error, `status ${status.stage}`);
    }
  }

  private async writeLive(): Promise<void> {
    const source = this.text!;
    this.lastLiveAt = this.lastWriteAt = Date.now();
    try {
      const shown = this.live ? await this.updateLive(source) : await this.openLive(source);
      if (shown) this.renderedFrom = source;
    } catch (error) {
      this.quiet(error, "live answer");
    }
  }

  /**
   * Opens the live answer: the native stream where there is one, otherwise (or when the platform says it is not
   * available here) the draft. True when the text is shown.
   */
  private async openLive(source: string): Promise<boolean> {
    const kind =
      this.view.stream && !this.streamUnavailable ? "stream" : this.view.draft ? "draft" : undefined;
    if (!kind) {
      this.liveOver = true;
      return false;
    }
    const channel = this.view[kind]!;
    const text = this.render(channel, source);
    const handle = await channel.open(text);
    if (!handle) {
      if (kind === "stream" && this.view.draft) {
        this.streamUnavailable = true;
        this.lastLiveAt = -Infinity; // the draft goes out at once
      } else {
        this.liveOver = true;
      }
      return false;
    }
    this.live = { channel: kind, handle, shown: text, openedAt: Date.now() };
    await this.options.saveLive(this.live);
    return true;
  }

  /** Updates the live answer. True when the text is shown. */
  private async updateLive(source: string): Promise<boolean> {
    const live = this.live!;
    const channel = this.view[live.channel];
    if (!channel) {
      this.liveOver = true;
      return false;
    }
    const text = this.render(channel, source);
    if (live.channel === "stream") {
      const tooOld = Date.now() - live.openedAt >= this.pacing.streamMaxAgeMs;
      const extends_ = live.shown !== undefined && text.startsWith(live.shown);
      if (tooOld || !extends_ || !(await channel.update(live.handle, text, text.slice(live.shown!.length)))) {
        await this.toDraft(live.handle, source);
        return true;
      }
    } else {
      const added =
        live.shown !== undefined && text.startsWith(live.shown) ? text.slice(live.shown.length) : text;
      await channel.update(live.handle, text, added);
    }
    live.shown = text;
    return true;
  }

  /** The stream ends; the same message goes on as a draft when the platform has one, else stays as it is. */
  private async toDraft(handle: JsonObject, source: string): Promise<void> {
    await this.view.stream!.close?.(handle);
    const draft = this.view.draft;
    if (!draft) {
      this.live = { ...this.live!, shown: undefined };
      this.liveOver = true;
      return;
    }
    const text = this.render(draft, source);
    this.live = { channel: "draft", handle, shown: undefined, openedAt: this.live!.openedAt };
    await this.options.saveLive(this.live);
    await draft.update(handle, text, text);
    this.live.shown = text;
  }

  private render(channel: LiveChannel, source: string): string {
    return channel.render(source, this.pacing.maxLiveChars);
  }

  private quiet(error: unknown, what: string): void {
    this.options.logger.debug({ err: asDatabotError(error), what }, "progress update failed");
  }
}

/** Statuses that would look the same in the thread are sent once. */
function statusKey(status: TurnStatus): string {
  return JSON.stringify(status);
}
