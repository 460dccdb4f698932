/**
 * The local sandbox's speed: a warm chart cell (10k-row CSV, groupby, bar chart PNG) in a pooled session against
 * a cold /usr/bin/python3 doing the same in the same run, session start from the pool, pool refill time, and
 * the memory an idle pooled sandbox holds. Targets: warm p50 <= 150 ms and >= 4x faster than cold; session
 * start < 20 ms.
 *
 * Then whole offline-analyst turns at size (bench/analyst-turns.ts): a 10k-row chart answer in a new thread
 * (target p50 < 300 ms), a 1M-row file's groupby-and-chart turn (< 2 s), a 500 MB CSV aggregated within the
 * default sandbox memory, and idle sessions' memory bounded by the session cap.
 *
 *   npm run bench:sandbox   (SANDBOX_BENCH_RUNS=30 warm cells; SANDBOX_BENCH_BIG=0 skips the 500 MB file)
 */
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../src/config";
import { silentLogger } from "../src/core/logger";
import { createSandboxEngine } from "../src/adapters/agents/local-engine/sandbox";
import { analystTurns } from "./analyst-turns-report";
import { mb, ms, percentile, table } from "./stats";

const WARM_RUNS = Number(process.env.SANDBOX_BENCH_RUNS ?? 30);
const COLD_RUNS = Math.max(5, Math.round(WARM_RUNS / 3));
const START_SAMPLES = 8;
const ROWS = 10_000;

function chartCell(csv: string): string {
  return [
    "import pandas as pd",
    "import matplotlib.pyplot as plt",
    `df = pd.read_csv(${JSON.stringify(csv)})`,
    "by_region = df.groupby('region')['sales'].sum().sort_values()",
    "fig, ax = plt.subplots(figsize=(8, 5))",
    "by_region.plot.bar(ax=ax, title='Sales by region')",
    "ax.set_ylabel('sales')",
    "fig.tight_layout()",
  ].join("\n");
}

/** The same work for a cold interpreter, which must also render the PNG itself. */
function coldScript(csv: string): string {
  return [
    "import io, matplotlib",
    "matplotlib.use('Agg')",
    chartCell(csv),
    "buf = io.BytesIO()",
    "fig.savefig(buf, format='png')",
    "assert buf.getvalue()[:4] == b'\\x89PNG'",
  ].join("\n");
}

async function makeCsv(file: string): Promise<void> {
  const regions = ["North", "South", "East", "West", "Central", "Islands"];
  const lines = ["date,region,product,sales"];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < ROWS; i++) {
    const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(next() * 365) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    lines.push(
      `${day},${regions[Math.floor(next() * regions.length)]},P${Math.floor(next() * 40)},${(next() * 1000).toFixed(2)}`,
    );
  }
  await writeFile(file, `${lines.join("\n")}\n`);
}

function timeCold(python: string, script: string): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    execFile(python, ["-c", script], { env: { MPLBACKEND: "Agg", HOME: os.tmpdir() } }, (error) => {
      if (error) reject(error);
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

function since(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** RSS and PSS of each sandbox this process started (bubblewrap and everything under it). */
async function sandboxMemory(): Promise<{ rss: number; pss: number; processes: number }[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid) parents.set(Number(name), ppid);
  }
  const sandboxOf = (pid: number): number | undefined => {
    for (let p = pid, up = parents.get(pid); up !== undefined; p = up, up = parents.get(up)) {
      if (up === process.pid) return p; // the bubblewrap process this one descends from
    }
    return undefined;
  };
  const bySandbox = new Map<number, { rss: number; pss: number; processes: number }>();
  for (const pid of parents.keys()) {
    const root = sandboxOf(pid);
    if (root === undefined) continue;
    const comm = await readFile(`/proc/${root}/comm`, "utf8").catch(() => "");
    if (comm.trim() !== "bwrap") continue; // another helper of this process (e.g. the TypeScript loader)
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => undefined);
    if (rollup === undefined) continue; // it ended while we looked
    const bytes = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? 0) * 1024;
    const entry = bySandbox.get(root) ?? { rss: 0, pss: 0, processes: 0 };
    entry.rss += bytes("Rss");
    entry.pss += bytes("Pss");
    entry.processes += 1;
    bySandbox.set(root, entry);
  }
  return [...bySandbox.values()];
}

async function main(): Promise<void> {
  const base = loadConfig({}, process.cwd()).local;
  const config = { ...base, poolSize: 2, cellTimeoutSeconds: 120 };
  const dir = await mkdtemp(path.join(os.tmpdir(), "databot-bench-sandbox-"));
  const csv = path.join(dir, "sales.csv");
  await makeCsv(csv);
  const engine = createSandboxEngine({ config, logger: silentLogger });
  try {
    const mode = await engine.ready();
    console.log(`sandbox: ${mode}; pool of ${config.poolSize}; ${ROWS} rows; ${os.cpus().length} cores`);
    await engine.poolFull();

    // Memory of idle pooled sandboxes (bubblewrap + runner + warm interpreter each).
    const memory = await sandboxMemory();

    // Session start from a full pool, and how long the pool takes to refill.
    const starts: number[] = [];
    const refills: number[] = [];
    for (let i = 0; i < START_SAMPLES; i++) {
      await engine.poolFull();
      const t0 = process.hrtime.bigint();
      const session = await engine.startSession();
      starts.push(since(t0));
      await engine.poolFull();
      refills.push(since(t0));
      await session.close();
    }

    // Warm: a pooled session, the CSV copied in, the chart cell run again and again.
    await engine.poolFull();
    const firstStart = process.hrtime.bigint();
    const session = await engine.startSession();
    await session.writeFile("sales.csv", createReadStream(csv));
    const first = await session.run(chartCell("/mnt/data/sales.csv"));
    const firstCell = since(firstStart);
    if (first.error || first.images.length !== 1)
      throw new Error(`the chart cell failed: ${first.error?.traceback}`);
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      const t0 = process.hrtime.bigint();
      const result = await session.run(chartCell("/mnt/data/sales.csv"));
      warm.push(since(t0));
      if (result.images.length !== 1) throw new Error("a warm cell returned no chart");
    }
    await session.close();

    // Cold: a new /usr/bin/python3 per cell, importing pandas and matplotlib each time.
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) cold.push(await timeCold(config.python, coldScript(csv)));

    const warmP50 = percentile(warm, 50);
    const coldP50 = percentile(cold, 50);
    const startP50 = percentile(starts, 50);
    console.log("");
    table(
      ["measure", "p50", "p99", "runs", "target"],
      [
        ["warm chart cell (pooled session)", ms(warmP50), ms(percentile(warm, 99)), warm.length, "<= 150 ms"],
        ["cold python3, same work", ms(coldP50), ms(percentile(cold, 99)), cold.length, ""],
        ["cold / warm (p50)", `${(coldP50 / warmP50).toFixed(1)}x`, "", "", ">= 4x"],
        ["session start from the pool", ms(startP50), ms(percentile(starts, 99)), starts.length, "< 20 ms"],
        ["first cell: start + upload + chart", ms(firstCell), "", 1, ""],
        [
          "pool refill after a take",
          ms(percentile(refills, 50)),
          ms(percentile(refills, 99)),
          refills.length,
          "",
        ],
      ],
    );
    if (memory.length > 0) {
      console.log("");
      table(
        ["idle pooled sandbox", "RSS", "PSS", "processes"],
        memory.map((m, i) => [`#${i + 1}`, mb(m.rss), mb(m.pss), m.processes]),
      );
    }
    const met = warmP50 <= 150 && coldP50 / warmP50 >= 4 && startP50 < 20;
    console.log(`\ntargets ${met ? "met" : "NOT met"}`);
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
  if (process.env.SANDBOX_BENCH_TURNS !== "0") await analystTurns(base);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
