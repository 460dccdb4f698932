/**
 * What the browser chat keeps, under RETENTION_DAYS and `databot forget`: `databot forget --thread web:<id>` run
 * from a shell (no server, no surfaces) deletes the thread's transcript, charts and files and the files dropped
 * into it; the purge deletes uploads older than the cut-off, staged or sent.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { webRetention } from "../src/adapters/chat/web/retention";
import { TranscriptStore } from "../src/adapters/chat/web/transcript";
import { UploadStore } from "../src/adapters/chat/web/uploads";
import { webThreadId } from "../src/adapters/chat/web/web-surface";
import { FileTranscriptRecords } from "../src/adapters/stores/files/file-transcripts";
import { FsBlobStore } from "../src/adapters/stores/files/fs-blobs";
import { forgetCommand } from "../src/cli/usage";
import { FilePolicy } from "../src/core/files/file-policy";
import { silentLogger } from "../src/core/logger";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const DAY = 24 * 3600_000;
const PAGE = { "x-databot-client": "web" };
const SALES = "region,revenue\nEast,120\n";

async function newThread(bot: TestDatabot): Promise<string> {
  const response = await fetch(`${bot.url}/web/api/threads`, { method: "POST", headers: PAGE });
  return ((await response.json()) as { thread: { id: string } }).thread.id;
}

async function upload(bot: TestDatabot, thread: string): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([SALES], { type: "text/csv" }), "sales.csv");
  const response = await fetch(`${bot.url}/web/api/threads/${thread}/uploads`, {
    method: "POST",
    headers: PAGE,
    body: form,
  });
  return ((await response.json()) as { uploads: { id: string }[] }).uploads[0]!.id;
}

async function ask(bot: TestDatabot, thread: string, text: string, uploads: string[]): Promise<void> {
  await fetch(`${bot.url}/web/api/threads/${thread}/messages`, {
    method: "POST",
    headers: { ...PAGE, "content-type": "application/json" },
    body: JSON.stringify({ text, uploads }),
  });
}

test("databot forget from a shell deletes a browser thread's transcript, files and staged uploads", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-web-forget-"));
  const backend = new ScriptedBackend();
  const env = { WEB_CHAT: "true" };
  let bot = await startTestDatabot({ env, backend, dataDir });
  const gone = await newThread(bot);
  const kept = await newThread(bot);
  try {
    await ask(bot, gone, "bar chart of revenue by region", [await upload(bot, gone)]);
    await ask(bot, kept, "bar chart of revenue by region", []);
    await bot.waitForTurns(2);
    await upload(bot, gone); // dropped in, never sent
    const keptUpload = await upload(bot, kept);
    const config = bot.config;
    await bot.close();

    let out = "";
    const stdout = new Writable({ write: (chunk, _e, done) => ((out += String(chunk)), done()) });
    const code = await forgetCommand(
      ["--thread", webThreadId(gone)],
      config,
      silentLogger,
      { stdout, stderr: stdout },
      { backend: async () => backend },
    );
    expect([code, out]).toEqual([0, `Deleted the data of ${webThreadId(gone)}.\n`]);

    bot = await startTestDatabot({ env, backend, dataDir });
    expect((await fetch(`${bot.url}/web/api/threads/${gone}`)).status).toBe(404);
    expect((await fetch(`${bot.url}/web/api/threads/${kept}`)).status).toBe(200);
    const blobs = new FsBlobStore(dataDir);
    expect(await blobs.list(`web/threads/${gone}/`)).toEqual([]);
    expect((await blobs.list(`web/threads/${kept}/`)).length).toBeGreaterThan(0);
    expect((await blobs.list("web-uploads/")).map((b) => b.key)).toEqual([`web-uploads/${keptUpload}`]);
    expect([...backend.threads.values()].filter((t) => t.deleted)).toHaveLength(1);
  } finally {
    await bot.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the purge deletes uploads older than the cut-off, sent or not, and idle transcripts", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-web-retention-"));
  let clock = Date.now();
  const blobs = new FsBlobStore(dataDir);
  const transcripts = new TranscriptStore(new FileTranscriptRecords(dataDir), blobs, () => new Date(clock));
  const uploads = new UploadStore(blobs, new FilePolicy(1024 * 1024), undefined, () => clock);
  const [transcriptTarget, uploadTarget] = webRetention(transcripts, uploads);
  const save = async (thread: string) => {
    const outcome = await uploads.save(thread, "sales.csv", Readable.from([SALES]));
    if (!outcome.ok) throw new Error(outcome.message);
    return outcome.upload;
  };
  try {
    const old = await transcripts.create();
    const sent = await save(old.id);
    await uploads.attach([sent]); // sent with a question whose answer never came
    clock += 10 * DAY;
    const recent = await transcripts.create();
    const staged = await save(recent.id);
    clock += 25 * DAY; // `old` is 35 days old, `recent` 25

    const cutoff = new Date(clock - 30 * DAY);
    expect(await uploadTarget!.purgeOlderThan(cutoff)).toEqual([sent.id]);
    expect(await transcriptTarget!.purgeOlderThan(cutoff)).toEqual([webThreadId(old.id)]);
    expect(await uploads.get(staged.id)).toBeDefined();
    expect(await transcripts.get(recent.id)).toBeDefined();
    // Forgetting a thread of another platform touches nothing here.
    expect(await uploadTarget!.forgetThread!("slack:T1:C1:1")).toEqual([]);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
