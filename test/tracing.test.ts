/**
 * With an OpenTelemetry collector configured, each turn is one trace — receiving its files, the run, posting —
 * that names the thread and the message but never says what was asked or what the files hold, and every log
 * line of the turn carries the trace id, so an operator goes from a slow trace to its logs and back.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace";
import type { MessageSink } from "../src/core/ports";
import { DatabotError, ErrorCode } from "../src/core/errors";
import { createLogger } from "../src/app/logger";
import { surfaceSpec } from "../src/app/surfaces";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { MemorySurface } from "./support/memory-surface";
import { csvAttachment, threadOf, userMessage } from "./support/messages";
import { startTestDatabot, type TestDatabot, type TestDatabotOptions } from "./support/harness";

const QUESTION = "what is the salary of Jane Doe?";
const PAYROLL = "name,salary\nJane Doe,SECRET-SALARY-98765\n";

let bot: TestDatabot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger("info", sink), lines };
}

async function databotWith(options: TestDatabotOptions) {
  const surface = new MemorySurface("cli");
  let sink: MessageSink | undefined;
  bot = await startTestDatabot({
    ...options,
    surfaces: [
      surfaceSpec(
        "memory",
        () => ({}),
        (deps) => {
          sink = deps.sink;
          return { surface, description: "memory" };
        },
      ),
    ],
  });
  return { bot, surface, sink: sink! };
}

const hex = (span: ReadableSpan) => span.spanContext();

test("a question with a file is one trace: the turn, with receiving files, the run and posting inside it", async () => {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter });
  const { logger, lines } = captureLogs();
  const { bot, surface, sink } = await databotWith({ spanProcessor: processor, logger });
  const message = userMessage(threadOf("payroll"), QUESTION, [csvAttachment("payroll-2024.csv", PAYROLL)]);
  await sink.receive(message);
  await surface.waitForReplies(1);
  await bot.waitForTurns(1);
  await processor.forceFlush(); // spans are exported once the process's resource attributes are known

  const spans = exporter.getFinishedSpans();
  const turn = spans.find((s) => s.name === "databot.turn")!;
  expect(turn).toBeDefined();
  expect(turn.parentSpanContext).toBeUndefined();
  expect(turn.attributes).toMatchObject({
    "databot.thread_id": message.threadId,
    "databot.message_id": message.id,
    "databot.platform": "cli",
    "databot.attempt": 1,
    "databot.files": 1,
    "databot.outcome": "done",
  });
  const children = spans.filter((s) => s !== turn).map((s) => s.name);
  expect(children.sort()).toEqual(["databot.post", "databot.receive_files", "databot.run"]);
  for (const span of spans.filter((s) => s !== turn)) {
    expect(hex(span).traceId).toBe(hex(turn).traceId);
    expect(span.parentSpanContext?.spanId).toBe(hex(turn).spanId);
    expect(span.attributes["databot.message_id"]).toBe(message.id);
  }

  // Nothing anyone wrote or shared is on a span.
  const everything = JSON.stringify(
    spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
  );
  for (const secret of [QUESTION, "Jane Doe", "SECRET-SALARY-98765", "payroll-2024.csv"]) {
    expect(everything).not.toContain(secret);
  }

  // The turn's log lines carry its trace id.
  const answered = lines.find((l) => l.msg === "turn answered")!;
  expect(answered.trace_id).toBe(hex(turn).traceId);
  const uploaded = lines.find((l) => l.msg === "file uploaded")!;
  expect(uploaded.trace_id).toBe(hex(turn).traceId);
  expect(uploaded.span_id).toBe(hex(spans.find((s) => s.name === "databot.receive_files")!).spanId);
  // Lines outside any turn carry none.
  expect(lines.find((l) => l.msg === "message received")!.trace_id).toBeUndefined();
});

test("two questions are two traces, and a failed run is marked by its error code", async () => {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter });
  const backend = new ScriptedBackend();
  const { bot, surface, sink } = await databotWith({ spanProcessor: processor, backend });
  await sink.receive(userMessage(threadOf("a"), "first"));
  await surface.waitForReplies(1);
  backend.faults.run = [new DatabotError(ErrorCode.RunFailed, "The analysis failed.")];
  await sink.receive(userMessage(threadOf("a"), "second"));
  await surface.waitForReplies(2);
  await bot.waitForTurns(2);
  await processor.forceFlush();

  const turns = exporter.getFinishedSpans().filter((s) => s.name === "databot.turn");
  expect(turns).toHaveLength(2);
  expect(new Set(turns.map((t) => hex(t).traceId)).size).toBe(2);
  const failed = turns.find((t) => t.attributes["databot.outcome"] === "failed")!;
  expect(failed.status.code).toBe(2); // SpanStatusCode.ERROR
  const run = exporter
    .getFinishedSpans()
    .find((s) => s.name === "databot.run" && hex(s).traceId === hex(failed).traceId)!;
  expect(run.attributes["error.type"]).toBe("run_failed");
  expect(run.status).toEqual({ code: 2, message: "run_failed" });
  // A question without files has no receiving-files span.
  expect(
    exporter
      .getFinishedSpans()
      .filter((s) => s.name === "databot.receive_files" && hex(s).traceId === hex(failed).traceId),
  ).toHaveLength(0);
});

test("`databot ask` with OTEL_EXPORTER_OTLP_ENDPOINT sends the turn's trace to the collector over OTLP, with its headers", async () => {
  const received: { path: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  const collector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  const port = (collector.address() as AddressInfo).port;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "databot-otlp-"));
  try {
    const csv = path.join(work, "payroll.csv");
    fs.writeFileSync(csv, PAYROLL);
    // A real process: the exporter loads its HTTP transport with a dynamic import, which jest's sandbox lacks.
    const result = await runCli(["ask", "--file", csv, "--out", path.join(work, "out"), QUESTION], {
      DATA_DIR: path.join(work, "data"),
      SANDBOX_POOL_SIZE: "0",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_HEADERS: "x-collector-key=abc%20123",
    });
    expect(result.code).not.toBeNull();

    expect(received.length).toBeGreaterThan(0);
    const [first] = received;
    expect(first!.path).toBe("/v1/traces");
    expect(first!.headers["content-type"]).toBe("application/x-protobuf");
    expect(first!.headers["x-collector-key"]).toBe("abc 123");
    const body = Buffer.concat(received.map((r) => r.body)).toString("latin1");
    for (const name of ["databot.turn", "databot.receive_files", "databot.run", "databot.post"]) {
      expect(body).toContain(name);
    }
    expect(body).toContain("databot.thread_id");
    expect(body).not.toContain("SECRET-SALARY-98765");
    expect(body).not.toContain("Jane Doe");
    expect(body).not.toContain("payroll.csv");
  } finally {
    await new Promise((resolve) => collector.close(resolve));
    fs.rmSync(work, { recursive: true, force: true });
  }
});

/** Runs the CLI from source in its own process, with only the given environment (and PATH and HOME). */
function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const root = path.resolve(__dirname, "..");
  const child = spawn(
    process.execPath,
    [
      path.join(root, "node_modules", "tsx", "dist", "cli.mjs"),
      path.join(root, "src", "cli", "main.ts"),
      ...args,
    ],
    {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

test("without OTEL_EXPORTER_OTLP_ENDPOINT nothing is traced and log lines carry no trace id", async () => {
  const { logger, lines } = captureLogs();
  const { bot, surface, sink } = await databotWith({ logger });
  await sink.receive(userMessage(threadOf("quiet"), "chart it"));
  await surface.waitForReplies(1);
  await bot.waitForTurns(1);
  const answered = lines.find((l) => l.msg === "turn answered")!;
  expect(answered).toBeDefined();
  expect(answered.trace_id).toBeUndefined();
});
