/** What the SQLite and PostgreSQL usage ledgers share: the grouping columns and how a totals row reads. */
import type { UsageGrouping, UsageTotals } from "../../core/ports";

/** The column each grouping of the report reads (fixed names: never built from input). */
export const GROUP_COLUMNS: Record<UsageGrouping, string> = {
  workspace: "workspace",
  channel: "channel",
  user: "user_id",
  platform: "platform",
  backend: "backend",
};

/** A totals row as either database returns it (PostgreSQL's sums arrive as strings). */
export interface TotalsRow {
  key: string;
  turns: number | string;
  sessions: number | string | null;
  input_tokens: number | string | null;
  output_tokens: number | string | null;
  files_in: number | string | null;
  bytes_in: number | string | null;
  files_out: number | string | null;
  bytes_out: number | string | null;
}

export function rowToTotals(row: TotalsRow): UsageTotals {
  const n = (value: number | string | null) => Number(value ?? 0);
  return {
    key: row.key,
    turns: n(row.turns),
    sessions: n(row.sessions),
    inputTokens: n(row.input_tokens),
    outputTokens: n(row.output_tokens),
    filesIn: n(row.files_in),
    bytesIn: n(row.bytes_in),
    filesOut: n(row.files_out),
    bytesOut: n(row.bytes_out),
  };
}
