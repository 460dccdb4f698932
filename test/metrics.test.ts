/**
 * The people who run databot graph it: `GET /metrics` in Prometheus's format counts what people asked, how the
 * turns went, what the backend was asked and how often it failed, the analysis sessions opened (what Code
 * Interpreter bills), the bytes that went in and out, and how full the inbox and the sandboxes are now.
 */
import type { MessageSink } from "../src/core/ports";
import { DatabotError, ErrorCode } from "../src/core/errors";
import { surfaceSpec } from "../src/app/surfaces";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { MemorySurface } from "./support/memory-surface";
import { csvAttachment, threadOf, userMessage } from "./support/messages";
import { scrape, valueOf } from "./support/prometheus";
import { startTestDatabot, type TestDatabot } from "./support/harness";

const SALES = "region,revenue\nEast,120\nWest,95\nNorth,70\n";

let bot: TestDatabot | undefined;
afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

/** databot with an in-memory chat surface; `sink` is where that surface hands messages, as a real one does. */
async function databotWith(backend: ScriptedBackend | "configured", env: Record<string, string> = {}) {
  const surface = new MemorySurface("cli");
  let sink: MessageSink | undefined;
  bot = await startTestDatabot({
    backend,
    env,
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

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never saw ${what}`);
}

test("a CSV question answered with a chart and a file shows up in every counter an operator graphs", async () => {
  const { bot, surface, sink } = await databotWith(new ScriptedBackend());
  const question = userMessage(threadOf("q3"), "chart revenue by region", [
    csvAttachment("sales.csv", SALES),
  ]);
  await sink.receive(question);
  await sink.receive(question); // the platform delivers it again
  await surface.waitForReplies(1);
  await bot.waitForTurns(1);

  const m = await scrape(bot.url);
  expect(valueOf(m, "databot_messages_received_total", { platform: "cli", result: "accepted" })).toBe(1);
  expect(valueOf(m, "databot_messages_received_total", { platform: "cli", result: "duplicate" })).toBe(1);
  expect(valueOf(m, "databot_turns_total", { platform: "cli", outcome: "done" })).toBe(1);
  expect(valueOf(m, "databot_turn_duration_seconds_count", { platform: "cli", outcome: "done" })).toBe(1);
  expect(valueOf(m, "databot_turn_queue_wait_seconds_count", { platform: "cli" })).toBe(1);
  expect(valueOf(m, "databot_turn_stage_duration_seconds_count", { stage: "receiving_files" })).toBe(1);
  expect(valueOf(m, "databot_turn_stage_duration_seconds_count", { stage: "run" })).toBe(1);
  expect(valueOf(m, "databot_turn_stage_duration_seconds_count", { stage: "posting" })).toBe(1);
  for (const method of ["ensureThread", "uploadFile", "addMessage", "run"]) {
    expect(valueOf(m, "databot_backend_calls_total", { backend: "scripted", method })).toBe(1);
  }
  expect(valueOf(m, "databot_code_interpreter_sessions_opened_total", { backend: "scripted" })).toBe(1);
  // Exactly the bytes of the shared file went into the backend, and exactly what the reply carried came out.
  expect(valueOf(m, "databot_uploaded_bytes_total", { backend: "scripted" })).toBe(Buffer.byteLength(SALES));
  const { reply, fileContents } = surface.replies[0]!;
  expect(reply.images).toHaveLength(1);
  expect(valueOf(m, "databot_posted_bytes_total", { platform: "cli", kind: "image" })).toBe(
    reply.images[0]!.data.length,
  );
  expect(valueOf(m, "databot_posted_bytes_total", { platform: "cli", kind: "file" })).toBe(
    Buffer.byteLength(Object.values(fileContents).join("")),
  );
  expect(valueOf(m, "databot_posted_bytes_total", { platform: "cli", kind: "text" })).toBe(
    Buffer.byteLength(reply.text),
  );
  expect(valueOf(m, "databot_replies_posted_total", { platform: "cli", kind: "answer" })).toBe(1);
  expect(valueOf(m, "databot_build_info", { node: process.versions.node })).toBe(1);
  expect(m.some((s) => s.name === "process_resident_memory_bytes")).toBe(true);

  // A follow-up in the same thread reuses its session: nothing more is billed.
  await sink.receive(userMessage(threadOf("q3"), "now only the East"));
  await surface.waitForReplies(2);
  await bot.waitForTurns(2);
  const after = await scrape(bot.url);
  expect(valueOf(after, "databot_turns_total", { platform: "cli", outcome: "done" })).toBe(2);
  expect(valueOf(after, "databot_code_interpreter_sessions_opened_total", { backend: "scripted" })).toBe(1);
});

test("while a run is under way the scrape shows it running and the thread's next question waiting in the inbox", async () => {
  const backend = new ScriptedBackend();
  backend.holdRuns();
  const { bot, surface, sink } = await databotWith(backend);
  await sink.receive(userMessage(threadOf("busy"), "first question"));
  await sink.receive(userMessage(threadOf("busy"), "second question"));
  await until(async () => backend.runs.length === 1, "the first run start");

  const busy = await scrape(bot.url);
  expect(valueOf(busy, "databot_turns_running")).toBe(1);
  expect(valueOf(busy, "databot_turn_slots")).toBe(8);
  expect(valueOf(busy, "databot_inbox_messages", { status: "processing" })).toBe(1);
  expect(valueOf(busy, "databot_inbox_messages", { status: "pending" })).toBe(1);

  backend.releaseRuns();
  await surface.waitForReplies(2);
  await bot.waitForTurns(2);
  const idle = await scrape(bot.url);
  expect(valueOf(idle, "databot_turns_running")).toBe(0);
  expect(valueOf(idle, "databot_inbox_messages", { status: "processing" })).toBe(0);
  expect(valueOf(idle, "databot_inbox_messages", { status: "pending" })).toBe(0);
});

test("a busy analysis service is counted by its error code, with the failed turn and the error reply", async () => {
  const backend = new ScriptedBackend();
  backend.faults.run = [new DatabotError(ErrorCode.BackendBusy, "The analysis service is busy.")];
  const { bot, surface, sink } = await databotWith(backend);
  await sink.receive(userMessage(threadOf("throttled"), "chart it"));
  await surface.waitForReplies(1);
  await bot.waitForTurns(1);

  const m = await scrape(bot.url);
  expect(valueOf(m, "databot_backend_errors_total", { method: "run", code: "backend_busy" })).toBe(1);
  expect(valueOf(m, "databot_turns_total", { platform: "cli", outcome: "failed" })).toBe(1);
  expect(valueOf(m, "databot_replies_posted_total", { platform: "cli", kind: "error" })).toBe(1);
});

test("a thread whose analysis session expired opens (and counts) a new session on its next question", async () => {
  const backend = new ScriptedBackend();
  const { bot, surface, sink } = await databotWith(backend);
  await sink.receive(userMessage(threadOf("expiring"), "first"));
  await surface.waitForReplies(1);
  await bot.waitForTurns(1);
  backend.forgetThread([...backend.threads.keys()][0]!);
  await sink.receive(userMessage(threadOf("expiring"), "second, an hour later"));
  await surface.waitForReplies(2);
  await bot.waitForTurns(2);

  const m = await scrape(bot.url);
  expect(valueOf(m, "databot_code_interpreter_sessions_opened_total", { backend: "scripted" })).toBe(2);
});

test("the local engine's warm sandboxes and open Python sessions are gauges", async () => {
  const { bot, surface, sink } = await databotWith("configured", { SANDBOX_POOL_SIZE: "1" });
  expect(bot.backend.name).toBe("local");
  await until(
    async () => valueOf(await scrape(bot.url), "databot_sandbox_pool_warm") === 1,
    "a warm sandbox in the pool",
  );
  const warm = await scrape(bot.url);
  expect(valueOf(warm, "databot_sandbox_pool_size")).toBe(1);
  expect(valueOf(warm, "databot_sandbox_sessions")).toBe(0);

  await sink.receive(
    userMessage(threadOf("local"), "bar chart of revenue by region", [csvAttachment("sales.csv", SALES)]),
  );
  await surface.waitForReplies(1);
  expect(surface.replies[0]!.reply.error).toBeUndefined();
  const m = await scrape(bot.url);
  expect(valueOf(m, "databot_sandbox_sessions")).toBe(1);
  expect(valueOf(m, "databot_code_interpreter_sessions_opened_total", { backend: "local" })).toBe(1);
});
