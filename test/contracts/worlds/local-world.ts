/**
 * The local engine as a contract subject: threads on disk in a temp dir, the real sandbox, and an analyst that
 * plays the contract's answers by running their code in the thread's Python session. A restart is a new backend
 * on the same data dir; the warm sandbox pool is kept across it only to keep the suite quick.
 */
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { loadConfig } from "../../../src/config";
import { silentLogger } from "../../../src/core/logger";
import type { AgentBackend } from "../../../src/core/ports";
import { createLocalBackend } from "../../../src/adapters/agents/local-engine/local-backend";
import { LocalThreadStore } from "../../../src/adapters/agents/local-engine/local-threads";
import { FileLocalThreadRecords } from "../../../src/adapters/agents/local-engine/thread-records";
import { FsBlobStore } from "../../../src/adapters/stores/files/fs-blobs";
import {
  createSandboxEngine,
  type SandboxEngine,
} from "../../../src/adapters/agents/local-engine/sandbox/engine";
import type { LocalSandboxSession } from "../../../src/adapters/agents/local-engine/sandbox/sandbox-session";
import type { Analyst, AnalystInput, AnalystOutput } from "../../../src/adapters/agents/local-engine/types";
import { AnswerBook } from "../answer-book";
import type { BackendSubject, ContractWorld, ServiceRun } from "../contract-world";

const STATUS: Record<string, ServiceRun["status"]> = {
  in_progress: "active",
  completed: "completed",
  cancelled: "cancelled",
  failed: "failed",
};

/** Plays the contract's answers: reads what the session holds, runs the answer's cell, holds or fails on cue. */
class ContractAnalyst implements Analyst {
  readonly name = "contract";

  constructor(private readonly book: AnswerBook) {}

  async answer(input: AnalystInput): Promise<AnalystOutput> {
    const { key, answer, hold } = this.book.play(input.question);
    const seen = [];
    for (const file of input.files) {
      seen.push({ name: file.name, content: await text(await input.session.openFile(file.name)) });
    }
    this.book.recordFiles(key, seen);
    const result = await input.session.run(answer.code, input.signal);
    if (hold) await this.book.waitForRelease(key, input.signal);
    if (answer.fail) throw new Error(answer.fail);
    return { text: answer.text, cells: [{ code: answer.code, result }] };
  }
}

/** The real engine, minus `close` (the world closes it once), remembering the sessions it opened. */
function sharedEngine(engine: SandboxEngine, opened: LocalSandboxSession[]): SandboxEngine {
  return {
    ready: () => engine.ready(),
    poolFull: () => engine.poolFull(),
    poolStats: () => engine.poolStats(),
    async startSession() {
      const session = await engine.startSession();
      opened.push(session);
      return session;
    },
    close: async () => undefined,
  };
}

export const localSubject: BackendSubject = {
  name: "the local engine",
  expiry: { kind: "new-session", means: "the thread's Python session ends" },
  lacks: {
    "resume-after-restart":
      "the analysis runs in databot's own process and ends with it, so after a restart the run's question is " +
      "answered again, under the same run id",
    "resume-ended":
      "finished outputs are not kept (charts and files live in the session), so resuming a run that ended " +
      "answers its question again, under the same run id",
  },
  async start(): Promise<ContractWorld> {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "databot-contract-local-"));
    const root = path.join(dataDir, "local-engine");
    const config = { ...loadConfig({}, "/tmp").local, poolSize: 4, cellTimeoutSeconds: 60 };
    const engine = createSandboxEngine({ config, logger: silentLogger });
    const opened: LocalSandboxSession[] = [];
    const book = new AnswerBook();
    const threads = new LocalThreadStore(new FileLocalThreadRecords(dataDir), new FsBlobStore(dataDir));
    const make = () =>
      createLocalBackend({
        config,
        dataDir,
        logger: silentLogger,
        analyst: new ContractAnalyst(book),
        engine: sharedEngine(engine, opened),
      });
    let backend: AgentBackend = make();
    await backend.ready();
    await engine.poolFull();
    return {
      get backend() {
        return backend;
      },
      async restart() {
        await backend.close();
        backend = make();
        return backend;
      },
      answer: (key, answer) => book.set(key, answer),
      release: () => book.release(),
      analyses: (key) => book.playCount(key),
      filesSeen: (key) => book.filesSeen(key),
      async uploadBytesReceived() {
        const uploads = path.join(root, "uploads");
        let bytes = 0;
        for (const name of await readdir(uploads).catch(() => [])) {
          // The content, or the part of it written so far (`content.~part-…` until it is complete).
          for (const file of await readdir(path.join(uploads, name)).catch(() => [])) {
            if (!file.startsWith("content") || file.endsWith(".~meta")) continue;
            bytes += await stat(path.join(uploads, name, file)).then(
              (s) => s.size,
              () => 0,
            );
          }
        }
        return bytes;
      },
      async runs(threadId) {
        if (!(await threads.exists(threadId))) return [];
        const { runs } = await threads.load(threadId);
        return Object.entries(runs).map(([id, run]) => ({ id, status: STATUS[run.status]! }));
      },
      loseThread: (threadId) => threads.delete(threadId),
      // Ends every open session: as their idle time running out would (the contract's threads are independent).
      async expire() {
        await Promise.all(opened.splice(0).map((session) => session.close()));
      },
      async close() {
        await backend.close();
        await engine.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};
