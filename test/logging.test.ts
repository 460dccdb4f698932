/**
 * What reaches the logs: structured lines per turn, never a file's contents or a secret, and message text only
 * at debug level.
 */
import { Writable } from "node:stream";
import { ConversationService } from "../src/core/conversation/service";
import { SqliteStore } from "../src/adapters/stores/sqlite/sqlite-store";
import { createLogger } from "../src/app/logger";
import { ScriptedBackend } from "./fakes/scripted-backend";
import { TEST_SETTINGS } from "./support/core-harness";
import { MemorySurface } from "./support/memory-surface";
import { csvAttachment, threadOf, userMessage } from "./support/messages";

function captureLogs(level: "info" | "debug") {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

async function answerOnce(level: "info" | "debug") {
  const { logger, lines } = captureLogs(level);
  const store = new SqliteStore({ file: ":memory:" });
  const surface = new MemorySurface("cli");
  const service = new ConversationService({
    store,
    backend: new ScriptedBackend(),
    surfaces: [surface],
    logger,
    settings: TEST_SETTINGS,
  });
  service.start();
  await service.receive(
    userMessage(threadOf("logs"), "what is the salary of Jane Doe?", [
      csvAttachment("payroll.csv", "name,salary\nJane Doe,SECRET-SALARY-98765\n"),
    ]),
  );
  await surface.waitForReplies(1);
  await service.stop(100);
  await store.close();
  return lines;
}

test("info logs follow the turn by thread and message id without the question or the file's contents", async () => {
  const lines = await answerOnce("info");
  const all = lines.join("\n");
  expect(all).not.toContain("SECRET-SALARY-98765");
  expect(all).not.toContain("salary of Jane Doe");
  const answered = lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.msg === "turn answered");
  expect(answered).toMatchObject({ threadId: threadOf("logs"), seq: 1, service: "databot" });
  expect(answered!.messageId).toEqual(expect.any(String));
});

test("debug logs add the message text but still never the file's contents", async () => {
  const all = (await answerOnce("debug")).join("\n");
  expect(all).toContain("salary of Jane Doe");
  expect(all).not.toContain("SECRET-SALARY-98765");
});

test("secret-bearing fields are redacted wherever they are logged", () => {
  const { logger, lines } = captureLogs("info");
  logger.info(
    {
      botToken: "xoxb-123-secret",
      request: { headers: { authorization: "Bearer abc" } },
      clientSecret: "s3cr3t",
    },
    "configured",
  );
  const line = lines.join("\n");
  expect(line).not.toMatch(/xoxb-123-secret|Bearer abc|s3cr3t/);
  expect(line).toContain("[redacted]");
});
