import path from "node:path";
import { EnvReader, schemas } from "./env-reader";

export type Mode = "local" | "production";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Settings every part of databot shares. */
export interface CoreConfig {
  mode: Mode;
  /** The one HTTP port for every surface and the health checks. */
  port: number;
  /** The address the HTTP server binds. */
  host: string;
  /** Where the SQLite store, sessions and outputs live. */
  dataDir: string;
  /** Absent when LOG_LEVEL is unset: the server then logs at info, the CLI at warn. */
  logLevel?: LogLevel;
  /** Turns that may run at once across all threads. */
  maxConcurrentRuns: number;
  /** Largest attachment accepted, in bytes (Azure's own limit is 512 MB). */
  maxFileBytes: number;
  /** How long a delivered message id is remembered for dedupe. */
  dedupeTtlMs: number;
  /** A run taking longer is cancelled and the user told so. */
  runTimeoutMs: number;
  /** A claimed turn's lease; renewed while the turn runs, reclaimed by another worker if it lapses. */
  leaseMs: number;
  /** The public https address of this server, for links databot hands out (Teams file downloads). */
  publicBaseUrl?: string;
}

const MB = 1024 * 1024;

export function readCoreConfig(r: EnvReader, cwd: string): CoreConfig {
  const mode = r.read("DATABOT_MODE", schemas.oneOf(["local", "production"]), "local") ?? "local";
  return {
    mode,
    port: r.read("PORT", schemas.int(0, 65535), 3978) ?? 3978,
    host: r.read("HOST", schemas.text(), mode === "local" ? "127.0.0.1" : "0.0.0.0") ?? "127.0.0.1",
    dataDir: path.resolve(cwd, r.read("DATA_DIR", schemas.text(), "./data") ?? "./data"),
    logLevel: r.read(
      "LOG_LEVEL",
      schemas.oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
    ),
    maxConcurrentRuns: r.read("MAX_CONCURRENT_RUNS", schemas.int(1, 1000), 8) ?? 8,
    maxFileBytes: (r.read("MAX_FILE_MB", schemas.number(0.001, 512), 512) ?? 512) * MB,
    dedupeTtlMs: (r.read("DEDUPE_TTL_HOURS", schemas.number(24, 24 * 30), 48) ?? 48) * 3600_000,
    runTimeoutMs: (r.read("RUN_TIMEOUT_SECONDS", schemas.int(10, 24 * 3600), 900) ?? 900) * 1000,
    // Short, so another replica takes over a crashed one's turn within seconds (renewed every third of it).
    leaseMs: (r.read("TURN_LEASE_SECONDS", schemas.int(3, 3600), 10) ?? 10) * 1000,
    publicBaseUrl: r.read("PUBLIC_BASE_URL", schemas.url())?.replace(/\/+$/, ""),
  };
}
