/**
 * Idle Python sessions hold memory, so only so many stay alive: a conversation that needs a session past the
 * cap ends the one used least recently. That conversation keeps its files, and its next turn gets a fresh
 * session with them and is told so, as after an idle expiry; the others keep their variables.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { loadConfig } from "../src/config";
import { silentLogger } from "../src/core/logger";
import type { AgentBackend, RunObserver } from "../src/core/ports";
import { createLocalBackend } from "../src/adapters/agents/local-engine/local-backend";
import { defaultMaxSessions } from "../src/adapters/agents/local-engine/session-manager";
import type { Analyst, AnalystInput, AnalystOutput } from "../src/adapters/agents/local-engine/types";

/** Remembers a total in the session, and says whether it still has it. */
const analyst: Analyst = {
  name: "remembering",
  async answer(input: AnalystInput): Promise<AnalystOutput> {
    const code =
      input.question === "remember the total"
        ? "import pandas as pd\ntotal = int(pd.read_csv('/mnt/data/sales.csv').sales.sum())\nprint(total)"
        : "print(total)";
    const result = await input.session.run(code, input.signal);
    return {
      text: result.error ? `lost (${result.error.name})` : `total ${result.stdout.trim()}`,
      cells: [{ code, result }],
    };
  },
};

const observer: RunObserver = { onRunStarted: async () => undefined, onProgress: () => undefined };
let dataDir: string;
let backend: AgentBackend;

/** A turn as the core runs it; `restarted` is what the core turns into the "session restarted" notice. */
async function ask(threadId: string, question: string, file?: string) {
  const ensured = await backend.ensureThread(threadId);
  const files = file
    ? [await backend.uploadFile({ name: "sales.csv", mimeType: "text/csv", stream: Readable.from([file]) })]
    : [];
  await backend.addMessage(threadId, { text: question, files });
  const output = await backend.run(threadId, observer);
  const restarted = ensured.replacedExpired === true || output.sessionRestarted !== undefined;
  return {
    ...output,
    restarted,
    filesRestored: ensured.filesRestored ?? output.sessionRestarted?.filesRestored,
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "databot-session-cap-"));
  const config = { ...loadConfig({}, "/tmp").local, poolSize: 1, maxSessions: 2 };
  backend = createLocalBackend({ config, dataDir, logger: silentLogger, analyst });
});

afterAll(async () => {
  await backend.close();
  await rm(dataDir, { recursive: true, force: true });
});

test("past the session cap the least recently used idle session ends; its conversation starts afresh with its files", async () => {
  const [a, b, c] = [
    await backend.ensureThread(undefined),
    await backend.ensureThread(undefined),
    await backend.ensureThread(undefined),
  ];
  const first = await ask(a.id, "remember the total", "region,sales\nWest,10\nEast,20\n");
  expect(first).toMatchObject({ text: "total 30", restarted: false });
  expect((await ask(b.id, "remember the total", "region,sales\nWest,1\nEast,2\n")).text).toBe("total 3");
  // A third conversation needs a session: the cap is 2, so the least recently used one (a's) ends.
  expect((await ask(c.id, "remember the total", "region,sales\nWest,100\n")).text).toBe("total 100");

  const afterEviction = await ask(a.id, "what was it?");
  expect(afterEviction.text).toBe("lost (NameError)");
  expect(afterEviction).toMatchObject({ restarted: true, filesRestored: true });
  // Its file came back with the new session.
  expect((await ask(a.id, "remember the total")).text).toBe("total 30");

  // a's new session made room by ending b's (now the least recent); c kept its variables.
  expect((await ask(c.id, "what was it?")).text).toBe("total 100");
  const b2 = await ask(b.id, "what was it?");
  expect(b2.text).toBe("lost (NameError)");
  expect(b2).toMatchObject({ restarted: true, filesRestored: true });
});

test("the default cap follows the memory available: 256 MB per idle session, between 2 and 64", () => {
  const gb = 1024 ** 3;
  expect(defaultMaxSessions(4 * gb, 16 * gb)).toBe(16);
  expect(defaultMaxSessions(30 * gb, 16 * gb)).toBe(32);
  expect(defaultMaxSessions(0.3 * gb, 1 * gb)).toBe(2);
  expect(defaultMaxSessions(200 * gb, 256 * gb)).toBe(64);
});
