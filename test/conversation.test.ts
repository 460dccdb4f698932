/**
 * Stories about the conversation core: what a team sees when they share files and ask questions in threads,
 * independent of the chat platform and of the agent backend.
 */
import { DatabotError, ErrorCode } from "../src/core/errors";
import { createCoreWorld, type CoreWorld } from "./support/core-harness";
import { csvAttachment, threadOf, userMessage } from "./support/messages";
import { pngSize } from "./support/png";

const SALES = "month,region,revenue\n2024-01,East,120\n2024-01,West,95\n2024-02,East,130\n";

let world: CoreWorld;
afterEach(async () => world.close());

test("a CSV shared in a thread gets a reply with text, a chart PNG and a generated file", async () => {
  world = createCoreWorld();
  world.service.start();
  const thread = threadOf("sales-team");

  await world.service.receive(
    userMessage(thread, "chart revenue by region", [csvAttachment("sales.csv", SALES)]),
  );
  await world.surface.waitForReplies(1);

  const [posted] = world.surface.replies;
  expect(posted!.threadId).toBe(thread);
  expect(posted!.reply.text).toContain("chart revenue by region");
  expect(posted!.reply.images).toHaveLength(1);
  expect(pngSize(posted!.reply.images[0]!.data)).toEqual({ width: 64, height: 48 });
  expect(posted!.fileContents["summary.csv"]).toContain("region,revenue");
  expect(posted!.reply.code[0]!.code).toContain("read_csv");
  // The file reached the backend whole, as a stream.
  const [uploaded] = [...world.backend.files.values()];
  expect(uploaded).toMatchObject({ name: "sales.csv", bytes: Buffer.byteLength(SALES) });
  expect(world.backend.threads.size).toBe(1);
  expect((await world.store.getThread(thread))?.agentThreadId).toBe([...world.backend.threads.keys()][0]);
});

test("a follow-up reuses the thread's agent thread; another thread gets its own and never sees thread A's file", async () => {
  world = createCoreWorld();
  world.service.start();
  const a = threadOf("A");
  const b = threadOf("B");

  await world.service.receive(userMessage(a, "chart it", [csvAttachment("a-only.csv", SALES)]));
  await world.surface.waitForReplies(1);
  await world.service.receive(userMessage(a, "now as a pie chart"));
  await world.surface.waitForReplies(2);
  await world.service.receive(userMessage(b, "what files do you have?"));
  await world.surface.waitForReplies(3);

  const agentA = (await world.store.getThread(a))!.agentThreadId;
  const agentB = (await world.store.getThread(b))!.agentThreadId;
  expect(agentA).not.toBe(agentB);
  expect(world.backend.threads.get(agentA)!.messages.map((m) => m.text)).toEqual([
    "chart it",
    "now as a pie chart",
  ]);
  const filesInB = world.backend.threads.get(agentB)!.messages.flatMap((m) => m.files.map((f) => f.name));
  expect(filesInB).toEqual([]);
  expect(world.surface.repliesIn(a)).toHaveLength(2);
  expect(world.surface.repliesIn(b)).toHaveLength(1);
});

test("the same message delivered three times (even at once) gets one run and one reply", async () => {
  world = createCoreWorld();
  world.service.start();
  const message = userMessage(threadOf("retries"), "sum revenue");

  const results = await Promise.all([
    world.service.receive(message),
    world.service.receive({ ...message }),
    world.service.receive({ ...message }),
  ]);
  await world.surface.waitForReplies(1);
  await new Promise((resolve) => setTimeout(resolve, 200)); // give a wrongly accepted duplicate time to show up

  expect(results.map((r) => r.status).sort()).toEqual(["accepted", "duplicate", "duplicate"]);
  expect(world.backend.runs).toHaveLength(1);
  expect(world.surface.replies).toHaveLength(1);
});

test("a twin delivery under another id (an alternate id of the first) is answered once", async () => {
  world = createCoreWorld();
  world.service.start();
  const thread = threadOf("twins");
  const first = userMessage(thread, "count rows", [], { id: "evt-1", alternateIds: ["msg-1"] });
  const twin = userMessage(thread, "count rows", [], { id: "msg-1", alternateIds: ["evt-2"] });

  expect((await world.service.receive(first)).status).toBe("accepted");
  expect((await world.service.receive(twin)).status).toBe("duplicate");
  await world.surface.waitForReplies(1);
  expect(world.backend.runs).toHaveLength(1);
});

test("two messages 50 ms apart in one thread are both answered, in order, never with two active runs", async () => {
  world = createCoreWorld();
  world.backend.holdRuns();
  world.service.start();
  const thread = threadOf("busy");

  await world.service.receive(userMessage(thread, "first question"));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await world.service.receive(userMessage(thread, "second question"));
  await new Promise((resolve) => setTimeout(resolve, 100));
  // The second waits for the first: only one run exists while the first is held.
  expect(world.backend.runs).toHaveLength(1);
  expect(world.surface.progress.some((p) => p.progress.stage === "queued")).toBe(true);
  world.backend.releaseRuns();
  await world.surface.waitForReplies(2);

  expect(world.surface.replies.map((r) => r.reply.text)).toEqual([
    expect.stringContaining("first question"),
    expect.stringContaining("second question"),
  ]);
  expect(world.backend.runs.every((r) => r.status === "completed")).toBe(true);
});

test("different threads are answered concurrently, up to the global limit", async () => {
  world = createCoreWorld({ settings: { maxConcurrentRuns: 2 } });
  world.backend.holdRuns();
  world.service.start();

  for (const name of ["t1", "t2", "t3"])
    await world.service.receive(userMessage(threadOf(name), `q ${name}`));
  await waitUntil(() => world.backend.runs.length === 2);
  // Another arrival wakes the workers again: the pool is full, so neither waiting thread starts.
  await world.service.receive(userMessage(threadOf("t4"), "q t4"));
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(world.backend.runs).toHaveLength(2);
  expect(world.service.activeTurns).toBe(2);
  world.backend.releaseRuns();
  await world.surface.waitForReplies(4);
  expect(world.backend.runs).toHaveLength(4);
});

test("throttling that outlasts the retries gets a clear reply, and saying retry answers the question", async () => {
  world = createCoreWorld();
  world.backend.faults.run = [
    new DatabotError(ErrorCode.BackendBusy, "The analysis service is busy right now.", { retryable: true }),
  ];
  world.service.start();
  const thread = threadOf("throttled");

  await world.service.receive(userMessage(thread, "chart revenue", [csvAttachment("sales.csv", SALES)]));
  await world.surface.waitForReplies(1);
  const failure = world.surface.replies[0]!.reply;
  expect(failure.error).toMatchObject({ code: "backend_busy", retryable: true });
  expect(failure.error!.message).toMatch(/busy.*retry/s);

  await world.service.receive(userMessage(thread, "retry"));
  await world.surface.waitForReplies(2);
  const answer = world.surface.replies[1]!.reply;
  expect(answer.error).toBeUndefined();
  expect(answer.text).toContain("chart revenue");
  expect(answer.images).toHaveLength(1);
  // The file was uploaded once and the question added once; only the run was repeated.
  expect(world.backend.files.size).toBe(1);
  expect(world.backend.threads.get(world.backend.runs[0]!.threadId)!.messages).toHaveLength(1);
});

test("after the agent thread was lost, saying retry asks the question again on a new one, with its file", async () => {
  world = createCoreWorld();
  world.service.start();
  const thread = threadOf("lost");
  await world.service.receive(userMessage(thread, "hello"));
  await world.surface.waitForReplies(1);
  const first = (await world.store.getThread(thread))!.agentThreadId;
  // The service loses the thread between the message and its run (a deletion, an expiry).
  world.backend.faults.run = [
    new DatabotError(ErrorCode.RunExpired, "This conversation's history is gone; please ask again."),
  ];
  await world.service.receive(userMessage(thread, "chart revenue", [csvAttachment("sales.csv", SALES)]));
  await world.surface.waitForReplies(2);
  expect(world.surface.replies[1]!.reply.error).toMatchObject({ code: "run_expired" });
  await world.backend.deleteThread(first);

  await world.service.receive(userMessage(thread, "retry"));
  await world.surface.waitForReplies(3);
  const answer = world.surface.replies[2]!.reply;
  expect(answer.error).toBeUndefined();
  expect(answer.text).toContain("chart revenue");
  const replacement = (await world.store.getThread(thread))!.agentThreadId;
  expect(replacement).not.toBe(first);
  expect(world.backend.threads.get(replacement)!.messages.map((m) => m.text)).toEqual(["chart revenue"]);
  expect([...world.backend.files.values()].filter((f) => f.name === "sales.csv")).toHaveLength(2);
});

test("a failed run tells the user why and the next question in the thread still works", async () => {
  world = createCoreWorld();
  world.backend.faults.run = [
    new DatabotError(ErrorCode.RunFailed, "The analysis failed: the model's quota is exhausted."),
  ];
  world.service.start();
  const thread = threadOf("failing");

  await world.service.receive(userMessage(thread, "first"));
  await world.surface.waitForReplies(1);
  await world.service.receive(userMessage(thread, "second"));
  await world.surface.waitForReplies(2);

  expect(world.surface.replies[0]!.reply.error).toMatchObject({ code: "run_failed", retryable: false });
  expect(world.surface.replies[0]!.reply.error!.message).toContain("quota");
  expect(world.surface.replies[1]!.reply.text).toContain("second");
});

test("bad files are refused by name with the reason, and the good file in the same message still goes through", async () => {
  world = createCoreWorld({ settings: { maxFileBytes: 64 * 1024 } });
  world.service.start();
  const thread = threadOf("bad-files");
  const binary = Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00, 0x10]).toString("base64");

  await world.service.receive(
    userMessage(thread, "chart revenue", [
      { name: "empty.csv", size: 0, ref: { text: "" } },
      { name: "photo.csv", ref: { base64: binary } },
      { name: "setup.exe", size: 10, ref: { text: "MZ" } },
      { name: "huge.csv", size: 10 * 1024 * 1024, ref: { bytes: 10 * 1024 * 1024 } },
      { name: "liar.csv", ref: { bytes: 200 * 1024 } },
      { name: "../../etc/passwd.csv", ref: { text: "a,b\n" } },
      { name: "report.xlsx", ref: { text: "this is not a zip" } },
      csvAttachment("sales.csv", SALES),
    ]),
  );
  await world.surface.waitForReplies(1);

  const reply = world.surface.replies[0]!.reply;
  const refusals = Object.fromEntries(reply.notices.map((n) => [n.file, n.message]));
  expect(refusals["empty.csv"]).toMatch(/"empty.csv".*empty/);
  expect(refusals["photo.csv"]).toMatch(/"photo.csv".*binary/);
  expect(refusals["setup.exe"]).toMatch(/"setup.exe".*not supported/);
  expect(refusals["huge.csv"]).toMatch(/"huge.csv".*10 MB.*64 KB limit/);
  expect(refusals["liar.csv"]).toMatch(/"liar.csv".*over the 64 KB limit/);
  expect(refusals["../../etc/passwd.csv"]).toMatch(/path/);
  expect(refusals["report.xlsx"]).toMatch(/not a zip container/);
  expect([...world.backend.files.values()].map((f) => f.name)).toEqual(["sales.csv"]);
  expect(reply.images).toHaveLength(1);
  expect(reply.text).toContain("sales.csv");
});

test("a message with only refused files gets the refusals and no run", async () => {
  world = createCoreWorld();
  world.service.start();
  await world.service.receive(
    userMessage(threadOf("only-bad"), "", [{ name: "virus.exe", ref: { text: "MZ" } }]),
  );
  await world.surface.waitForReplies(1);
  expect(world.surface.replies[0]!.reply.notices[0]!.message).toContain("virus.exe");
  expect(world.backend.runs).toHaveLength(0);
});

test("an attachment whose link expired is named in the reply and the question is still answered", async () => {
  world = createCoreWorld();
  world.service.start();
  await world.service.receive(
    userMessage(threadOf("expired"), "chart", [
      { name: "old.csv", ref: { gone: true } },
      csvAttachment("new.csv", SALES),
    ]),
  );
  await world.surface.waitForReplies(1);
  const reply = world.surface.replies[0]!.reply;
  expect(reply.notices[0]!.message).toMatch(/old.csv.*expired/);
  expect(reply.images).toHaveLength(1);
});

test("reset starts a new agent thread for the next question; help explains the commands", async () => {
  world = createCoreWorld();
  world.service.start();
  const thread = threadOf("reset");
  await world.service.receive(userMessage(thread, "first"));
  await world.surface.waitForReplies(1);
  const before = (await world.store.getThread(thread))!.agentThreadId;

  await world.service.receive(userMessage(thread, "Reset"));
  await world.service.receive(userMessage(thread, "after reset"));
  await world.service.receive(userMessage(thread, "help"));
  await world.surface.waitForReplies(4);

  const after = (await world.store.getThread(thread))!.agentThreadId;
  expect(after).not.toBe(before);
  expect(world.backend.threads.get(before)!.deleted).toBe(true);
  expect(world.surface.replies[1]!.reply.text).toMatch(/Started over/);
  expect(world.surface.replies[3]!.reply.text).toMatch(/`reset`/);
});

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
