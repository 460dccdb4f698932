/**
 * The web chat's history, whichever keeps it: files in DATA_DIR (one process) or PostgreSQL (several replicas).
 * With PostgreSQL each story writes through one TranscriptStore and reads through another, as a second replica
 * would.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import type pg from "pg";
import { TranscriptStore } from "../src/adapters/chat/web/transcript";
import { FileTranscriptRecords } from "../src/adapters/stores/files/file-transcripts";
import { FsBlobStore } from "../src/adapters/stores/files/fs-blobs";
import { openPool } from "../src/adapters/stores/postgres/database";
import { PgBlobStore } from "../src/adapters/stores/postgres/pg-blobs";
import { PgTranscriptRecords } from "../src/adapters/stores/postgres/pg-transcripts";
import { createThrowawayDatabase, type ThrowawayDatabase } from "./support/postgres";

interface Replicas {
  a: TranscriptStore;
  b: TranscriptStore;
  close(): Promise<void>;
}

const reply = (replyTo: string) => ({
  replyTo,
  text: "Revenue by region.",
  images: [{ name: "chart.png", alt: "Revenue by region", data: Buffer.from("not really a png") }],
  files: [
    {
      name: "summary (1).csv",
      mimeType: "text/csv",
      open: async () => Readable.from(["region,revenue\nEast,120\n"]),
    },
  ],
  code: [{ language: "python" as const, code: "df.plot()" }],
  notices: [],
});

const DAY = 24 * 3600_000;

/** Both replicas stamp entries with this clock; stories about age move it ahead. */
let ahead = 0;
const now = () => new Date(Date.now() + ahead);

function transcriptStories(name: string, open: () => Promise<Replicas>) {
  describe(`web transcripts in ${name}`, () => {
    let r: Replicas;
    beforeAll(async () => (r = await open()));
    beforeEach(() => (ahead = 0));
    afterAll(() => r.close());

    test("a conversation written on one replica reads back on another, with its chart and file", async () => {
      const thread = await r.a.create();
      await r.a.addUser(thread.id, {
        messageId: "web:m1",
        text: "chart revenue\nby region",
        attachments: [{ name: "sales.csv", size: 10 }],
      });
      const bot = await r.a.addBot(thread.id, reply("web:m1"));
      expect(bot?.files).toEqual([{ name: "summary (1).csv", mimeType: "text/csv", size: 24 }]);

      expect((await r.b.get(thread.id))?.title).toBe("chart revenue");
      const entries = await r.b.entries(thread.id);
      expect(entries.map((e) => e.kind)).toEqual(["user", "bot"]);
      expect(entries[1]).toEqual(bot);
      const chart = await r.b.openAsset(thread.id, bot!.id, "chart.png");
      expect(chart).toMatchObject({ kind: "image", mimeType: "image/png", size: 16 });
      expect(await text(chart!.stream)).toBe("not really a png");
      const file = await r.b.openAsset(thread.id, bot!.id, "summary (1).csv");
      expect(await text(file!.stream)).toBe("region,revenue\nEast,120\n");
      expect(await r.b.openAsset(thread.id, bot!.id, "../../etc/passwd")).toBeUndefined();
    });

    test("threads are listed latest activity first, and a renamed thread keeps its new name", async () => {
      const first = await r.a.create();
      const second = await r.a.create();
      await r.a.addUser(second.id, { messageId: "web:s1", text: "top products", attachments: [] });
      await new Promise((resolve) => setTimeout(resolve, 5)); // a later millisecond: activity is ordered by time
      await r.a.addUser(first.id, { messageId: "web:f1", text: "monthly revenue", attachments: [] });
      expect((await r.b.list(2)).map((t) => t.title)).toEqual(["monthly revenue", "top products"]);
      expect(await r.b.rename(first.id, "  Revenue   2024 ")).toBe(true);
      await r.a.addUser(first.id, { messageId: "web:f2", text: "now by region", attachments: [] });
      expect((await r.a.get(first.id))?.title).toBe("Revenue 2024");
      expect(await r.b.rename("00000000-0000-4000-8000-000000000000", "x")).toBe(false);
    });

    test("a deleted thread is gone with its charts and files, and a late reply to it is dropped", async () => {
      const thread = await r.a.create();
      await r.a.addUser(thread.id, { messageId: "web:d1", text: "chart", attachments: [] });
      const bot = await r.a.addBot(thread.id, reply("web:d1"));
      await r.b.delete(thread.id);
      expect(await r.a.get(thread.id)).toBeUndefined();
      expect(await r.a.entries(thread.id)).toEqual([]);
      expect((await r.a.list(100)).map((t) => t.id)).not.toContain(thread.id);
      expect(await r.a.openAsset(thread.id, bot!.id, "chart.png")).toBeUndefined();
      expect(await r.a.addBot(thread.id, reply("web:d2"))).toBeUndefined();
      expect(await r.a.entries(thread.id)).toEqual([]);
    });

    test("threads idle past the cut-off are purged with their charts and files; an active one stays", async () => {
      const idle = await r.a.create();
      await r.a.addUser(idle.id, { messageId: "web:i1", text: "chart", attachments: [] });
      const answer = await r.a.addBot(idle.id, reply("web:i1"));
      const started = await r.a.create(); // created as long ago, but talked to since
      ahead += 20 * DAY;
      await r.a.addUser(started.id, { messageId: "web:s1", text: "still here", attachments: [] });
      ahead += 15 * DAY;
      const cutoff = new Date(now().getTime() - 30 * DAY);

      const mine = (metas: { id: string }[]) =>
        metas.map((t) => t.id).filter((id) => [idle.id, started.id].includes(id));
      expect(mine(await r.b.list(1000))).toEqual([started.id, idle.id]);
      expect(await r.b.purgeIdle(cutoff)).toContain(idle.id);
      expect(await r.a.get(idle.id)).toBeUndefined();
      expect(await r.a.openAsset(idle.id, answer!.id, "chart.png")).toBeUndefined();
      expect((await r.a.entries(started.id)).map((e) => e.text)).toEqual(["still here"]);
      expect(await r.b.purgeIdle(cutoff)).not.toContain(started.id);
    });
  });
}

transcriptStories("files", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-transcripts-"));
  // One process: the files keep the thread list in memory, so both sides are the same store.
  const store = new TranscriptStore(new FileTranscriptRecords(dir), new FsBlobStore(dir), now);
  return {
    a: store,
    b: store,
    close: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

transcriptStories("PostgreSQL", async () => {
  const db: ThrowawayDatabase = await createThrowawayDatabase("transcripts");
  const pools: pg.Pool[] = [openPool({ url: db.url }), openPool({ url: db.url })];
  const [a, b] = await Promise.all(
    pools.map(
      async (pool) =>
        new TranscriptStore(await PgTranscriptRecords.open(pool), await PgBlobStore.open(pool), now),
    ),
  );
  return {
    a: a!,
    b: b!,
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      await db.drop();
    },
  };
});
