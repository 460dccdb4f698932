/**
 * Whatever a client sends, databot keeps serving: `databot serve` runs as a process with Slack, Teams and the
 * web chat on, and every route gets malformed bodies — truncated and oversized multipart, bad JSON, wrong
 * content types, huge headers, slow and abandoned bodies. Each gets a short answer with no stack trace, and
 * afterwards the process is alive, healthy, and still answers a question in the web chat.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
let child: ChildProcess;
let output = "";
let base: URL;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-fuzz-"));
  child = spawn(
    process.execPath,
    [
      path.join(root, "node_modules", "tsx", "dist", "cli.mjs"),
      path.join(root, "src", "cli", "main.ts"),
      "serve",
    ],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: "0",
        DATA_DIR: dataDir,
        SANDBOX_POOL_SIZE: "0",
        MAX_FILE_MB: "0.05",
        SLACK_BOT_TOKEN: "xoxb-fuzz-test-token",
        SLACK_SIGNING_SECRET: "fuzz-signing-secret",
        // Nothing listens here: databot's start-up check of the token fails fast and stays on this machine.
        SLACK_API_URL: "http://127.0.0.1:9/api/",
        TEAMS_ENABLED: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const check = setInterval(() => {
      const match = /Open (http:\/\/127\.0\.0\.1:\d+)\/ in your browser/.exec(output);
      if (match) {
        clearInterval(check);
        resolve(match[1]!);
      }
    }, 50);
    child.once("exit", () => {
      clearInterval(check);
      reject(new Error(`serve exited early:\n${output}`));
    });
  });
  base = new URL(url);
}, 60_000);

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Sends raw bytes on one connection; resolves with what came back (or "" when the server just closed it). */
function raw(bytes: string | Buffer, options: { holdMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(base.port), "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", () => resolve(received));
    socket.on("close", () => resolve(received));
    socket.write(bytes);
    if (options.holdMs !== undefined) setTimeout(() => socket.destroy(), options.holdMs);
  });
}

/** An HTTP/1.1 request as bytes; `declaredLength` claims more body than is sent (a slow or abandoned upload). */
function request(
  method: string,
  target: string,
  headers: Record<string, string>,
  body: string | Buffer = "",
  declaredLength = Buffer.byteLength(body),
): Buffer {
  const lines = [`${method} ${target} HTTP/1.1`, `host: 127.0.0.1:${base.port}`, "connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${declaredLength}`);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`), Buffer.from(body)]);
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
const WEB = { "x-databot-client": "web" };
const JSON_TYPE = { "content-type": "application/json" };
const BOUNDARY = "----databotfuzz";
const MULTIPART = { "content-type": `multipart/form-data; boundary=${BOUNDARY}`, ...WEB };

function filePart(name: string, content: string, close = true): string {
  return (
    `--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: text/csv\r\n\r\n` +
    content +
    (close ? `\r\n--${BOUNDARY}--\r\n` : "")
  );
}

/** True when the process is up and answers its health check; its output is shown when it went down. */
async function stillServing(): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 20));
  const ok = await fetch(`${base.origin}/healthz`).then(
    (r) => r.status === 200,
    () => false,
  );
  if (!ok) console.error(output.slice(-3000));
  return ok && child.exitCode === null;
}

async function newThreadKey(): Promise<string> {
  const response = await fetch(`${base.origin}/web/api/threads`, { method: "POST", headers: WEB });
  return ((await response.json()) as { thread: { id: string } }).thread.id;
}

test("every route answers malformed input briefly, and the process keeps serving", async () => {
  const key = await newThreadKey();
  const deep = "[".repeat(200_000) + "]".repeat(200_000);
  const cases: [string, string | Buffer][] = [
    [
      "truncated multipart",
      request("POST", `/web/api/threads/${key}/uploads`, MULTIPART, filePart("a.csv", "a,b\n1,2\n", false)),
    ],
    [
      "oversized file",
      request(
        "POST",
        `/web/api/threads/${key}/uploads`,
        MULTIPART,
        filePart("big.csv", "x,y\n".repeat(40_000)),
      ),
    ],
    [
      "too many parts",
      request(
        "POST",
        `/web/api/threads/${key}/uploads`,
        MULTIPART,
        Array.from({ length: 60 }, (_, i) => filePart(`f${i}.csv`, "a\n", false) + "\r\n").join("") +
          `--${BOUNDARY}--\r\n`,
      ),
    ],
    [
      "multipart without boundary",
      request(
        "POST",
        `/web/api/threads/${key}/uploads`,
        { "content-type": "multipart/form-data", ...WEB },
        "garbage",
      ),
    ],
    [
      "upload as JSON",
      request("POST", `/web/api/threads/${key}/uploads`, { ...JSON_TYPE, ...WEB }, '{"file": 1}'),
    ],
    ["bad JSON to Teams", request("POST", "/api/messages", JSON_TYPE, '{"type": "message", "serviceUrl": ')],
    ["deep JSON to Teams", request("POST", "/api/messages", JSON_TYPE, deep)],
    [
      "huge JSON to Teams",
      request("POST", "/api/messages", JSON_TYPE, `{"text": "${"x".repeat(2_000_000)}"}`),
    ],
    ["XML to Teams", request("POST", "/api/messages", { "content-type": "application/xml" }, "<activity/>")],
    [
      "binary to Teams",
      request("POST", "/api/messages", JSON_TYPE, Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80])),
    ],
    ["array to Teams", request("POST", "/api/messages", JSON_TYPE, "[1,2,3]")],
    ["bad JSON to Slack", request("POST", "/slack/events", JSON_TYPE, '{"type": "event_callback", ')],
    [
      "form to Slack",
      request(
        "POST",
        "/slack/events",
        { "content-type": "application/x-www-form-urlencoded" },
        "payload=%7B%7D%ZZ",
      ),
    ],
    [
      "bad JSON to the web chat",
      request("POST", `/web/api/threads/${key}/messages`, { ...JSON_TYPE, ...WEB }, '{"text": '),
    ],
    [
      "text to the web chat",
      request("POST", `/web/api/threads/${key}/messages`, { "content-type": "text/plain", ...WEB }, "hello"),
    ],
    ["path traversal", request("GET", "/web/static/..%2f..%2f..%2fpackage.json", {})],
    ["bad percent-encoding", request("GET", "/web/api/threads/%E0%A4%A/events", {})],
    ["bad signed link", request("GET", "/teams/files/%00/..%2fx?sig=1", {})],
    ["unknown route", request("DELETE", "/no/such/route", JSON_TYPE, "{}")],
    ["huge headers", request("GET", "/healthz", { "x-filler": "a".repeat(40 * 1024) })],
    ["not HTTP at all", "\u0000\u0001 hello there\r\n\r\n"],
  ];
  for (const [name, bytes] of cases) {
    const response = await raw(bytes);
    const status = statusOf(response);
    // An answer (a client error, or what could be taken) or, for a non-request, a closed connection: never a
    // server error, never a trace.
    expect([name, status < 500]).toEqual([name, true]);
    expect([name, /\bat .+\(.+:\d+:\d+\)|node_modules|\/src\/|\.ts:\d+/.test(response)]).toEqual([
      name,
      false,
    ]);
    expect([name, await stillServing()]).toEqual([name, true]);
  }

  // Slow and abandoned bodies: the server answers others meanwhile, and drops them without harm.
  const slow = [
    raw(request("POST", "/api/messages", JSON_TYPE, '{"ty', 5000), { holdMs: 1500 }),
    raw(
      request(
        "POST",
        `/web/api/threads/${key}/uploads`,
        MULTIPART,
        filePart("s.csv", "a,b\n", false),
        100_000,
      ),
      {
        holdMs: 1500,
      },
    ),
    raw(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: `, { holdMs: 1500 }),
  ];
  const healthy = await fetch(`${base.origin}/healthz`);
  expect(healthy.status).toBe(200);
  await Promise.all(slow);

  // Still alive, still serving, and still answering a question end to end.
  expect(child.exitCode).toBeNull();
  expect((await fetch(`${base.origin}/healthz`)).status).toBe(200);
  const sent = await fetch(`${base.origin}/web/api/threads/${key}/messages`, {
    method: "POST",
    headers: { ...JSON_TYPE, ...WEB },
    body: JSON.stringify({ text: "help", clientId: "fuzz-after-1" }),
  });
  expect(sent.status).toBe(202);
  let entries: { kind: string; text: string }[] = [];
  for (let i = 0; i < 100 && !entries.some((e) => e.kind === "bot"); i++) {
    await new Promise((r) => setTimeout(r, 100));
    const thread = await fetch(`${base.origin}/web/api/threads/${key}`).then((r) => r.json());
    entries = (thread as { entries: { kind: string; text: string }[] }).entries;
  }
  expect(entries.find((e) => e.kind === "bot")?.text).toContain("databot");
  expect(output).not.toMatch(/Unhandled|uncaughtException|ERR_UNHANDLED/);
}, 60_000);
