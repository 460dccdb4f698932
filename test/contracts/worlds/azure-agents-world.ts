/**
 * The classic Azure backend as a contract subject: the real `@azure/ai-agents` SDK against the fake Foundry,
 * whose "model" plays the contract's answers. A restart is a new backend instance on the same fake service.
 */
import { createAzureBackend } from "../../../src/adapters/agents/azure-classic";
import { silentLogger } from "../../../src/core/logger";
import type { AgentBackend } from "../../../src/core/ports";
import { startFakeFoundry } from "../../fakes/foundry";
import { AnswerBook } from "../answer-book";
import type { BackendSubject, ContractWorld, ServiceRun } from "../contract-world";
import { foundryTurns } from "./foundry-turns";

const STATUS: Record<string, ServiceRun["status"]> = {
  queued: "active",
  in_progress: "active",
  requires_action: "active",
  cancelling: "active",
  completed: "completed",
  cancelled: "cancelled",
  failed: "failed",
  expired: "failed",
  incomplete: "failed",
};

export const azureAgentsSubject: BackendSubject = {
  name: "the classic Azure backend (threads and runs)",
  expiry: { kind: "new-thread", means: "the service drops the agent thread" },
  async start(): Promise<ContractWorld> {
    const fake = await startFakeFoundry();
    const book = new AnswerBook();
    fake.setScript(foundryTurns(book));
    const make = () =>
      createAzureBackend(fake.azureConfig({ agentApi: "classic" }), silentLogger, {
        pollIntervalMs: 10,
        retry: { baseDelayMs: 1, maxDelayMs: 10 },
      });
    let backend: AgentBackend = make();
    await backend.ready();
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
        for (const run of fake.runs())
          if (STATUS[run.status as string] === "active") fake.release(run.id as string);
      },
      analyses: (key) => book.playCount(key),
      filesSeen: (key) => book.filesSeen(key),
      uploadBytesReceived: async () => fake.state.uploadBytesReceived,
      runs: async (threadId) =>
        fake.runs(threadId).map((run) => ({ id: run.id as string, status: STATUS[run.status as string]! })),
      loseThread: async (threadId) => fake.state.deleteThread(threadId),
      expire: async (threadId) => fake.state.deleteThread(threadId),
      async close() {
        await backend.close();
        await fake.close();
      },
    };
  },
};
