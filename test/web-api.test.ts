/**
 * The web chat over HTTP, as the browser page uses it: files dropped in are checked and stored, questions are
 * answered in the thread with charts and downloadable files, progress streams live, and the conversation is
 * still there after a reload or a restart.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { UploadStore } from "../src/adapters/chat/web/uploads";
import { FsBlobStore } from "../src/adapters/stores/files/fs-blobs";
import { webThreadId, webThreadKey } from "../src/adapters/chat/web/web-surface";
import { FilePolicy } from "../src/core/files/file-policy";
import { DatabotError, ErrorCode } from "../src/core/errors";
import { RESET_TEXT } from "../src/core/conversation/commands";
import { decodeThreadId } from "../src/core/thread-id";
import { readSse } from "./support/sse";
import { defaultScript, ScriptedBackend } from "./fakes/scripted-backend";
import { startTestDatabot, type TestDatabot } from "./support/harness";
import { pngSize } from "./support/png";

const SALES = "month,region,revenue\n2024-01,East,120\n2024-01,West,95\n2024-02,East,130\n";
const PAGE = { "x-databot-client": "web" };

/** A transcript entry as the API returns it (user and bot fields together, for brevity in assertions). */
interface Entry {
  id: string;
  kind: "user" | "bot";
  messageId: string;
  replyTo: string;
  text: string;
  attachments: { name: string; size: number }[];
  images: { name: string; alt: string; url: string }[];
  files: { name: string; size: number; url: string }[];
  code: { code: string }[];
  error?: { code: string; message: string; retryable: boolean };
}

/** What the web API answers, loosely. */
interface ApiBody {
  error?: string;
  thread?: { id: string; title: string };
  threads?: { id: string; title: string }[];
  uploads?: { id: string; name: string; size: number }[];
  refused?: { name: string; message: string }[];
  entry?: Entry;
  entries?: Entry[];
  duplicate?: boolean;
}

let bot: TestDatabot;
let backend: ScriptedBackend;

afterEach(async () => bot?.close());

async function start(env: Record<string, string> = {}, dataDir?: string) {
  backend = new ScriptedBackend();
  bot = await startTestDatabot({ env: { WEB_CHAT: "true", ...env }, backend, dataDir });
  return bot;
}

async function call(route: string, init: RequestInit = {}) {
  const response = await fetch(`${bot.url}${route}`, {
    ...init,
    headers: { ...(init.method && init.method !== "GET" ? PAGE : {}), ...init.headers },
  });
  const type = response.headers.get("content-type") ?? "";
  const json = type.includes("json");
  const body = (json ? await response.json() : {}) as ApiBody;
  const text = json ? "" : await response.text();
  return { status: response.status, body, text, headers: response.headers };
}

async function newThread(): Promise<string> {
  const { status, body } = await call("/web/api/threads", { method: "POST" });
  expect(status).toBe(201);
  return body.thread!.id;
}

async function upload(thread: string, name: string, content: string | Buffer, type = "text/csv") {
  const form = new FormData();
  form.append("file", new Blob([content], { type }), name);
  return call(`/web/api/threads/${thread}/uploads`, { method: "POST", body: form });
}

async function send(thread: string, text: string, uploads: string[] = [], clientId?: string) {
  return call(`/web/api/threads/${thread}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text, uploads, clientId }),
  });
}

async function transcript(thread: string) {
  const { status, body } = await call(`/web/api/threads/${thread}`);
  expect(status).toBe(200);
  return { thread: body.thread!, entries: body.entries! };
}

test("a CSV dropped in the web chat and a question get an answer with a chart and a downloadable file", async () => {
  await start();
  const thread = await newThread();
  const uploaded = await upload(thread, "sales.csv", SALES);
  expect(uploaded.status).toBe(200);
  expect(uploaded.body.uploads).toEqual([{ id: expect.any(String), name: "sales.csv", size: SALES.length }]);

  const sent = await send(thread, "bar chart of revenue by region", [uploaded.body.uploads![0]!.id]);
  expect(sent.status).toBe(202);
  await bot.waitForTurns(1);

  // The backend got the file's bytes, streamed from the web upload.
  const received = [...backend.files.values()];
  expect(received.map((f) => [f.name, f.bytes])).toEqual([["sales.csv", SALES.length]]);
  expect(received[0]!.head.toString()).toBe(SALES);

  const { thread: meta, entries } = await transcript(thread);
  expect(meta.title).toBe("bar chart of revenue by region");
  expect(entries.map((e) => e.kind)).toEqual(["user", "bot"]);
  expect(entries[0]!.attachments).toEqual([{ name: "sales.csv", size: SALES.length }]);
  const answer = entries[1]!;
  expect(answer.replyTo).toBe(entries[0]!.messageId);
  expect(answer.text).toContain('Here is the chart for "bar chart of revenue by region" using sales.csv');
  expect(answer.code[0]!.code).toContain("read_csv");

  const image = await fetch(`${bot.url}${answer.images[0]!.url}`);
  expect(image.headers.get("content-type")).toBe("image/png");
  expect(pngSize(Buffer.from(await image.arrayBuffer()))).toEqual({ width: 64, height: 48 });
  const file = await fetch(`${bot.url}${answer.files[0]!.url}`);
  expect(file.headers.get("content-disposition")).toMatch(/^attachment; filename="?summary\.csv"?/);
  expect(await file.text()).toBe("region,revenue\nEast,120\nWest,95\n");

  // Once answered, the uploaded copy is no longer kept.
  expect(fs.readdirSync(path.join(bot.dataDir, "web-uploads"))).toEqual([]);
});

test("a generated .html or .svg file downloads as a file and is never rendered by the browser", async () => {
  await start();
  backend.script = (context) => ({
    ...defaultScript(context),
    files: [
      {
        name: "report.html",
        mimeType: "text/html",
        open: async () => Readable.from(["<script>alert(1)</script>"]),
      },
      {
        name: "chart.svg",
        mimeType: "image/svg+xml",
        open: async () => Readable.from(["<svg onload='alert(1)'/>"]),
      },
    ],
  });
  const thread = await newThread();
  await send(thread, "make a report");
  await bot.waitForTurns(1);
  const { entries } = await transcript(thread);
  for (const file of entries[1]!.files) {
    const response = await fetch(`${bot.url}${file.url}`);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  }
});

test("a file databot cannot use is refused on upload with the reason, and nothing is kept", async () => {
  await start({ MAX_FILE_MB: "0.01" });
  const thread = await newThread();
  const program = await upload(
    thread,
    "setup.exe",
    Buffer.from([0x4d, 0x5a, 0x90, 0x00]),
    "application/x-msdownload",
  );
  expect(program.status).toBe(422);
  expect(program.body.refused![0]!.message).toMatch(
    /"setup.exe": this file type is not supported \(supported: .*\.csv/,
  );

  const disguised = await upload(thread, "numbers.csv", Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00]));
  expect(disguised.status).toBe(422);
  expect(disguised.body.error).toContain("it is named .csv but its content is binary, not text");

  const large = await upload(thread, "big.csv", "a,b\n".repeat(10_000));
  expect(large.status).toBe(422);
  expect(large.body.error).toMatch(/"big.csv": it is over the .* limit/);

  const uploads = path.join(bot.dataDir, "web-uploads");
  expect(fs.existsSync(uploads) ? fs.readdirSync(uploads) : []).toEqual([]);
});

test("files dropped without being sent are capped per chat and expire within the hour; sent ones wait for their answer", async () => {
  await start();
  const thread = await newThread();
  const other = await newThread();
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const stored = await upload(thread, `part-${i}.csv`, "a,b\n1,2\n");
    expect(stored.status).toBe(200);
    ids.push(stored.body.uploads![0]!.id);
  }
  const oneTooMany = await upload(thread, "part-20.csv", "a,b\n1,2\n");
  expect(oneTooMany.status).toBe(422);
  expect(oneTooMany.body.error).toContain(
    'I couldn\'t keep "part-20.csv": this chat already holds 20 files waiting to be sent',
  );
  // Another chat has its own room, and cannot send this chat's files.
  expect((await upload(other, "mine.csv", "a\n1\n")).status).toBe(200);
  const stolen = await send(other, "use their file", [ids[0]!]);
  expect(stolen.status).toBe(400);
  expect(stolen.body.error).toContain("no longer available");

  // Sending two of them frees their places; the rest are still staged.
  backend.holdRuns();
  expect((await send(thread, "use these", ids.slice(0, 2))).status).toBe(202);
  expect((await upload(thread, "another.csv", "a\n1\n")).status).toBe(200);

  // An hour later the sweep removes every staged file, but not the two waiting for their answer.
  const store = new UploadStore(new FsBlobStore(bot.dataDir), new FilePolicy(1024 * 1024));
  const removed = await store.sweep(Date.now() + 61 * 60_000);
  expect(removed).toBe(20); // 18 + another.csv + mine.csv
  const left = fs.readdirSync(path.join(bot.dataDir, "web-uploads")).filter((n) => !n.includes("."));
  expect(left.sort()).toEqual([ids[0], ids[1]].sort());
  backend.releaseRuns();
  await bot.waitForTurns(1);
  expect(fs.readdirSync(path.join(bot.dataDir, "web-uploads"))).toEqual([]);
});

test("the thread list shows the chats, latest activity first, titled by their first message", async () => {
  await start();
  const first = await newThread();
  await send(first, "monthly revenue\nas a line chart");
  const second = await newThread();
  await send(second, "top 5 products by units");
  await bot.waitForTurns(2);
  await send(first, "now by region");
  await bot.waitForTurns(3);
  const { body } = await call("/web/api/threads");
  expect(body.threads!.map((t) => [t.id, t.title])).toEqual([
    [first, "monthly revenue"],
    [second, "top 5 products by units"],
  ]);
});

test("progress streams live: thinking, the code being run and the answer text, then the answer", async () => {
  await start();
  const thread = await newThread();
  const controller = new AbortController();
  const stream = await fetch(`${bot.url}/web/api/threads/${thread}/events`, { signal: controller.signal });
  expect(stream.headers.get("content-type")).toContain("text/event-stream");
  const events: { event: string; data: Record<string, unknown> & Partial<Entry> }[] = [];
  const reading = (async () => {
    for await (const event of readSse(stream.body!)) {
      events.push({ event: event.event, data: JSON.parse(event.data) });
      if (event.event === "entry" && events.at(-1)!.data.kind === "bot") return;
    }
  })();
  await send(thread, "chart please");
  await reading;
  controller.abort();
  const stages = events.filter((e) => e.event === "progress").map((e) => e.data.stage);
  expect(stages).toEqual(expect.arrayContaining(["thinking", "running_code", "answering", "posting"]));
  expect(events.find((e) => e.data.stage === "running_code")!.data.code).toContain("read_csv");
  expect(events.find((e) => e.data.stage === "answering")!.data.text).toContain("Here is the chart");
  expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(["entry"]));
  expect(events.at(-1)!.data.images![0]!.url).toMatch(/^\/web\/api\/threads\/.+\/files\/chart.png$/);
});

test("a retryable failure can be retried from the chat, and reset starts over", async () => {
  await start();
  backend.faults.run = [
    new DatabotError(ErrorCode.BackendBusy, "The analysis service is busy right now.", { retryable: true }),
  ];
  const thread = await newThread();
  await send(thread, "revenue by region");
  await bot.waitForTurns(1);
  let { entries } = await transcript(thread);
  expect(entries[1]!.error).toMatchObject({ code: "backend_busy", retryable: true });
  expect(entries[1]!.error!.message).toContain("The analysis service is busy right now.");

  await send(thread, "retry");
  await bot.waitForTurns(3);
  ({ entries } = await transcript(thread));
  const answer = entries.at(-1)!;
  expect(answer.replyTo).toBe(entries[0]!.messageId);
  expect(answer.images).toHaveLength(1);

  await send(thread, "reset");
  await bot.waitForTurns(4);
  ({ entries } = await transcript(thread));
  expect(entries.at(-1)!.text).toBe(RESET_TEXT);
});

test("sending the same message twice (a flaky network) is answered once", async () => {
  await start();
  const thread = await newThread();
  const first = await send(thread, "sum of revenue", [], "client-msg-0001");
  const again = await send(thread, "sum of revenue", [], "client-msg-0001");
  expect(first.status).toBe(202);
  expect(again.status).toBe(200);
  expect(again.body.duplicate).toBe(true);
  await bot.waitForTurns(1);
  const { entries } = await transcript(thread);
  expect(entries.map((e) => e.kind)).toEqual(["user", "bot"]);
});

test("the conversation, its charts and files are still there after databot restarts", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-web-"));
  try {
    await start({}, dataDir);
    const thread = await newThread();
    await send(thread, "chart of revenue");
    await bot.waitForTurns(1);
    await bot.close();

    await start({}, dataDir);
    const { entries } = await transcript(thread);
    expect(entries.map((e) => e.kind)).toEqual(["user", "bot"]);
    const image = await fetch(`${bot.url}${entries[1]!.images[0]!.url}`);
    expect(image.status).toBe(200);
    expect((await call("/web/api/threads")).body.threads![0]!.id).toBe(thread);
  } finally {
    await bot.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

describe("access", () => {
  const TOKEN = "a-long-web-access-token-123";

  test("with WEB_ACCESS_TOKEN every web route needs it; /?token= signs the browser in with a cookie", async () => {
    await start({ WEB_ACCESS_TOKEN: TOKEN });
    expect((await call("/")).status).toBe(401);
    expect((await call("/web/api/threads")).status).toBe(401);
    expect((await call("/web/static/app.js")).status).toBe(401);
    expect((await call("/?token=not-the-right-token-at-all")).status).toBe(401);
    expect((await call("/healthz")).status).toBe(200);

    const bearer = await call("/web/api/threads", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);

    const signIn = await fetch(`${bot.url}/?token=${TOKEN}`, { redirect: "manual" });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toBe("/");
    const cookie = signIn.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(";")[0]!;
    const page = await call("/", { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(page.text).toContain("<title>databot</title>");
    const created = await call("/web/api/threads", { method: "POST", headers: { cookie: session } });
    expect(created.status).toBe(201);
    const again = await fetch(`${bot.url}/?token=${TOKEN}`, {
      headers: { cookie: session },
      redirect: "manual",
    });
    expect(again.status).toBe(303);

    // Scripts holding the token use the bearer header and need no page header.
    const scripted = await fetch(`${bot.url}/web/api/threads`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(scripted.status).toBe(201);
  });

  test("other sites cannot post into the chat or reach it by another host name", async () => {
    await start();
    const noHeader = await fetch(`${bot.url}/web/api/threads`, { method: "POST" });
    expect(noHeader.status).toBe(403);
    const foreign = await call("/web/api/threads", {
      method: "POST",
      headers: { origin: "https://evil.example" },
    });
    expect(foreign.status).toBe(403);
    // fetch will not send another Host header, so ask the way a rebinding browser would arrive.
    const rebound = await new Promise<number>((resolve, reject) => {
      http
        .get(
          { host: "127.0.0.1", port: bot.port, path: "/web/api/threads", headers: { host: "evil.example" } },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        )
        .on("error", reject);
    });
    expect(rebound).toBe(403);
    const page = await call("/");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  });
});

test("web thread ids round-trip through the core's encoding", () => {
  const key = "0b6f3c1e-8a52-4c0e-9d8b-5f2a7e9c1d44";
  const threadId = webThreadId(key);
  expect(threadId).toBe(`web:${key}`);
  expect(decodeThreadId(threadId)).toEqual({ platform: "web", parts: [key] });
  expect(webThreadKey(threadId)).toBe(key);
  expect(() => webThreadKey("slack:T1:C1:1.2")).toThrow();
});
