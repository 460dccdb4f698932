/**
 * The usage ledger the configuration selects (SQLite beside the store's file, or the same PostgreSQL), and the
 * turn observer that writes each turn's record into it.
 */
import path from "node:path";
import type pg from "pg";
import { checkReachable, openPool } from "../../adapters/stores/postgres/database";
import { PostgresUsageLedger } from "../../adapters/stores/postgres/usage-ledger";
import { SqliteUsageLedger } from "../../adapters/stores/sqlite/usage-ledger";
import type { StoreConfig } from "../../config";
import type { Logger } from "../../core/logger";
import type { SessionWaitlist, TurnObserver, UsageLedger } from "../../core/ports";

export type Ledger = UsageLedger & SessionWaitlist;

/** `pool`: the process's PostgreSQL pool, when it has one (its owner ends it). */
export async function ledgerFor(config: StoreConfig, pool?: pg.Pool): Promise<Ledger> {
  if (config.kind === "sqlite")
    return new SqliteUsageLedger(path.join(path.dirname(config.file), "usage.sqlite"));
  if (pool) {
    const ledger = await PostgresUsageLedger.open(pool);
    return Object.assign(ledger, { close: async () => undefined });
  }
  return ownPoolLedger(config.url);
}

/** A small pool of its own (the CLI's `usage` command): one row per turn, a few counts per question. */
async function ownPoolLedger(url: string): Promise<Ledger> {
  const pool = openPool({ url, maxConnections: 3 });
  try {
    await checkReachable(pool, url);
    const ledger = await PostgresUsageLedger.open(pool);
    return Object.assign(ledger, { close: () => pool.end() });
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/** Writes what each turn used into the ledger; a failed write is logged, never the turn's failure. */
export function usageTurnObserver(ledger: UsageLedger, logger: Logger): TurnObserver {
  return {
    turn: (_turn, work) => work(),
    stage: (_turn, _stage, work) => work(),
    async ended(turn, report) {
      try {
        await ledger.record({
          messageId: turn.messageId,
          threadId: turn.threadId,
          platform: turn.platform,
          backend: report.backend,
          workspace: turn.workspace ?? turn.platform,
          ...(turn.channel ? { channel: turn.channel } : {}),
          user: turn.user,
          startedAt: report.startedAt,
          endedAt: report.endedAt,
          outcome: report.outcome,
          ...(report.tokens ? { tokens: report.tokens } : {}),
          filesIn: report.filesIn,
          bytesIn: report.bytesIn,
          filesOut: report.filesOut,
          bytesOut: report.bytesOut,
          sessionOpened: report.sessionOpened,
        });
      } catch (error) {
        logger.warn({ err: error, messageId: turn.messageId }, "could not record the turn's usage");
      }
    },
  };
}
