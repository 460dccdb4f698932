/**
 * Retention (`RETENTION_DAYS`): conversations idle longer than that are deleted on the backend (the agent
 * thread or conversation, with its files and container) and here (the thread map row, usage records, what
 * other stores keep for the thread); finished inbox items, old usage records and whatever each
 * {@link RetentionTarget} keeps are purged by age. `databot forget` deletes one thread the same way, at once.
 * The log names what was deleted by id, never by content.
 */
import { asDatabotError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import type {
  AgentBackend,
  Inbox,
  RetentionTarget,
  StoreMaintenance,
  ThreadMap,
  UsageLedger,
} from "../../core/ports";

const DAY = 24 * 3600_000;
/** Threads looked at per purge, from the ledger and from each platform's thread map; the rest wait an hour. */
const BATCH = 500;
/** At most this many ids per log line. */
const LOGGED_IDS = 50;

export interface RetentionDeps {
  ledger: UsageLedger;
  threads: ThreadMap;
  inbox: Pick<Inbox, "unfinishedInThread" | "forgetThread">;
  maintenance: Pick<StoreMaintenance, "purgeExpired">;
  backend: AgentBackend;
  /** What else keeps data about conversations (transcripts, staged uploads, "Show code" records). */
  targets: readonly RetentionTarget[];
  /** The platforms whose thread maps are scanned for threads the ledger does not know (older than it). */
  platforms: readonly string[];
  retentionDays: number;
  /** Finished inbox items are kept at least this long anyway (for dedupe). */
  dedupeTtlMs: number;
  logger: Logger;
  now?: () => number;
}

export interface PurgeSummary {
  threads: string[];
  /** Ids deleted per target ("usage", "inbox" is not counted by id). */
  deleted: Record<string, string[]>;
}

export class Retention {
  private readonly now: () => number;

  constructor(private readonly deps: RetentionDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** One purge: idle threads first (their records tell which they are), then everything else by age. */
  async purge(): Promise<PurgeSummary> {
    const { deps } = this;
    const cutoff = this.now() - deps.retentionDays * DAY;
    const threads: string[] = [];
    for (const threadId of await this.idleThreads(cutoff)) {
      if ((await deps.inbox.unfinishedInThread(threadId)).length > 0) continue; // someone is asking right now
      if (await this.forget(threadId, "retention")) threads.push(threadId);
    }
    const deleted: Record<string, string[]> = {};
    await deps.maintenance.purgeExpired(Math.min(deps.dedupeTtlMs, deps.retentionDays * DAY));
    deleted.usage = await deps.ledger.purgeOlderThan(cutoff);
    for (const target of deps.targets) {
      try {
        deleted[target.name] = await target.purgeOlderThan(new Date(cutoff));
      } catch (error) {
        deps.logger.warn(
          { err: asDatabotError(error), target: target.name },
          "retention purge failed for a target",
        );
      }
    }
    for (const [target, ids] of Object.entries(deleted)) {
      if (ids.length > 0)
        deps.logger.info({ target, count: ids.length, ids: ids.slice(0, LOGGED_IDS) }, "retention purge");
    }
    return { threads, deleted };
  }

  /**
   * Deletes one chat thread's data: the agent thread on the backend first (when that fails, nothing local is
   * deleted, so the next purge tries again), then the thread map row, its usage records and what each target
   * keeps for it. Returns false when the backend could not delete it.
   */
  async forget(threadId: string, why: "retention" | "forget"): Promise<boolean> {
    const { deps } = this;
    const mapped = await deps.threads.getThread(threadId);
    if (mapped && mapped.backend === deps.backend.name) {
      try {
        await deps.backend.deleteThread(mapped.agentThreadId);
      } catch (error) {
        deps.logger.warn(
          { err: asDatabotError(error), threadId, agentThreadId: mapped.agentThreadId },
          "could not delete the agent thread; will try again",
        );
        return false;
      }
    }
    await deps.threads.deleteThread(threadId);
    const records = await deps.ledger.forgetThread(threadId);
    // Finished items hold the question's text: they go now, not when the dedupe window ends.
    const inboxItems = await deps.inbox.forgetThread(threadId);
    const other: Record<string, number> = {};
    for (const target of deps.targets) {
      if (!target.forgetThread) continue;
      other[target.name] = (await target.forgetThread(threadId)).length;
    }
    deps.logger.info(
      { threadId, agentThreadId: mapped?.agentThreadId, usageRecords: records, inboxItems, ...other, why },
      "thread data deleted",
    );
    return true;
  }

  /** Threads whose last turn is older than the cut-off: from the ledger, and mapped threads it never saw. */
  private async idleThreads(cutoff: number): Promise<string[]> {
    const { deps } = this;
    const found = new Set(await deps.ledger.threadsIdleSince(cutoff, BATCH));
    for (const platform of deps.platforms) {
      for (const record of await deps.threads.listThreads(platform, BATCH)) {
        if (found.has(record.chatThreadId) || Date.parse(record.updatedAt) >= cutoff) continue;
        if (!(await deps.ledger.activeSince(record.chatThreadId, cutoff))) found.add(record.chatThreadId);
      }
    }
    return [...found];
  }
}

/** Purges hourly (the first a minute after start), without keeping the process alive. */
export function scheduleRetention(retention: Retention, logger: Logger, everyMs = 3600_000): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    void retention
      .purge()
      .catch((error: unknown) => logger.warn({ err: asDatabotError(error) }, "retention purge failed"))
      .finally(() => (running = false));
  };
  const first = setTimeout(tick, Math.min(60_000, everyMs));
  const timer = setInterval(tick, everyMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
