/**
 * Retention and forgetting as an operator lives them, on a clock the test moves: conversations idle past
 * RETENTION_DAYS are deleted on the backend and here, an active one is kept, other stores are asked to purge;
 * `databot forget` deletes one thread at once; `databot usage` prints the table with the estimated cost.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import { SqliteUsageLedger } from "../src/adapters/stores/sqlite/usage-ledger";
import { Retention } from "../src/app/usage/retention";
import { usageCommand } from "../src/cli/usage";
import { loadConfig } from "../src/config";
import { silentLogger } from "../src/core/logger";
import type { RetentionTarget } from "../src/core/ports";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { turn } from "./contracts/usage-ledger-contract";
import { userMessage } from "./support/messages";

const DAY = 24 * 3600_000;

function world() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-retention-"));
  const store = new SqliteStore({ file: path.join(dir, "databot.sqlite") });
  const ledger = new SqliteUsageLedger(path.join(dir, "usage.sqlite"));
  const backend = new ScriptedBackend();
  let now = Date.UTC(2026, 6, 1);
  const transcripts = new Map<string, number>(); // thread id → last touched
  const target: RetentionTarget = {
    name: "transcripts",
    async purgeOlderThan(cutoff) {
      const gone = [...transcripts].filter(([, at]) => at < cutoff.getTime()).map(([id]) => id);
      for (const id of gone) transcripts.delete(id);
      return gone;
    },
    async forgetThread(threadId) {
      return transcripts.delete(threadId) ? [threadId] : [];
    },
  };
  const logged: unknown[] = [];
  const logger = { ...silentLogger, info: (obj: unknown) => void logged.push(obj), child: () => logger };
  const retention = new Retention({
    ledger,
    threads: store,
    inbox: store,
    maintenance: store,
    backend,
    targets: [target],
    platforms: ["slack"],
    retentionDays: 30,
    dedupeTtlMs: 2 * DAY,
    logger: logger as typeof silentLogger,
    now: () => now,
  });
  /** A conversation with one turn `daysAgo`: an agent thread on the backend, a mapping, a record, a transcript. */
  async function conversation(
    name: string,
    daysAgo: number,
  ): Promise<{ threadId: string; agentThreadId: string }> {
    const threadId = `slack:T1:C1:${name}`;
    const { id } = await backend.ensureThread(undefined);
    await store.putThread(threadId, backend.name, id);
    await ledger.record(
      turn({ messageId: `${name}-1`, threadId, startedAt: now - daysAgo * DAY, sessionOpened: true }),
    );
    transcripts.set(threadId, now - daysAgo * DAY);
    return { threadId, agentThreadId: id };
  }
  return {
    store,
    ledger,
    backend,
    retention,
    transcripts,
    logged,
    conversation,
    advance: (ms: number) => (now += ms),
    async close() {
      await store.close();
      await ledger.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

test("a conversation idle past RETENTION_DAYS is deleted on the backend and here; an active one stays", async () => {
  const w = world();
  try {
    const old = await w.conversation("old", 20);
    const recent = await w.conversation("recent", 2);
    expect((await w.retention.purge()).threads).toEqual([]);

    w.advance(11 * DAY); // "old" is now 31 days idle, "recent" 13
    const summary = await w.retention.purge();
    expect(summary.threads).toEqual([old.threadId]);
    expect(w.backend.threads.get(old.agentThreadId)?.deleted).toBe(true);
    expect(await w.store.getThread(old.threadId)).toBeUndefined();
    expect(await w.ledger.activeSince(old.threadId, 0)).toBe(false);
    expect([...w.transcripts.keys()]).toEqual([recent.threadId]);

    expect(w.backend.threads.get(recent.agentThreadId)?.deleted).toBe(false);
    expect((await w.store.getThread(recent.threadId))?.agentThreadId).toBe(recent.agentThreadId);
    // The log names ids, never contents.
    expect(w.logged).toContainEqual(expect.objectContaining({ threadId: old.threadId, why: "retention" }));
  } finally {
    await w.close();
  }
});

test("databot forget deletes one thread's data at once, whatever its age", async () => {
  const w = world();
  try {
    const kept = await w.conversation("kept", 1);
    const gone = await w.conversation("gone", 1);
    // Its answered question is in the inbox (text and all) and a follow-up is waiting.
    await w.store.enqueue(userMessage(gone.threadId, "revenue by region", [], { id: "q1" }), DAY);
    await w.store.enqueue(userMessage(gone.threadId, "and by month?", [], { id: "q2" }), DAY);
    const answered = (await w.store.claimNext("w1", DAY, ["slack"]))!;
    await w.store.finish(answered.lease, "done");
    expect(await w.retention.forget(gone.threadId, "forget")).toBe(true);
    expect(w.backend.threads.get(gone.agentThreadId)?.deleted).toBe(true);
    expect(await w.store.getThread(gone.threadId)).toBeUndefined();
    expect(await w.ledger.activeSince(gone.threadId, 0)).toBe(false);
    expect(w.transcripts.has(gone.threadId)).toBe(false);
    expect(await w.store.getItem(answered.seq)).toBeUndefined();
    expect((await w.store.unfinishedInThread(gone.threadId)).map((i) => i.message.id)).toEqual(["q2"]);
    expect(await w.store.getThread(kept.threadId)).toBeDefined();
  } finally {
    await w.close();
  }
});

test("databot usage prints turns, sessions, tokens and the estimated cost per workspace", async () => {
  const w = world();
  try {
    const now = Date.UTC(2026, 6, 1);
    await w.ledger.record(
      turn({
        messageId: "m1",
        startedAt: now - DAY,
        sessionOpened: true,
        tokens: { inputTokens: 2000, outputTokens: 500 },
      }),
    );
    await w.ledger.record(
      turn({ messageId: "m2", startedAt: now - DAY, workspace: "T2", sessionOpened: true }),
    );
    await w.ledger.record(turn({ messageId: "m3", startedAt: now - 30 * DAY, workspace: "T3" }));
    const config = loadConfig(
      { PRICE_PER_SESSION: "0.03", PRICE_PER_1K_INPUT_TOKENS: "0.5", PRICE_PER_1K_OUTPUT_TOKENS: "1" },
      os.tmpdir(),
    );
    let out = "";
    const stdout = new Writable({ write: (chunk, _e, done) => ((out += String(chunk)), done()) });
    const code = await usageCommand(
      ["--since", "7d"],
      config,
      { stdout, stderr: stdout },
      {
        usage: async () => w.ledger,
        now: () => now,
      },
    );
    expect(code).toBe(0);
    const rows = out
      .trim()
      .split("\n")
      .slice(2)
      .map((line) => line.trim().split(/\s{2,}/));
    expect(rows).toEqual([
      ["workspace", "turns", "sessions", "input tokens", "output tokens", "est. cost"],
      ["T1", "1", "1", "2000", "500", "1.53"],
      ["T2", "1", "1", "0", "0", "0.03"],
      ["total", "2", "2", "2000", "500", "1.56"],
    ]);
  } finally {
    await w.close();
  }
});

test("prices and budgets are validated, naming the variable", () => {
  expect(() =>
    loadConfig({ PRICE_PER_SESSION: "cheap", MAX_ACTIVE_SESSIONS: "0", RETENTION_DAYS: "-1" }, "/srv"),
  ).toThrow(/PRICE_PER_SESSION[\s\S]*MAX_ACTIVE_SESSIONS[\s\S]*RETENTION_DAYS/);
});
