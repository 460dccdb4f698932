/**
 * Starts the whole databot server for a story: real config validation, the SQLite store in a temp dir, the HTTP
 * server on 127.0.0.1 with a free port, the surfaces the given environment configures, and (by default) the
 * instant scripted backend.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config";
import type { AgentBackend } from "../../src/core/ports";
import { silentLogger, type Logger } from "../../src/core/logger";
import { startDatabot, type DatabotParts, type RunningDatabot } from "../../src/app/app";
import { backendFor } from "../../src/app/backend-factory";
import type { SurfaceSpec } from "../../src/app/surfaces";
import type { TurnEvent } from "../../src/core/conversation/service";
import { ScriptedBackend } from "../fakes/scripted-backend";

export interface TestDatabot extends RunningDatabot {
  url: string;
  port: number;
  dataDir: string;
  /** Every turn that ended so far. */
  turns: TurnEvent[];
  /** Resolves once `count` turns have ended in total. */
  waitForTurns(count: number, timeoutMs?: number): Promise<void>;
}

export interface TestDatabotOptions {
  /** Environment variables on top of the test defaults (they select and configure surfaces). */
  env?: Record<string, string>;
  /** The backend to answer with; "configured" builds the one the environment selects (as `databot serve` does). */
  backend?: AgentBackend | "configured";
  /** The chat surfaces to run (default: every configured built-in one). */
  surfaces?: readonly SurfaceSpec[];
  logger?: Logger;
  /** Reuse a data dir (a restart); a fresh temp dir otherwise. */
  dataDir?: string;
  /** Trace turns into this span processor. */
  spanProcessor?: DatabotParts["spanProcessor"];
  /** False: this replica answers no turns (another one does). */
  worker?: boolean;
  /** Builds the store (default: SQLite in the data dir); a benchmark passes one that counts its SQL. */
  store?: DatabotParts["store"];
}

export async function startTestDatabot(options: TestDatabotOptions = {}): Promise<TestDatabot> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "databot-test-"));
  const config = loadConfig(
    {
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      WEB_CHAT: "false",
      TEAMS_ENABLED: "false",
      TURN_LEASE_SECONDS: "5",
      ...options.env,
    },
    process.cwd(),
  );
  const logger = options.logger ?? silentLogger;
  const given = options.backend;
  const running = await startDatabot(config, logger, {
    backend: given === "configured" ? backendFor(config) : async () => given ?? new ScriptedBackend(),
    surfaces: options.surfaces,
    spanProcessor: options.spanProcessor,
    worker: options.worker,
    store: options.store,
  });
  const turns: TurnEvent[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  running.service.onTurnEnd((event) => {
    turns.push(event);
    for (const waiter of [...waiters]) {
      if (turns.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  return {
    ...running,
    url: running.url!,
    port: running.port!,
    dataDir,
    turns,
    waitForTurns(count, timeoutMs = 20_000) {
      if (turns.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${count} turns, saw ${turns.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    async close(graceMs = 1000) {
      await running.close(graceMs);
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
