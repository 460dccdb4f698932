import { EnvReader, schemas } from "./env-reader";

/** Prices for the cost estimate of `databot usage` and the usage metrics (in whatever currency you bill in). */
export interface PriceConfig {
  perSession: number;
  per1kInputTokens: number;
  per1kOutputTokens: number;
}

/** What each turn used, what it may use, and how long databot keeps conversations. */
export interface UsageConfig {
  prices: PriceConfig;
  /** Threads per Slack workspace or Teams tenant with a live code-interpreter session at once. */
  maxActiveSessions?: number;
  /** New code-interpreter sessions per workspace or tenant per UTC day. */
  dailySessionBudget?: number;
  /** Conversations idle this long are deleted, on the backend and locally. */
  retentionDays: number;
}

export function readUsageConfig(r: EnvReader): UsageConfig {
  const price = (name: string, fallback: number) =>
    r.read(name, schemas.number(0, 1_000_000), fallback) ?? fallback;
  return {
    // Code Interpreter's list price per session, and no token price until one is set.
    prices: {
      perSession: price("PRICE_PER_SESSION", 0.03),
      per1kInputTokens: price("PRICE_PER_1K_INPUT_TOKENS", 0),
      per1kOutputTokens: price("PRICE_PER_1K_OUTPUT_TOKENS", 0),
    },
    maxActiveSessions: r.read("MAX_ACTIVE_SESSIONS", schemas.int(1, 100_000)),
    dailySessionBudget: r.read("DAILY_SESSION_BUDGET", schemas.int(1, 10_000_000)),
    retentionDays: r.read("RETENTION_DAYS", schemas.int(1, 3650), 30) ?? 30,
  };
}
