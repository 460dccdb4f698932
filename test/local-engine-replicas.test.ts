/**
 * The local engine on two replicas sharing PostgreSQL: a thread's records and files are shared, its Python
 * session is not. When the thread's next turn lands on the other replica, that replica starts a session with
 * the thread's files restored and says so, as after an idle expiry; when the thread comes back to the first
 * replica, its old session (which missed the other replica's turn) is not used again.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import type pg from "pg";
import { createLocalBackend } from "../src/adapters/agents/local-engine/local-backend";
import { PgLocalThreadRecords } from "../src/adapters/agents/local-engine/thread-records-postgres";
import type { Analyst, AnalystInput, AnalystOutput } from "../src/adapters/agents/local-engine/types";
import { openPool } from "../src/adapters/stores/postgres/database";
import { PgBlobStore } from "../src/adapters/stores/postgres/pg-blobs";
import { loadConfig } from "../src/config";
import { silentLogger } from "../src/core/logger";
import type { AgentBackend } from "../src/core/ports";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./support/postgres";

/** Computes a total from the shared file, or recalls the one computed earlier in the session. */
class TotalAnalyst implements Analyst {
  readonly name = "totals";
  readonly restarted: boolean[] = [];

  async answer(input: AnalystInput): Promise<AnalystOutput> {
    this.restarted.push(input.sessionRestarted);
    const code =
      input.question === "total of sales"
        ? "import pandas as pd\ntotal = int(pd.read_csv('/mnt/data/sales.csv').sales.sum())\nprint(total)"
        : "print(total)";
    const result = await input.session.run(code, input.signal);
    const text = result.error ? `I lost it (${result.error.name}).` : `Total: ${result.stdout.trim()}`;
    return { text, cells: [{ code, result }] };
  }
}

let db: ThrowawayDatabase;
const pools: pg.Pool[] = [];
const dirs: string[] = [];
const backends: AgentBackend[] = [];

/** A replica: its own data directory, pool and sandboxes; the records and files in the shared database. */
async function replica(analyst: Analyst): Promise<AgentBackend> {
  const pool = openPool({ url: db.url });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "databot-local-replica-"));
  pools.push(pool);
  dirs.push(dataDir);
  const backend = createLocalBackend({
    config: { ...loadConfig({}, "/tmp").local, poolSize: 1, cellTimeoutSeconds: 60 },
    dataDir,
    logger: silentLogger,
    analyst,
    records: await PgLocalThreadRecords.open(pool),
    blobs: await PgBlobStore.open(pool),
  });
  backends.push(backend);
  return backend;
}

async function ask(backend: AgentBackend, threadId: string, question: string, file?: string) {
  const files = file
    ? [await backend.uploadFile({ name: "sales.csv", mimeType: "text/csv", stream: Readable.from([file]) })]
    : [];
  await backend.addMessage(threadId, { text: question, files });
  return (await backend.run(threadId, { onRunStarted: async () => undefined, onProgress: () => undefined }))
    .text;
}

beforeAll(async () => {
  db = await createThrowawayDatabase("local_replicas");
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  await Promise.all(pools.map((p) => p.end()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  await db.drop();
});

test("a thread's turns move between replicas: files restored, the restart told, no stale session reused", async () => {
  const onA = new TotalAnalyst();
  const onB = new TotalAnalyst();
  const a = await replica(onA);
  const b = await replica(onB);

  const { id } = await a.ensureThread(undefined);
  expect(await ask(a, id, "total of sales", "region,sales\nWest,10\nEast,20\nWest,30\n")).toBe("Total: 60");
  expect(await a.ensureThread(id)).toEqual({ id });

  // The next turn lands on B, which has no session for the thread: told as after an idle expiry.
  expect(await b.ensureThread(id)).toEqual({ id, replacedExpired: true, filesRestored: true });
  expect(await ask(b, id, "what was the total?")).toBe("I lost it (NameError).");
  expect(await ask(b, id, "total of sales")).toBe("Total: 60");
  expect(await ask(b, id, "what was the total?")).toBe("Total: 60");

  // Back on A: its session missed B's turns, so it is ended and a fresh one opened, and the thread is told.
  expect(await a.ensureThread(id)).toEqual({ id, replacedExpired: true, filesRestored: true });
  expect(await ask(a, id, "what was the total?")).toBe("I lost it (NameError).");
  expect(await ask(a, id, "total of sales")).toBe("Total: 60");
  expect(onA.restarted).toEqual([false, true, false]);
  expect(onB.restarted).toEqual([true, false, false]);
});
