/**
 * One databot replica as its own process, for crash and takeover stories and the replica benchmark: the real
 * composition root on the configured store (DATABASE_URL) and backend, answering `cli` threads. Each posted
 * reply is appended to REPLICA_REPLIES_FILE as one JSON line, so the test sees what every replica posted even
 * after it was killed. It prints "ready" once it is claiming work.
 *
 *   tsx test/support/replica-process.ts   (configured by environment variables, as databot is)
 */
import fs from "node:fs";
import { startDatabot } from "../../src/app/app";
import { surfaceSpec } from "../../src/app/surfaces";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/app/logger";
import { silentLogger } from "../../src/core/logger";
import type { Store } from "../../src/core/ports";
import { storeFor } from "../../src/app/store-factory";
import { ScriptedBackend } from "../fakes/scripted-backend";
import { MemorySurface } from "./memory-surface";

/** Claim latencies and per-turn store time, printed as JSON on SIGTERM when REPLICA_STATS is set. */
const stats = { claims: [] as number[], turns: [] as number[] };

/** Times the store calls a turn makes: the claim, and the time from claim to finish. */
function timed(store: Store): Store {
  const claimedAt = new Map<number, number>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === "claimNext") {
        return async (...args: Parameters<Store["claimNext"]>) => {
          const started = performance.now();
          const item = await target.claimNext(...args);
          stats.claims.push(performance.now() - started);
          if (item) {
            claimedAt.set(item.seq, performance.now());
            if (item.message.text.includes("hold")) process.stdout.write(`claimed ${item.seq}\n`);
          }
          return item;
        };
      }
      if (prop === "finish") {
        return async (...args: Parameters<Store["finish"]>) => {
          const done = await target.finish(...args);
          const started = claimedAt.get(args[0].seq);
          if (started !== undefined) stats.turns.push(performance.now() - started);
          claimedAt.delete(args[0].seq);
          return done;
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** An agent that answers at once (a question with "hold" in it never ends: a run to crash in). */
function instantBackend(): ScriptedBackend {
  return new ScriptedBackend({
    script: async ({ messages, signal }) => {
      if (messages.at(-1)?.text.includes("hold"))
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      return { text: "Revenue grew 4% in March.", images: [], files: [], code: [], notices: [] };
    },
  });
}

async function main(): Promise<void> {
  const repliesFile = process.env.REPLICA_REPLIES_FILE;
  if (!repliesFile) throw new Error("REPLICA_REPLIES_FILE is required");
  const config = loadConfig(process.env, process.cwd());
  const surface = new MemorySurface("cli");
  const post = surface.postReply.bind(surface);
  surface.postReply = async (message, reply) => {
    await post(message, reply);
    const line = { replica: config.replica.replicaId, threadId: message.threadId, messageId: message.id };
    fs.appendFileSync(
      repliesFile,
      `${JSON.stringify({ ...line, text: reply.text, error: reply.error?.code })}\n`,
    );
  };
  const instant = process.env.REPLICA_BACKEND === "instant";
  // REPLICA_LOG_FILE: the replica's log lines, for a story that needs to see why a replica did what it did.
  const logFile = process.env.REPLICA_LOG_FILE;
  const logger = logFile
    ? createLogger("debug", fs.createWriteStream(logFile, { flags: "a" }))
    : silentLogger;
  const databot = await startDatabot(config, logger, {
    http: false,
    store: async () => timed(await storeFor(config.store)),
    ...(instant ? { backend: async () => instantBackend() } : {}),
    surfaces: [
      surfaceSpec(
        "cli",
        () => ({}),
        () => ({ surface, description: "replica test surface" }),
      ),
    ],
  });
  process.stdout.write("ready\n");
  const stop = () =>
    void databot.close(5000).then(() => {
      const line = process.env.REPLICA_STATS ? `stats ${JSON.stringify(stats)}\n` : "";
      process.stdout.write(line, () => process.exit(0));
    });
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
