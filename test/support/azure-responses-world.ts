/**
 * The whole core on Azure AI Foundry's new agents, for stories: the fake Foundry project, the SQLite store in a
 * temp dir, the Responses backend driving the real `openai` and `@azure/ai-projects` clients, and conversation
 * services with an in-memory surface. Backoff waits are recorded instead of slept, so stories are quick and can
 * say which delays databot chose.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AzureConfig } from "../../src/config/azure";
import {
  type AzureResponsesBackend,
  createAzureResponsesBackend,
} from "../../src/adapters/agents/azure-responses";
import {
  THREAD_STATE_NAMESPACE,
  type ThreadState,
} from "../../src/adapters/agents/azure-responses/thread-state";
import { SqliteStore } from "../../src/adapters/stores/sqlite/sqlite-store";
import { ConversationService } from "../../src/core/conversation/service";
import { silentLogger } from "../../src/core/logger";
import type { AgentBackend, ChatSurface, Store } from "../../src/core/ports";
import { type FakeFoundry, startFakeFoundry } from "../fakes/foundry";
import { TEST_SETTINGS } from "./core-harness";
import { MemorySurface } from "./memory-surface";

export interface BackendOptions {
  store?: Store;
  config?: Partial<AzureConfig>;
  runTimeoutMs?: number;
}

export interface ResponsesWorld {
  fake: FakeFoundry;
  dir: string;
  store: SqliteStore;
  surface: MemorySurface;
  /** Backoff delays databot asked for, in order. */
  waits: number[];
  backend(options?: BackendOptions): AzureResponsesBackend;
  startService(
    options?: BackendOptions & { surface?: ChatSurface; wrap?: (backend: AgentBackend) => AgentBackend },
  ): ConversationService;
  /** The backend's state for a chat thread (its conversation, container and files). */
  threadState(chatThreadId: string): Promise<ThreadState>;
  close(): Promise<void>;
}

export async function createResponsesWorld(): Promise<ResponsesWorld> {
  const fake = await startFakeFoundry();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-responses-"));
  const store = new SqliteStore({ file: path.join(dir, "databot.sqlite") });
  const surface = new MemorySurface("cli");
  const waits: number[] = [];
  const backends: AzureResponsesBackend[] = [];
  const services: ConversationService[] = [];
  const backend = (options: BackendOptions = {}) => {
    const made = createAzureResponsesBackend(
      fake.azureConfig(options.config),
      (options.store ?? store).space(THREAD_STATE_NAMESPACE),
      silentLogger,
      {
        pollIntervalMs: 10,
        runTimeoutMs: options.runTimeoutMs,
        outputDir: path.join(dir, "outputs"),
        retry: { baseDelayMs: 5, maxDelayMs: 20, sleep: async (ms) => void waits.push(ms) },
      },
    );
    backends.push(made);
    return made;
  };
  return {
    fake,
    dir,
    store,
    surface,
    waits,
    backend,
    startService(options = {}) {
      const service = new ConversationService({
        store: options.store ?? store,
        backend: options.wrap ? options.wrap(backend(options)) : backend(options),
        surfaces: [options.surface ?? surface],
        logger: silentLogger,
        settings: TEST_SETTINGS,
      });
      services.push(service);
      service.start();
      return service;
    },
    async threadState(chatThreadId) {
      const mapped = await store.getThread(chatThreadId);
      if (!mapped) throw new Error(`no agent thread for ${chatThreadId}`);
      const state = await store.space(THREAD_STATE_NAMESPACE).get<never>(mapped.agentThreadId);
      if (!state) throw new Error(`no state for ${mapped.agentThreadId}`);
      return state as ThreadState;
    },
    async close() {
      fake.release();
      await Promise.all(services.splice(0).map((s) => s.stop(200)));
      await Promise.all(backends.splice(0).map((b) => b.close()));
      await fake.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `condition` holds (checked every 20 ms), failing after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
