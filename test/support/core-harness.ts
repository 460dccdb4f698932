/**
 * Builds a conversation service on a real SQLite store in a temp dir, with a scripted backend and an in-memory
 * surface, for stories about the core itself.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteStore } from "../../src/adapters/stores/sqlite/sqlite-store";
import { ConversationService, type ConversationSettings } from "../../src/core/conversation/service";
import type { AgentBackend, ChatSurface, Store } from "../../src/core/ports";
import { silentLogger } from "../../src/core/logger";
import { ScriptedBackend } from "../fakes/scripted-backend";
import { MemorySurface } from "./memory-surface";

export const TEST_SETTINGS: ConversationSettings = {
  maxConcurrentRuns: 4,
  maxFileBytes: 1024 * 1024,
  dedupeTtlMs: 24 * 3600_000,
  // Short, so crash stories take over quickly; long enough that a loaded machine does not lose a live lease.
  leaseMs: 1500,
  pollIntervalMs: 50,
};

export interface CoreWorld {
  dir: string;
  store: SqliteStore;
  backend: ScriptedBackend;
  surface: MemorySurface;
  service: ConversationService;
  /** Another service instance on the same store and backend, as after a restart. */
  restart(options?: { surface?: ChatSurface; store?: Store; workerId?: string }): ConversationService;
  close(): Promise<void>;
}

export function createCoreWorld(
  options: { settings?: Partial<ConversationSettings>; backend?: ScriptedBackend } = {},
): CoreWorld {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-core-"));
  const store = new SqliteStore({ file: path.join(dir, "databot.sqlite") });
  const backend = options.backend ?? new ScriptedBackend();
  const surface = new MemorySurface("cli");
  const settings = { ...TEST_SETTINGS, ...options.settings };
  const services: ConversationService[] = [];
  const make = (s: ChatSurface, st: Store, b: AgentBackend, workerId?: string) => {
    const service = new ConversationService({
      store: st,
      backend: b,
      surfaces: [s],
      logger: silentLogger,
      settings,
      workerId,
    });
    services.push(service);
    return service;
  };
  const service = make(surface, store, backend);
  return {
    dir,
    store,
    backend,
    surface,
    service,
    restart: (o = {}) => make(o.surface ?? surface, o.store ?? store, backend, o.workerId),
    async close() {
      backend.releaseRuns();
      await Promise.all(services.map((s) => s.stop(100)));
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Wraps an object so that after `freeze()` every method call hangs forever, like a process that died. */
export function freezable<T extends object>(target: T): { proxy: T; freeze(): void } {
  let frozen = false;
  const proxy = new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        frozen ? new Promise(() => undefined) : (value as (...a: unknown[]) => unknown).apply(obj, args);
    },
  });
  return { proxy, freeze: () => (frozen = true) };
}
