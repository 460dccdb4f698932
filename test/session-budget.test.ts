/**
 * Session budgets as a workspace lives them: with MAX_ACTIVE_SESSIONS=1 a second thread's question waits, is
 * told its place, and is answered once the first thread's session has gone idle; nothing is dropped. With the
 * day's DAILY_SESSION_BUDGET spent, a new thread is told when it resets, and the budget does not stop a thread
 * whose session is still live. The budget's clock is the test's; the inbox's delays are real but short.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import { SqliteUsageLedger } from "../src/adapters/stores/sqlite/usage-ledger";
import { ConversationService } from "../src/core/conversation/service";
import { SessionBudget, type SessionBudgetSettings } from "../src/core/conversation/session-budget";
import { silentLogger } from "../src/core/logger";
import type { QueueReason } from "../src/core/ports";
import type { InboundMessage } from "../src/core/types";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { TEST_SETTINGS } from "./support/core-harness";
import { MemorySurface } from "./support/memory-surface";
import { threadOf, userMessage } from "./support/messages";

const MIN = 60_000;

class WorkspaceSurface extends MemorySurface {
  readonly places: { messageId: string; place: number; reason?: QueueReason }[] = [];
  override async announceQueued(message: InboundMessage, place: number, reason?: QueueReason) {
    this.places.push({ messageId: message.id, place, ...(reason ? { reason } : {}) });
  }
}

function world(settings: SessionBudgetSettings) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-budget-"));
  const store = new SqliteStore({ file: path.join(dir, "databot.sqlite") });
  const ledger = new SqliteUsageLedger(path.join(dir, "usage.sqlite"));
  const backend = new ScriptedBackend();
  const surface = new WorkspaceSurface("slack");
  let now = Date.UTC(2026, 5, 1, 20, 0, 0);
  const budget = new SessionBudget({
    ledger,
    waitlist: ledger,
    backend: backend.name,
    settings: { recheckMs: 30, ...settings },
    logger: silentLogger,
    now: () => now,
  });
  const service = new ConversationService({
    store,
    backend,
    surfaces: [surface],
    logger: silentLogger,
    settings: TEST_SETTINGS,
    budget,
    observer: {
      turn: (_t, work) => work(),
      stage: (_t, _s, work) => work(),
      // What the app's usage observer does: the turn's end goes into the ledger.
      ended: (turn, report) =>
        ledger.record({
          messageId: turn.messageId,
          threadId: turn.threadId,
          platform: turn.platform,
          backend: report.backend,
          workspace: turn.workspace ?? turn.platform,
          user: turn.user,
          startedAt: report.startedAt,
          endedAt: now,
          outcome: report.outcome,
          filesIn: report.filesIn,
          bytesIn: report.bytesIn,
          filesOut: report.filesOut,
          bytesOut: report.bytesOut,
          sessionOpened: report.sessionOpened,
        }),
    },
  });
  return {
    store,
    ledger,
    backend,
    surface,
    service,
    advance: (ms: number) => (now += ms),
    /** Minutes pass one at a time, each long enough (in real time) for waiting items to look again. */
    async pass(minutes: number) {
      for (let i = 0; i < minutes; i++) {
        now += MIN;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    /** Resolves once the thread has nothing unfinished (its turns recorded their end). */
    finished: (thread: string) =>
      waitForAsync(async () => (await store.unfinishedInThread(threadOf(thread, "slack"))).length === 0),
    ask: (thread: string, text: string) =>
      userMessage(threadOf(thread, "slack"), text, [], { origin: { workspace: "T1", channel: "C1" } }),
    async close() {
      backend.releaseRuns();
      await service.stop(100);
      await store.close();
      await ledger.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

test("with MAX_ACTIVE_SESSIONS=1 a second thread waits in line, told its place, and is answered once the first session is idle", async () => {
  const w = world({ maxActiveSessions: 1 });
  try {
    await w.service.start();
    w.backend.holdRuns();
    const first = w.ask("a", "chart revenue by region");
    await w.service.receive(first);
    await waitFor(() => w.backend.threads.size === 1);
    const second = w.ask("b", "top customers");
    const third = w.ask("c", "monthly totals");
    await w.service.receive(second);
    await w.service.receive(third);
    await waitFor(() => w.surface.places.some((p) => p.messageId === third.id));
    expect(w.surface.places).toEqual([
      { messageId: second.id, place: 1, reason: "sessions" },
      { messageId: third.id, place: 2, reason: "sessions" },
    ]);
    // Waiting holds no worker: the first thread's follow-up is answered while the others wait.
    w.backend.releaseRuns();
    await w.surface.waitForReplies(1);
    await w.service.receive(w.ask("a", "and by quarter?"));
    await w.surface.waitForReplies(2);
    expect(w.surface.replies.map((r) => r.threadId)).toEqual([
      threadOf("a", "slack"),
      threadOf("a", "slack"),
    ]);
    await w.finished("a");
    expect(w.surface.replies).toHaveLength(2);
    // 31 minutes after thread a's last run its session is gone: b goes next, then (after b's idles) c.
    await w.pass(31);
    await w.surface.waitForReplies(3);
    expect(w.surface.replies[2]!.messageId).toBe(second.id);
    await w.finished("b");
    expect(w.surface.replies).toHaveLength(3);
    await w.pass(31);
    await w.surface.waitForReplies(4);
    expect(w.surface.replies[3]!.messageId).toBe(third.id);
    const [totals] = await w.ledger.totals(0, "workspace");
    expect(totals).toMatchObject({ key: "T1", turns: 4, sessions: 3 });
  } finally {
    await w.close();
  }
});

test("with the day's DAILY_SESSION_BUDGET spent a new thread is told when it resets; a live thread goes on", async () => {
  const w = world({ dailySessionBudget: 1 });
  try {
    await w.service.start();
    await w.service.receive(w.ask("a", "chart revenue"));
    await w.surface.waitForReplies(1);
    const refused = w.ask("b", "top customers");
    await w.service.receive(refused);
    await w.surface.waitForReplies(2);
    const reply = w.surface.replies[1]!.reply;
    expect(reply.error?.code).toBe("session_budget_spent");
    // 20:00 UTC: the budget resets at midnight, in four hours.
    expect(reply.error?.message).toContain("resets at 00:00 UTC, in 4 h 0 min");
    expect(reply.error?.message).toContain("Say `retry`");
    await waitForAsync(
      async () => (await w.store.latestInThread(refused.threadId, "failed"))?.message.id === refused.id,
    );
    // Thread a's session is live: its follow-up spends nothing and is answered.
    w.advance(5 * MIN);
    await w.service.receive(w.ask("a", "and by quarter?"));
    await w.surface.waitForReplies(3);
    expect(w.surface.replies[2]!.reply.error).toBeUndefined();
  } finally {
    await w.close();
  }
});

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitForAsync(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
