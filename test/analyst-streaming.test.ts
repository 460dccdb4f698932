/**
 * Large tables, read the way they are: one too big to hold is read again chunk by chunk for every question,
 * keeping per group only sums, counts, minima and maxima; in a large one, texts that differ on most rows (ids)
 * are read only when a question uses them. Here a small table is read those ways, and every answer must equal
 * the one computed on the whole table in memory, and pandas' own.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReadStream } from "node:fs";
import { parseProfile, type DataSchema } from "../src/adapters/agents/local-engine/analyst/data-schema";
import { parseCellOutput } from "../src/adapters/agents/local-engine/analyst/format/cell-output";
import { parseRequest } from "../src/adapters/agents/local-engine/analyst/parse/parse-request";
import type { AnalysisPlan } from "../src/adapters/agents/local-engine/analyst/plan";
import { analysisCell, loadCell } from "../src/adapters/agents/local-engine/analyst/python";
import { streamable } from "../src/adapters/agents/local-engine/analyst/python/stream-code";
import { pandas } from "./support/analyst-conversation";
import { PlainPythonSession } from "./support/plain-python-session";

let scratch: string;
let session: PlainPythonSession;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "databot-streaming-"));
  pandas(`
import numpy as np
rng = np.random.default_rng(7)
n = 30_000
df = pd.DataFrame({
    "date": pd.date_range("2023-01-01", periods=730).strftime("%Y-%m-%d").to_numpy()[rng.integers(0, 730, n)],
    "region": np.array(["North", "South", "East", "West"])[rng.integers(0, 4, n)],
    "product": np.char.add("P", rng.integers(0, 40, n).astype(str)),
    "order_id": np.char.add("ORD-", np.arange(n).astype(str)),
    "units": rng.integers(1, 20, n),
    "sales": np.round(rng.random(n) * 1000, 2),
})
df.loc[rng.choice(n, 300, replace=False), "sales"] = np.nan
df.to_csv(${JSON.stringify(join(scratch, "sales.csv"))}, index=False)
print("{}")
`);
  session = await PlainPythonSession.start();
  await session.writeFile("sales.csv", createReadStream(join(scratch, "sales.csv")));
});

afterAll(async () => {
  await session?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function load(streamChunkRows?: number, deferVaried = false): Promise<DataSchema> {
  const result = await session.run(
    loadCell("sales.csv", { ...(streamChunkRows ? { streamChunkRows } : {}), deferVaried }),
  );
  if (result.error) throw new Error(result.error.traceback);
  return parseProfile(parseCellOutput(result.stdout).json);
}

async function answer(plan: AnalysisPlan, schema: DataSchema): Promise<unknown> {
  const result = await session.run(analysisCell(plan, schema));
  if (result.error) throw new Error(`${result.error.traceback}\n${analysisCell(plan, schema)}`);
  return parseCellOutput(result.stdout).json;
}

/** Numbers equal to 9 significant digits, everything else equal. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number")
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return (
      same(keys, Object.keys(b)) &&
      keys.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

const QUESTIONS = [
  "total sales by region",
  "average sales by month",
  "number of rows by product",
  "top 5 product by total sales",
  "which region has the highest average units",
  "max sales by region where units > 10",
  "total sales",
  "average sales in 2024",
  "top 3 rows by sales",
  "total sales by month for each region",
  "histogram of sales",
];

test("every question that adds up gets the same answer chunk by chunk as in memory", async () => {
  const memory = await load();
  expect(memory.reading.streamed).toBeUndefined();
  const inMemory = new Map<string, unknown>();
  for (const question of QUESTIONS) {
    const plan = parseRequest(question, memory) as AnalysisPlan;
    expect([question, streamable(plan)]).toEqual([question, true]);
    inMemory.set(question, await answer(plan, memory));
  }
  const streamed = await load(4000);
  expect(streamed.reading.streamed).toBe(true);
  expect(streamed.rows).toBe(30_000);
  for (const question of QUESTIONS) {
    const plan = parseRequest(question, streamed) as AnalysisPlan;
    const result = await answer(plan, streamed);
    if (question === "histogram of sales") {
      // Chunk by chunk, the statistics that add up: count, mean, standard deviation, minimum and maximum.
      const whole = inMemory.get(question) as Record<string, number>;
      const parts = result as Record<string, number>;
      for (const k of ["count", "mean", "std", "min", "max"])
        expect([k, same(parts[k], whole[k])]).toEqual([k, true]);
      continue;
    }
    expect([question, same(result, inMemory.get(question))]).toEqual([question, true]);
  }
  const totals = pandas<Record<string, number>>(
    `df = pd.read_csv(${JSON.stringify(join(scratch, "sales.csv"))})\nprint(df.groupby("region")["sales"].sum().to_json())`,
  );
  const byRegion = (await answer(
    parseRequest("total sales by region", streamed) as AnalysisPlan,
    streamed,
  )) as {
    index: string[];
    data: number[];
  };
  byRegion.index.forEach((region, i) => expect(byRegion.data[i]).toBeCloseTo(totals[region] as number, 6));
});

test("what does not add up chunk by chunk is declined before any code runs", async () => {
  const streamed = await load(4000);
  for (const question of [
    "median sales by region",
    "scatter of units vs sales",
    "number of distinct product by region",
  ]) {
    const plan = parseRequest(question, streamed) as AnalysisPlan;
    expect([question, streamable(plan)]).toEqual([question, false]);
  }
});

test("ids left out of the first read are read when a question uses them, in the same row order", async () => {
  const schema = await load(undefined, true);
  expect(schema.reading.deferred).toEqual(["order_id"]);
  expect(schema.columns.find((c) => c.name === "order_id")).toMatchObject({ deferred: true, kind: "text" });
  const untouched = analysisCell(parseRequest("total sales by region", schema) as AnalysisPlan, schema);
  expect(untouched).not.toContain("ensure_columns");
  const top = parseRequest("top 3 rows by sales", schema) as AnalysisPlan;
  expect(analysisCell(top, schema)).toMatch(/^ensure_columns\(\["order_id"\]\)/);
  const shown = (await answer(top, schema)) as { index: string[]; data: number[] };
  const expected = pandas<{ index: string[]; data: number[] }>(
    `df = pd.read_csv(${JSON.stringify(join(scratch, "sales.csv"))})\n` +
      `t = df.nlargest(3, "sales", keep="all")\nprint(pd.Series(t["sales"].to_numpy(), index=t["order_id"]).to_json(orient="split"))`,
  );
  expect(shown.index).toEqual(expected.index);
  expect(shown.data).toEqual(expected.data);
});
