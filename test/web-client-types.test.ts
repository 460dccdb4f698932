/**
 * The browser chat is type-checked against its own description of the web API
 * (src/adapters/chat/web/static-types/web-api.d.ts), since the server's types need Node's. The assignments below make
 * the type-check fail when the server sends something the client is not typed to receive; the story shows a
 * real reply, as the browser gets it, carrying the links the client renders.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { FileTranscriptRecords } from "../src/adapters/stores/files/file-transcripts";
import { FsBlobStore } from "../src/adapters/stores/files/fs-blobs";
import type * as Client from "../src/adapters/chat/web/static-types/web-api";
import type { TurnStatus } from "../src/adapters/chat/web/live-events";
import {
  presentEntry,
  TranscriptStore,
  type ThreadMeta,
  type TranscriptEntry,
} from "../src/adapters/chat/web/transcript";

// What the server sends, as the client sees it: each line fails the type-check if the two drift apart.
const asClientEntry = (entry: TranscriptEntry): Client.TranscriptEntry => entry;
const asClientThread = (thread: ThreadMeta): Client.ThreadMeta => thread;
const _asClientStatus = (status: TurnStatus): Client.LiveStatus => ({
  messageId: status.messageId,
  ...status.progress,
  ...(status.code ? { code: status.code } : {}),
});

let dataDir: string;
beforeEach(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-web-types-"))));
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test("a reply with a chart and a file reaches the browser with a link to each, in the shape the client is typed for", async () => {
  const store = new TranscriptStore(new FileTranscriptRecords(dataDir), new FsBlobStore(dataDir));
  const thread = asClientThread(await store.create());
  const question = asClientEntry(
    await store.addUser(thread.id, { messageId: "web:m1", text: "chart revenue", attachments: [] }),
  );
  const reply = await store.addBot(thread.id, {
    replyTo: "web:m1",
    text: "Here it is.",
    images: [{ name: "chart.png", alt: "Revenue by region", data: Buffer.from("png") }],
    files: [{ name: "summary.csv", mimeType: "text/csv", open: async () => Readable.from(["a,b\n"]) }],
    code: [{ language: "python", code: "df.plot()" }],
    notices: [],
  });
  const shown = asClientEntry(presentEntry(thread.id, reply!));

  expect(question).toMatchObject({ kind: "user", text: "chart revenue" });
  if (shown.kind !== "bot") throw new Error("expected the reply");
  expect(shown.replyTo).toBe("web:m1");
  expect(shown.images).toEqual([
    {
      name: "chart.png",
      alt: "Revenue by region",
      url: `/web/api/threads/${thread.id}/entries/${shown.id}/files/chart.png`,
    },
  ]);
  expect(shown.files).toEqual([
    {
      name: "summary.csv",
      mimeType: "text/csv",
      size: 4,
      url: `/web/api/threads/${thread.id}/entries/${shown.id}/files/summary.csv`,
    },
  ]);
});
