/**
 * `databot usage` and `databot forget`: what the people who run databot ask of it from a shell — what was used
 * and what it costs, and deleting one conversation's data everywhere.
 */
import { parseArgs } from "node:util";
import type { Config } from "../config";
import type { Logger } from "../core/logger";
import type { UsageGrouping } from "../core/ports";
import { decodeThreadId, encodeThreadId } from "../core/thread-id";
import { startDatabot, type DatabotParts } from "../app/app";
import { estimateCost } from "../app/usage/cost";
import { ledgerFor, type Ledger } from "../app/usage/ledger";
import type { CliIo } from "./ask";

export const USAGE_USAGE = `Usage: databot usage [--since 7d] [--by workspace|channel|user|platform|backend]

  --since <n><h|d|w>  how far back (default 7d)
  --by <group>        one line per workspace (default), channel, user, platform or backend

Usage: databot forget --thread <id>

  --thread <id>       a thread id as the logs show it (slack:T…:C…:…, teams:…, web:…), or the name given to
                      databot ask --thread; deletes its data on the backend and here
`;

const GROUPS: readonly UsageGrouping[] = ["workspace", "channel", "user", "platform", "backend"];
const UNIT_MS: Record<string, number> = { h: 3600_000, d: 86_400_000, w: 7 * 86_400_000 };

export async function usageCommand(
  argv: string[],
  config: Config,
  io: CliIo,
  parts: { usage?: () => Promise<Ledger>; now?: () => number } = {},
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { since: { type: "string", default: "7d" }, by: { type: "string", default: "workspace" } },
  });
  const since = /^(\d+)([hdw])$/.exec(values.since);
  const by = values.by as UsageGrouping;
  if (!since || !GROUPS.includes(by)) {
    io.stderr.write(
      `databot usage: --since takes a number and h, d or w (7d); --by one of ${GROUPS.join(", ")}.\n`,
    );
    return 2;
  }
  const now = (parts.now ?? Date.now)();
  const from = now - Number(since[1]) * UNIT_MS[since[2]!]!;
  const ledger = await (parts.usage ?? (() => ledgerFor(config.store)))();
  try {
    const rows = await ledger.totals(from, by);
    io.stdout.write(
      `Usage since ${new Date(from).toISOString().slice(0, 16).replace("T", " ")} UTC, by ${by}\n\n`,
    );
    io.stdout.write(usageTable(rows, by, config.usage.prices));
    return 0;
  } finally {
    await ledger.close();
  }
}

function usageTable(
  rows: Awaited<ReturnType<Ledger["totals"]>>,
  by: string,
  prices: Config["usage"]["prices"],
): string {
  const header = [by, "turns", "sessions", "input tokens", "output tokens", "est. cost"];
  const total = { turns: 0, sessions: 0, inputTokens: 0, outputTokens: 0, cost: 0 };
  const lines = rows.map((row) => {
    const cost = estimateCost(prices, row);
    total.turns += row.turns;
    total.sessions += row.sessions;
    total.inputTokens += row.inputTokens;
    total.outputTokens += row.outputTokens;
    total.cost += cost;
    return [
      row.key || "(none)",
      row.turns,
      row.sessions,
      row.inputTokens,
      row.outputTokens,
      cost.toFixed(2),
    ].map(String);
  });
  lines.push(
    ["total", total.turns, total.sessions, total.inputTokens, total.outputTokens, total.cost.toFixed(2)].map(
      String,
    ),
  );
  const table = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
  return (
    table
      .map((line) =>
        line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
      )
      .join("\n") + "\n"
  );
}

export async function forgetCommand(
  argv: string[],
  config: Config,
  logger: Logger,
  io: CliIo,
  parts: Pick<DatabotParts, "backend" | "store" | "usage"> = {},
): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { thread: { type: "string" } } });
  if (!values.thread) {
    io.stderr.write(USAGE_USAGE);
    return 2;
  }
  const threadId = asThreadId(values.thread);
  // The same wiring as the server, serving and answering nothing: its backend, store and ledger do the
  // deleting, and what the surfaces keep (the web chat's transcripts and uploads) is built without them.
  const running = await startDatabot(config, logger, {
    ...parts,
    surfaceDataOnly: true,
    http: false,
    worker: false,
  });
  try {
    if (!(await running.retention.forget(threadId, "forget"))) {
      io.stderr.write(
        `databot forget: the backend could not delete the analysis of ${threadId}; try again.\n`,
      );
      return 1;
    }
    io.stdout.write(`Deleted the data of ${threadId}.\n`);
    return 0;
  } finally {
    await running.close(0);
  }
}

/** A thread id as given, or the conversation name of `databot ask --thread`. */
function asThreadId(value: string): string {
  try {
    decodeThreadId(value);
    return value;
  } catch {
    return encodeThreadId("cli", [value]);
  }
}
