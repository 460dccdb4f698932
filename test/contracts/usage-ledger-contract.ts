/**
 * The UsageLedger and SessionWaitlist contract, run against SQLite and PostgreSQL (`test/usage-ledger.test.ts`):
 * what the report, the session budgets and the retention purge rely on. Times are explicit epoch milliseconds,
 * so every story sets its own clock.
 */
import type { SessionRequest, SessionWaitlist, UsageLedger, UsageRecord } from "../../src/core/ports";

export interface LedgerSubject {
  name: string;
  /** A fresh, empty ledger (and waitlist: the same object). */
  open(): Promise<UsageLedger & SessionWaitlist>;
  /** Two handles on one shared ledger, as two replicas (or the server and the CLI) have. */
  openTwo(): Promise<[UsageLedger & SessionWaitlist, UsageLedger & SessionWaitlist]>;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 5, 1, 9, 0, 0);

export function turn(overrides: Partial<UsageRecord> & { messageId: string }): UsageRecord {
  return {
    threadId: "slack:T1:C1:1",
    platform: "slack",
    backend: "azure",
    workspace: "T1",
    channel: "C1",
    user: "U1",
    startedAt: T0,
    endedAt: T0 + 5000,
    outcome: "done",
    filesIn: 0,
    bytesIn: 0,
    filesOut: 0,
    bytesOut: 0,
    sessionOpened: false,
    ...overrides,
  };
}

function ask(
  messageId: string,
  threadId: string,
  at: number,
  limits: { maxActive?: number; dailyBudget?: number } = {},
): SessionRequest {
  return {
    record: turn({ messageId, threadId, startedAt: at, endedAt: at, outcome: "running" }),
    idleMs: 30 * MIN,
    lifetimeMs: HOUR,
    dayStart: Date.UTC(2026, 5, 1),
    ...limits,
  };
}

export function usageLedgerContract(subject: LedgerSubject): void {
  describe(`${subject.name}: the UsageLedger contract`, () => {
    let ledger: UsageLedger & SessionWaitlist;
    beforeEach(async () => {
      ledger = await subject.open();
    });
    afterEach(() => ledger.close());

    test("the report adds up turns, sessions, tokens and bytes per workspace, channel or user", async () => {
      await ledger.record(
        turn({
          messageId: "m1",
          sessionOpened: true,
          tokens: { inputTokens: 400, outputTokens: 90 },
          filesIn: 1,
          bytesIn: 2048,
        }),
      );
      await ledger.record(
        turn({
          messageId: "m2",
          user: "U2",
          tokens: { inputTokens: 100, outputTokens: 10 },
          filesOut: 2,
          bytesOut: 300,
        }),
      );
      await ledger.record(
        turn({
          messageId: "m3",
          workspace: "T2",
          channel: undefined,
          threadId: "slack:T2:C9:1",
          sessionOpened: true,
        }),
      );
      await ledger.record(turn({ messageId: "old", startedAt: T0 - 10 * 24 * HOUR }));

      const byWorkspace = await ledger.totals(T0 - HOUR, "workspace");
      expect(byWorkspace).toEqual([
        {
          key: "T1",
          turns: 2,
          sessions: 1,
          inputTokens: 500,
          outputTokens: 100,
          filesIn: 1,
          bytesIn: 2048,
          filesOut: 2,
          bytesOut: 300,
        },
        {
          key: "T2",
          turns: 1,
          sessions: 1,
          inputTokens: 0,
          outputTokens: 0,
          filesIn: 0,
          bytesIn: 0,
          filesOut: 0,
          bytesOut: 0,
        },
      ]);
      expect((await ledger.totals(T0 - HOUR, "user")).map((t) => [t.key, t.turns])).toEqual([
        ["U1", 2],
        ["U2", 1],
      ]);
      expect((await ledger.totals(T0 - HOUR, "channel")).map((t) => t.key).sort()).toEqual(["", "C1"]);
      expect((await ledger.totals(T0 - 30 * 24 * HOUR, "workspace"))[0]!.turns).toBe(3);
    });

    test("a resumed turn is one turn: its first start and its session stay counted", async () => {
      await ledger.record(turn({ messageId: "m1", sessionOpened: true, outcome: "running", endedAt: T0 }));
      await ledger.record(
        turn({ messageId: "m1", startedAt: T0 + MIN, endedAt: T0 + 2 * MIN, sessionOpened: false }),
      );
      const [total] = await ledger.totals(T0, "workspace");
      expect(total).toMatchObject({ turns: 1, sessions: 1 });
      expect(await ledger.activeSince("slack:T1:C1:1", T0)).toBe(true);
    });

    test("a thread with a live session is admitted without opening another", async () => {
      const first = await ledger.admitSession(ask("m1", "th-a", T0, { maxActive: 1 }));
      expect(first).toEqual({ admitted: true, opensSession: true });
      await ledger.record(
        turn({ messageId: "m1", threadId: "th-a", endedAt: T0 + MIN, sessionOpened: true }),
      );
      // 20 minutes after the run ended, the session is still live: the thread's follow-up needs no new one.
      expect(await ledger.admitSession(ask("m2", "th-a", T0 + 21 * MIN, { maxActive: 1 }))).toEqual({
        admitted: true,
        opensSession: false,
      });
    });

    test("at most MAX_ACTIVE_SESSIONS threads of a workspace hold a live session; idle ones free their place", async () => {
      expect(await ledger.admitSession(ask("a1", "th-a", T0, { maxActive: 2 }))).toMatchObject({
        admitted: true,
      });
      expect(await ledger.admitSession(ask("b1", "th-b", T0, { maxActive: 2 }))).toMatchObject({
        admitted: true,
      });
      // Both still running: a third thread waits.
      expect(await ledger.admitSession(ask("c1", "th-c", T0 + MIN, { maxActive: 2 }))).toEqual({
        admitted: false,
        reason: "active_limit",
        live: 2,
      });
      // Another workspace has its own limit.
      const elsewhere = ask("x1", "th-x", T0 + MIN, { maxActive: 2 });
      elsewhere.record.workspace = "T2";
      expect(await ledger.admitSession(elsewhere)).toMatchObject({ admitted: true });
      // th-a ends; 31 minutes later its session has gone idle and its place is free.
      await ledger.record(
        turn({ messageId: "a1", threadId: "th-a", endedAt: T0 + 2 * MIN, sessionOpened: true }),
      );
      await ledger.record(
        turn({ messageId: "b1", threadId: "th-b", endedAt: T0 + 20 * MIN, sessionOpened: true }),
      );
      expect(await ledger.admitSession(ask("c1", "th-c", T0 + 30 * MIN, { maxActive: 2 }))).toMatchObject({
        admitted: false,
      });
      expect(await ledger.admitSession(ask("c1", "th-c", T0 + 33 * MIN, { maxActive: 2 }))).toEqual({
        admitted: true,
        opensSession: true,
      });
    });

    test("a session lasts an hour at most: a busy thread then opens a new one", async () => {
      await ledger.admitSession(ask("m1", "th-a", T0));
      await ledger.record(
        turn({ messageId: "m1", threadId: "th-a", endedAt: T0 + MIN, sessionOpened: true }),
      );
      await ledger.record(
        turn({ messageId: "m2", threadId: "th-a", startedAt: T0 + 40 * MIN, endedAt: T0 + 41 * MIN }),
      );
      expect(await ledger.admitSession(ask("m3", "th-a", T0 + 61 * MIN))).toEqual({
        admitted: true,
        opensSession: true,
      });
    });

    test("DAILY_SESSION_BUDGET counts the sessions opened since UTC midnight", async () => {
      await ledger.record(
        turn({ messageId: "y1", threadId: "th-y", startedAt: T0 - 12 * HOUR, sessionOpened: true }),
      );
      expect(await ledger.admitSession(ask("m1", "th-a", T0, { dailyBudget: 2 }))).toMatchObject({
        admitted: true,
      });
      expect(await ledger.admitSession(ask("m2", "th-b", T0, { dailyBudget: 2 }))).toMatchObject({
        admitted: true,
      });
      expect(await ledger.admitSession(ask("m3", "th-c", T0, { dailyBudget: 2 }))).toEqual({
        admitted: false,
        reason: "daily_budget",
        opened: 2,
      });
      // The thread whose session is live goes on without spending the budget; nothing was written for m3.
      expect(await ledger.admitSession(ask("m4", "th-a", T0 + MIN, { dailyBudget: 2 }))).toEqual({
        admitted: true,
        opensSession: false,
      });
      expect((await ledger.totals(T0, "workspace"))[0]).toMatchObject({ turns: 3, sessions: 2 });
    });

    test("replicas admitting at the same moment never exceed the limit", async () => {
      const [one, two] = await subject.openTwo();
      try {
        const results = await Promise.all(
          ["a", "b", "c", "d", "e", "f"].map((t, i) =>
            (i % 2 === 0 ? one : two).admitSession(ask(`${t}1`, `th-${t}`, T0, { maxActive: 3 })),
          ),
        );
        expect(results.filter((r) => r.admitted)).toHaveLength(3);
      } finally {
        await one.close();
        await two.close();
      }
    });

    test("retention: idle threads are found, old records purged, a forgotten thread leaves nothing", async () => {
      await ledger.record(turn({ messageId: "old1", threadId: "th-old", startedAt: T0 - 40 * 24 * HOUR }));
      await ledger.record(turn({ messageId: "mix1", threadId: "th-mix", startedAt: T0 - 40 * 24 * HOUR }));
      await ledger.record(turn({ messageId: "mix2", threadId: "th-mix", startedAt: T0 - HOUR }));
      const cutoff = T0 - 30 * 24 * HOUR;
      expect(await ledger.threadsIdleSince(cutoff, 100)).toEqual(["th-old"]);
      expect(await ledger.activeSince("th-mix", cutoff)).toBe(true);
      expect((await ledger.purgeOlderThan(cutoff)).sort()).toEqual(["mix1", "old1"]);
      expect(await ledger.threadsIdleSince(cutoff, 100)).toEqual([]);
      expect(await ledger.forgetThread("th-mix")).toBe(1);
      expect(await ledger.totals(0, "workspace")).toEqual([]);
    });

    test("the waitlist keeps arrival order per workspace and forgets entries nobody refreshes", async () => {
      expect(await ledger.join("T1", 12, T0, T0 - MIN)).toBe(1);
      expect(await ledger.join("T1", 10, T0, T0 - MIN)).toBe(1);
      expect(await ledger.join("T2", 11, T0, T0 - MIN)).toBe(1);
      expect(await ledger.join("T1", 12, T0 + 1000, T0 - MIN)).toBe(2);
      expect(await ledger.line("T1", T0 - MIN)).toEqual([10, 12]);
      await ledger.leave(10);
      expect(await ledger.line("T1", T0 - MIN)).toEqual([12]);
      // Item 12 went away without leaving: once stale, it no longer blocks the line.
      expect(await ledger.join("T1", 13, T0 + 5 * MIN, T0 + 2 * MIN)).toBe(1);
    });
  });
}
