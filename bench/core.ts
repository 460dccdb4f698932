/**
 * Core overhead: how long the conversation core takes per turn when the backend and the chat are instant, at 1,
 * 50 and 500 concurrent threads; event-loop lag meanwhile; memory while a 500 MB attachment is relayed; and what
 * a turn costs the store (SQL statements, write transactions, store calls) on SQLite and on PostgreSQL.
 *
 *   npm run bench:core
 *   npm run bench:core -- store     (only what a turn costs the store)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Transform } from "node:stream";
import { PostgresStore } from "../src/adapters/stores/postgres/postgres-store";
import { sqlCounter, type SqlCounter } from "../src/adapters/stores/sql-counter";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import type { Store } from "../src/core/ports";
import { ConversationService } from "../src/core/conversation/service";
import { silentLogger } from "../src/core/logger";
import { ScriptedBackend } from "../test/fakes/scripted-backend";
import { MemorySurface } from "../test/support/memory-surface";
import { threadOf, userMessage } from "../test/support/messages";
import { makePng } from "../test/support/png";
import { createThrowawayDatabase } from "../test/support/postgres";
import { mb, ms, percentile, table } from "./stats";

const PNG = makePng(640, 480);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const MB = 1024 * 1024;

interface BenchStore {
  store: Store;
  close(): Promise<void>;
}

/** A SQLite file in a directory of its own. */
function sqliteStore(counter?: SqlCounter): BenchStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-bench-"));
  const store = new SqliteStore({ file: path.join(dir, "databot.sqlite"), counter });
  return {
    store,
    async close() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function world(
  concurrency: number,
  options: { maxFileBytes?: number; store?: BenchStore; pollIntervalMs?: number } = {},
) {
  const { store, close: closeStore } = options.store ?? sqliteStore();
  // The backend and the chat answer at once but, like any network call, complete on a later loop turn.
  const backend = new ScriptedBackend({
    script: async () => {
      await nextTurn();
      return {
        text: "Revenue by region.",
        images: [{ name: "chart.png", data: PNG, alt: "chart" }],
        files: [],
        code: [],
        notices: [],
      };
    },
  });
  const surface = new MemorySurface("cli");
  const post = surface.postReply.bind(surface);
  surface.postReply = async (message, reply) => {
    await nextTurn();
    return post(message, reply);
  };
  const service = new ConversationService({
    store,
    backend,
    surfaces: [surface],
    logger: silentLogger,
    settings: {
      maxConcurrentRuns: concurrency,
      maxFileBytes: options.maxFileBytes ?? 512 * MB,
      dedupeTtlMs: 48 * 3600_000,
      leaseMs: 60_000,
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    },
  });
  void service.start();
  return {
    store,
    backend,
    surface,
    service,
    async close() {
      await service.stop(1000);
      await closeStore();
    },
  };
}

async function turnLatency(concurrency: number, totalTurns: number) {
  const w = world(concurrency);
  const latencies: number[] = [];
  const lag = monitorEventLoopDelay({ resolution: 1 });
  const started = new Map<string, number>();
  w.service.onTurnEnd((event) => latencies.push(performance.now() - started.get(event.messageId)!));
  // Warm up SQLite statements and the JIT.
  for (let i = 0; i < 20; i++) {
    await w.service.receive(userMessage(threadOf(`warm-${i}`), "warm up"));
  }
  await w.surface.waitForReplies(20);
  latencies.length = 0;
  lag.enable();
  const t0 = performance.now();
  for (let round = 0; round < totalTurns / concurrency; round++) {
    const before = w.surface.replies.length;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        const message = userMessage(threadOf(`r${round}-t${i}`), "chart revenue by region");
        started.set(message.id, performance.now());
        await w.service.receive(message);
      }),
    );
    await w.surface.waitForReplies(before + concurrency);
  }
  const seconds = (performance.now() - t0) / 1000;
  lag.disable();
  await w.close();
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    perSecond: latencies.length / seconds,
    lagP99: lag.percentile(99) / 1e6,
    lagMax: lag.max / 1e6,
  };
}

/** Counts the calls made on a store (and on the key-value spaces it hands out), by method. */
function countingCalls(store: Store, calls: Map<string, number>): Store {
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  const counted = <T extends object>(target: T, prefix: string): T =>
    new Proxy(target, {
      get(object, prop, receiver) {
        const value = Reflect.get(object, prop, receiver) as unknown;
        if (typeof value !== "function" || typeof prop !== "string") return value;
        return (...args: unknown[]) => {
          count(`${prefix}${prop}`);
          const result = (value as (...a: unknown[]) => unknown).apply(object, args);
          return prop === "space" ? counted(result as object, "space.") : result;
        };
      },
    });
  return counted(store, "");
}

/**
 * What turns cost the store: SQL statements and write transactions per turn, and store calls per turn, from the
 * message received to the worker finding nothing more to claim. Idle polling is left out (it is per second, not
 * per turn).
 */
async function storeCost(
  open: (counter: SqlCounter) => Promise<BenchStore>,
  concurrency: number,
  turns: number,
) {
  const counter = sqlCounter();
  const opened = await open(counter);
  const calls = new Map<string, number>();
  const w = world(concurrency, {
    store: { store: countingCalls(opened.store, calls), close: () => opened.close() },
    pollIntervalMs: 3600_000,
  });
  for (let i = 0; i < 20; i++) await w.service.receive(userMessage(threadOf(`warm-${i}`), "warm up"));
  await w.surface.waitForReplies(20);
  await settled(counter);
  const before = { ...counter };
  calls.clear();
  const t0 = performance.now();
  for (let round = 0; round < turns / concurrency; round++) {
    const replies = w.surface.replies.length;
    await Promise.all(
      Array.from({ length: concurrency }, (_, i) =>
        w.service.receive(userMessage(threadOf(`r${round}-t${i}`), "chart revenue by region")),
      ),
    );
    await w.surface.waitForReplies(replies + concurrency);
  }
  await settled(counter);
  const seconds = (performance.now() - t0) / 1000;
  await w.close();
  return {
    statements: (counter.statements - before.statements) / turns,
    writes: (counter.writeTransactions - before.writeTransactions) / turns,
    perSecond: turns / seconds,
    calls: new Map([...calls].map(([name, n]) => [name, n / turns])),
  };
}

/** Resolves once the store has been quiet for a while: the last turn finished and its worker found nothing. */
async function settled(counter: SqlCounter): Promise<void> {
  let last = -1;
  while (counter.statements !== last) {
    last = counter.statements;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function postgresStore(counter: SqlCounter): Promise<BenchStore> {
  const db = await createThrowawayDatabase("bench_core");
  const store = await PostgresStore.open({ url: db.url, maxConnections: 10, counter });
  return {
    store,
    async close() {
      await store.close();
      await db.drop();
    },
  };
}

async function printStoreCosts(): Promise<void> {
  console.log("\nWhat a turn costs the store (instant backend; BEGIN/COMMIT not counted as statements):");
  const runs: { label: string; open: (counter: SqlCounter) => Promise<BenchStore> }[] = [
    { label: "SQLite", open: async (counter) => sqliteStore(counter) },
    { label: "PostgreSQL", open: postgresStore },
  ];
  const rows: string[][] = [];
  const callRows = new Map<string, string[]>();
  const columns: string[] = [];
  for (const run of runs) {
    for (const [concurrency, turns] of [
      [1, 200],
      [50, 1000],
    ] as const) {
      let cost: Awaited<ReturnType<typeof storeCost>>;
      try {
        cost = await storeCost(run.open, concurrency, turns);
      } catch (error) {
        console.log(
          `  ${run.label}: not measured (${error instanceof Error ? error.message : String(error)})`,
        );
        break;
      }
      const column = `${run.label} ×${concurrency}`;
      columns.push(column);
      rows.push([
        run.label,
        String(concurrency),
        cost.statements.toFixed(1),
        cost.writes.toFixed(2),
        cost.perSecond.toFixed(0),
      ]);
      for (const [name, perTurn] of cost.calls) {
        const row = callRows.get(name) ?? [];
        row[columns.length - 1] = perTurn.toFixed(2);
        callRows.set(name, row);
      }
    }
  }
  table(["store", "concurrent threads", "SQL statements/turn", "write transactions/turn", "turns/s"], rows);
  console.log("\nStore calls per turn:");
  table(
    ["call", ...columns],
    [...callRows]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, row]) => [name, ...columns.map((_, i) => row[i] ?? "0")]),
  );
}

async function relayMemory(totalBytes: number) {
  const w = world(1);
  global.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  // Sample inside the stream: a timer might not fire while bytes flow without other I/O.
  const open = w.surface.openAttachment.bind(w.surface);
  w.surface.openAttachment = async (message, attachment) => {
    let chunks = 0;
    return (await open(message, attachment)).pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          if (++chunks % 16 === 0) peak = Math.max(peak, process.memoryUsage.rss());
          done(null, chunk);
        },
      }),
    );
  };
  const t0 = performance.now();
  await w.service.receive(
    userMessage(threadOf("big"), "summarise", [
      { name: "big.csv", size: totalBytes, ref: { bytes: totalBytes, fill: "2024-01-01,East,123.45\n" } },
    ]),
  );
  await w.surface.waitForReplies(1);
  const seconds = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage.rss());
  const received = [...w.backend.files.values()][0]?.bytes ?? 0;
  await w.close();
  return { growth: peak - baseline, received, seconds };
}

async function main() {
  console.log(`databot core benchmark — Node ${process.version}, ${os.cpus().length} CPUs\n`);
  if (process.argv[2] === "store") return printStoreCosts();
  // Memory first, while the heap is small, so the growth is the relay's and not leftovers of other runs.
  const size = 500 * MB;
  const relay = await relayMemory(size);
  console.log(`Relaying a ${mb(size)} attachment to the backend (streamed end to end):`);
  console.log(`  bytes received by the backend: ${relay.received === size ? "all" : relay.received}`);
  console.log(`  peak RSS growth: ${mb(relay.growth)} (target < 64 MB)`);
  console.log(`  throughput: ${(size / MB / relay.seconds).toFixed(0)} MB/s\n`);

  console.log("Per-turn overhead (instant backend, in-memory chat, SQLite inbox on disk):");
  const rows: string[][] = [];
  for (const [concurrency, turns] of [
    [1, 300],
    [50, 1000],
    [500, 2000],
  ] as const) {
    const r = await turnLatency(concurrency, turns);
    rows.push([
      String(concurrency),
      ms(r.p50),
      ms(r.p99),
      r.perSecond.toFixed(0),
      ms(r.lagP99),
      ms(r.lagMax),
    ]);
  }
  table(["concurrent threads", "p50", "p99", "turns/s", "event-loop lag p99", "lag max"], rows);
  console.log(
    "(latency is from receive() to the reply posted; at 50 and 500 it includes waiting for a worker)",
  );

  await printStoreCosts();
}

void main();
