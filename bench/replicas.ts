/**
 * Several databot replicas on one PostgreSQL: 1, 2 and 4 replica processes with an instant agent, a burst of
 * turns over many threads. Prints turns per second, per-turn store time (claim to finish) p50/p99, claim
 * latency, and the time another replica needs to take over a turn after `kill -9` (default 10 s lease).
 *
 *   npm run bench:replicas          (needs the machine's PostgreSQL; see .ci/run)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PostgresStore } from "../src/adapters/stores/postgres/postgres-store";
import { threadOf, userMessage } from "../test/support/messages";
import { createThrowawayDatabase } from "../test/support/postgres";
import { startReplica, type ReplicaProcess } from "../test/support/replicas";
import { ms, percentile, table } from "./stats";

const TURNS = Number(process.env.BENCH_TURNS ?? 2000);
const THREADS = 200;
const DAY = 24 * 3600_000;

interface ReplicaStats {
  claims: number[];
  turns: number[];
}

async function startReplicas(count: number, url: string, dir: string): Promise<ReplicaProcess[]> {
  return Promise.all(
    Array.from({ length: count }, (_, n) =>
      startReplica(`bench-${n}`, {
        DATABASE_URL: url,
        DATA_DIR: path.join(dir, `r${n}`),
        REPLICA_REPLIES_FILE: path.join(dir, "replies.jsonl"),
        REPLICA_BACKEND: "instant",
        REPLICA_STATS: "1",
        MAX_CONCURRENT_RUNS: "16",
      }),
    ),
  );
}

function statsOf(replica: ReplicaProcess): ReplicaStats {
  const line = replica
    .output()
    .split("\n")
    .find((l) => l.startsWith("stats "));
  return line ? (JSON.parse(line.slice("stats ".length)) as ReplicaStats) : { claims: [], turns: [] };
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

async function throughput(count: number) {
  const db = await createThrowawayDatabase(`bench_${count}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-bench-replicas-"));
  const store = await PostgresStore.open({ url: db.url });
  const replicas = await startReplicas(count, db.url, dir);
  try {
    const started = performance.now();
    await Promise.all(
      Array.from({ length: TURNS }, (_, n) =>
        store.enqueue(userMessage(threadOf(`t${n % THREADS}`), `question ${n}`, [], { id: `m${n}` }), DAY),
      ),
    );
    await until(async () => {
      const depth = await store.inboxDepth();
      return depth.pending + depth.processing === 0;
    }, 600_000);
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(replicas.map((r) => r.stop()));
    const all = replicas.map(statsOf);
    const turns = all.flatMap((s) => s.turns);
    const claims = all.flatMap((s) => s.claims);
    return { count, perSecond: TURNS / seconds, turns, claims };
  } finally {
    await Promise.all(replicas.map((r) => r.kill()));
    await store.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Kills the replica running a turn and measures how long until the other one has claimed it. */
async function takeover(): Promise<number> {
  const db = await createThrowawayDatabase("bench_takeover");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-bench-takeover-"));
  const store = await PostgresStore.open({ url: db.url });
  const replicas = await startReplicas(2, db.url, dir);
  try {
    const queued = await store.enqueue(
      userMessage(threadOf("crash"), "hold this run", [], { id: "hold" }),
      DAY,
    );
    if (!queued.accepted) throw new Error("not accepted");
    await until(async () => replicas.some((r) => r.output().includes(`claimed ${queued.seq}\n`)), 30_000);
    const holder = replicas.find((r) => r.output().includes(`claimed ${queued.seq}\n`))!;
    const other = replicas.find((r) => r !== holder)!;
    await holder.kill();
    const killed = performance.now();
    await until(async () => other.output().includes(`claimed ${queued.seq}\n`), 120_000);
    return performance.now() - killed;
  } finally {
    await Promise.all(replicas.map((r) => r.kill()));
    await store.close();
    await db.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  let single = 0;
  for (const count of [1, 2, 4]) {
    const result = await throughput(count);
    if (count === 1) single = result.perSecond;
    rows.push([
      String(count),
      result.perSecond.toFixed(0),
      `${(result.perSecond / single).toFixed(2)}×`,
      ms(percentile(result.turns, 50)),
      ms(percentile(result.turns, 99)),
      ms(percentile(result.claims, 50)),
      ms(percentile(result.claims, 99)),
    ]);
  }
  console.log(
    `\n${TURNS} turns over ${THREADS} threads, instant agent, one PostgreSQL (${os.cpus().length} cores)\n`,
  );
  table(["replicas", "turns/s", "vs 1", "turn p50", "turn p99", "claim p50", "claim p99"], rows);
  const takeoverMs = await takeover();
  console.log(`\ntakeover after kill -9 (10 s lease): ${(takeoverMs / 1000).toFixed(1)} s (target < 15 s)`);
}

void main();
