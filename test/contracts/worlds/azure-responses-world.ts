/**
 * The new-agents backend (Responses API) as a contract subject: the real `openai` and `@azure/ai-projects`
 * clients against the fake Foundry, with the thread states in a SQLite store. A restart is a new backend instance
 * on the same fake service and store.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAzureResponsesBackend } from "../../../src/adapters/agents/azure-responses";
import {
  THREAD_STATE_NAMESPACE,
  type ThreadState,
} from "../../../src/adapters/agents/azure-responses/thread-state";
import { SqliteStore } from "../../../src/adapters/stores/sqlite/sqlite-store";
import { silentLogger } from "../../../src/core/logger";
import type { AgentBackend } from "../../../src/core/ports";
import { startFakeFoundry } from "../../fakes/foundry";
import { AnswerBook } from "../answer-book";
import type { BackendSubject, ContractWorld, ServiceRun } from "../contract-world";
import { foundryTurns } from "./foundry-turns";

const STATUS: Record<string, ServiceRun["status"]> = {
  queued: "active",
  in_progress: "active",
  completed: "completed",
  cancelled: "cancelled",
  failed: "failed",
  incomplete: "failed",
};

export const azureResponsesSubject: BackendSubject = {
  name: "the new-agents Azure backend (Responses API)",
  expiry: { kind: "new-session", means: "the thread's code-interpreter container expires" },
  async start(): Promise<ContractWorld> {
    const fake = await startFakeFoundry();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-contract-responses-"));
    const store = new SqliteStore({ file: path.join(dir, "databot.sqlite") });
    const book = new AnswerBook();
    fake.setScript(foundryTurns(book));
    const make = () =>
      createAzureResponsesBackend(fake.azureConfig(), store.space(THREAD_STATE_NAMESPACE), silentLogger, {
        pollIntervalMs: 10,
        outputDir: path.join(dir, "outputs"),
        retry: { baseDelayMs: 1, maxDelayMs: 10 },
      });
    let backend: AgentBackend = make();
    await backend.ready();
    const state = async (conversationId: string) => {
      const value = await store.space(THREAD_STATE_NAMESPACE).get<never>(conversationId);
      if (!value) throw new Error(`no thread state for ${conversationId}`);
      return value as ThreadState;
    };
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
      release() {
        book.release();
        for (const response of fake.responses()) {
          if (STATUS[response.body.status] === "active") fake.release(response.body.id);
        }
      },
      analyses: (key) => book.playCount(key),
      filesSeen: (key) => book.filesSeen(key),
      uploadBytesReceived: async () => fake.state.uploadBytesReceived,
      runs: async (conversationId) =>
        fake.responses(conversationId).map((r) => ({ id: r.body.id, status: STATUS[r.body.status]! })),
      loseThread: async (conversationId) => void fake.responsesState.conversations.delete(conversationId),
      expire: async (conversationId) => fake.expireContainer((await state(conversationId)).containerId),
      async close() {
        await backend.close();
        await fake.close();
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
