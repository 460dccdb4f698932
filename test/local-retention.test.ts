/**
 * The local engine under RETENTION_DAYS: an idle conversation's thread and files are deleted through its
 * mapping, and a thread no conversation maps to any more (its mapping was lost) is deleted by age as well; a
 * thread in use stays.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { createLocalBackend } from "../src/adapters/agents/local-engine/local-backend";
import { FileLocalThreadRecords } from "../src/adapters/agents/local-engine/thread-records";
import { FsBlobStore } from "../src/adapters/stores/files/fs-blobs";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import { SqliteUsageLedger } from "../src/adapters/stores/sqlite/usage-ledger";
import { Retention } from "../src/app/usage/retention";
import { loadConfig } from "../src/config";
import { silentLogger } from "../src/core/logger";
import { turn } from "./contracts/usage-ledger-contract";

const DAY = 24 * 3600_000;

test("idle local threads go with their files, mapped or orphaned; one in use stays", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-local-retention-"));
  const now = Date.now();
  const records = new FileLocalThreadRecords(dir);
  const blobs = new FsBlobStore(dir);
  const backend = createLocalBackend({
    config: loadConfig({}, dir).local,
    dataDir: dir,
    records,
    blobs,
    logger: silentLogger,
    analyst: { name: "unused", answer: () => Promise.reject(new Error("no runs here")) },
  });
  const store = new SqliteStore({ file: path.join(dir, "databot.sqlite") });
  const ledger = new SqliteUsageLedger(path.join(dir, "usage.sqlite"));
  const retention = new Retention({
    ledger,
    threads: store,
    inbox: store,
    maintenance: store,
    backend,
    targets: [backend.retention!],
    platforms: ["slack"],
    retentionDays: 30,
    dedupeTtlMs: DAY,
    logger: silentLogger,
    now: () => now,
  });
  /** A local thread with a question and a file, last used `daysAgo`. */
  const thread = async (daysAgo: number) => {
    const { id } = await backend.ensureThread(undefined);
    const file = await backend.uploadFile({
      name: "sales.csv",
      mimeType: "text/csv",
      stream: Readable.from(["region,sales\nWest,10\n"]),
    });
    await backend.addMessage(id, { text: "total of sales", files: [file] });
    const at = new Date(now - daysAgo * DAY).toISOString();
    await records.update(id, (t) => {
      t.createdAt = at;
      for (const message of t.messages) message.createdAt = at;
    });
    return id;
  };
  const filesOf = async (id: string) => (await blobs.list(`local-engine/threads/${id}/files/`)).length;
  try {
    const mapped = await thread(40);
    await store.putThread("slack:T1:C1:old", "local", mapped);
    await ledger.record(turn({ messageId: "m1", threadId: "slack:T1:C1:old", startedAt: now - 40 * DAY }));
    const orphan = await thread(35); // its conversation's mapping is gone
    const inUse = await thread(3);
    expect(await filesOf(orphan)).toBe(1);

    const summary = await retention.purge();
    expect(summary.threads).toEqual(["slack:T1:C1:old"]);
    expect(summary.deleted["local-threads"]).toEqual([orphan]);
    for (const gone of [mapped, orphan]) {
      expect(await records.load(gone)).toBeUndefined();
      expect(await filesOf(gone)).toBe(0);
    }
    expect((await records.load(inUse))?.messages).toHaveLength(1);
    expect(await filesOf(inUse)).toBe(1);
  } finally {
    await backend.close();
    await store.close();
    await ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("databot forget run from a shell in local mode exits once it is done (no sandbox outlives it)", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-local-forget-"));
  const tsx = path.join(__dirname, "..", "node_modules", ".bin", "tsx");
  const main = path.join(__dirname, "..", "src", "cli", "main.ts");
  try {
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        tsx,
        [main, "forget", "--thread", "cli:quarterly"],
        { env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: "silent" }, timeout: 50_000 },
        (_error, stdout) => resolve({ code: child.exitCode, stdout }),
      );
    });
    expect(result).toEqual({ code: 0, stdout: "Deleted the data of cli:quarterly.\n" });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
