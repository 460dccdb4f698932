/**
 * The session gate: before a question runs, decide whether it may use a code-interpreter session now.
 *
 * Code Interpreter bills a session per thread with running code (one hour at most, 30 minutes idle), so the
 * people who run databot cap two things per Slack workspace or Teams tenant: how many threads hold a live
 * session at once (`MAX_ACTIVE_SESSIONS`) and how many sessions open per UTC day (`DAILY_SESSION_BUDGET`). A
 * thread whose session is live always goes on. A question that would exceed the first cap waits in line, in
 * arrival order, told its place; its item goes back to the inbox with a delay instead of holding a worker. One
 * that would exceed the day's budget is told when the budget resets.
 */
import { DatabotError, ErrorCode } from "../errors";
import type { Logger } from "../logger";
import type { ClaimedItem, SessionWaitlist, UsageLedger, UsageRecord } from "../ports";

export interface SessionBudgetSettings {
  /** Threads per workspace with a live session at once; absent: no cap. */
  maxActiveSessions?: number;
  /** New sessions per workspace per UTC day; absent: no budget. */
  dailySessionBudget?: number;
  /** Default 30 minutes: Code Interpreter's idle timeout. */
  idleMs?: number;
  /** Default one hour: Code Interpreter's session lifetime. */
  lifetimeMs?: number;
  /** How long a waiting question stays back in the inbox before it looks again. Default 10 s. */
  recheckMs?: number;
}

export interface SessionBudgetDeps {
  ledger: UsageLedger;
  waitlist: SessionWaitlist;
  /** The backend's name, for the records. */
  backend: string;
  settings: SessionBudgetSettings;
  logger: Logger;
  now?: () => number;
}

/** What the turn does next. */
export type Admission =
  | { kind: "go"; startedAt: number; sessionOpened: boolean }
  /** `announce`: the place is new to the thread (first look, or it moved up), so tell it. */
  | { kind: "wait"; place: number; retryInMs: number; announce: boolean };

/** Thrown by the turn to give its item back until a session slot may be free. */
export class WaitingForSession extends Error {
  constructor(readonly retryInMs: number) {
    super("waiting for a session slot");
  }
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export class SessionBudget {
  private readonly now: () => number;
  private readonly idleMs: number;
  private readonly lifetimeMs: number;
  readonly recheckMs: number;
  /** The place each waiting item was last told, so it is told again only when the place changes. */
  private readonly told = new Map<number, number>();

  constructor(private readonly deps: SessionBudgetDeps) {
    this.now = deps.now ?? Date.now;
    this.idleMs = deps.settings.idleMs ?? 30 * MINUTE;
    this.lifetimeMs = deps.settings.lifetimeMs ?? 60 * MINUTE;
    this.recheckMs = deps.settings.recheckMs ?? 10_000;
  }

  /**
   * Admits the turn (recording it as running, so it counts as live at once), or says it waits and where.
   * Throws `session_budget_spent` (retryable: `retry` after the reset works) when today's budget is spent.
   */
  async admit(item: ClaimedItem): Promise<Admission> {
    const { message } = item;
    const now = this.now();
    const workspace = workspaceOf(message);
    const freshSince = now - 3 * this.recheckMs - MINUTE;
    const { maxActiveSessions: maxActive, dailySessionBudget: dailyBudget } = this.deps.settings;
    // Those already waiting go first: while anyone waits ahead, only a thread whose session is live goes on
    // (a limit of 0 admits nothing else), so a newcomer cannot take the slot the head of the line waits for.
    let limit = maxActive;
    if (maxActive !== undefined) {
      const line = await this.deps.waitlist.line(workspace, freshSince);
      if (line.some((seq) => seq < item.seq)) limit = 0;
    }
    const result = await this.deps.ledger.admitSession({
      record: this.runningRecord(item, workspace, now),
      idleMs: this.idleMs,
      lifetimeMs: this.lifetimeMs,
      dayStart: now - (now % DAY),
      ...(limit !== undefined ? { maxActive: limit } : {}),
      ...(dailyBudget !== undefined ? { dailyBudget } : {}),
    });
    if (result.admitted) {
      this.told.delete(item.seq);
      if (maxActive !== undefined) await this.deps.waitlist.leave(item.seq);
      return { kind: "go", startedAt: now, sessionOpened: result.opensSession };
    }
    if (result.reason === "active_limit") return this.wait(item, workspace, now, freshSince);
    await this.deps.waitlist.leave(item.seq);
    this.told.delete(item.seq);
    this.deps.logger.info({ workspace, opened: result.opened }, "daily session budget spent");
    throw new DatabotError(ErrorCode.SessionBudgetSpent, spentText(result.opened, now), { retryable: true });
  }

  /** The item gave up waiting (it failed or was stopped): it leaves the line. */
  async forget(seq: number): Promise<void> {
    this.told.delete(seq);
    await this.deps.waitlist.leave(seq);
  }

  private async wait(
    item: ClaimedItem,
    workspace: string,
    now: number,
    freshSince: number,
  ): Promise<Admission> {
    const place = await this.deps.waitlist.join(workspace, item.seq, now, freshSince);
    const before = this.told.get(item.seq);
    this.told.set(item.seq, place);
    if (before === undefined) this.deps.logger.info({ workspace, place }, "waiting for a session slot");
    return { kind: "wait", place, retryInMs: this.recheckMs, announce: before !== place };
  }

  private runningRecord(item: ClaimedItem, workspace: string, now: number): UsageRecord {
    const { message } = item;
    return {
      messageId: message.id,
      threadId: message.threadId,
      platform: message.platform,
      backend: this.deps.backend,
      workspace,
      ...(message.origin?.channel ? { channel: message.origin.channel } : {}),
      user: message.author.id,
      startedAt: now,
      endedAt: now,
      outcome: "running",
      filesIn: 0,
      bytesIn: 0,
      filesOut: 0,
      bytesOut: 0,
      sessionOpened: false,
    };
  }
}

/** Whose budget a message spends: its workspace or tenant, or (browser chat, CLI) its platform's. */
function workspaceOf(message: ClaimedItem["message"]): string {
  return message.origin?.workspace ?? message.platform;
}

/** "…They reset at 00:00 UTC, in 5 h 12 min." */
function spentText(opened: number, now: number): string {
  const left = Math.ceil((DAY - (now % DAY)) / MINUTE);
  const hours = Math.floor(left / 60);
  const minutes = left % 60;
  const inTime = hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
  return (
    `This workspace has used all ${opened} of today's analysis sessions, so I can't start a new analysis now. ` +
    `The budget resets at 00:00 UTC, in ${inTime}; questions in threads with an analysis running still work.`
  );
}
