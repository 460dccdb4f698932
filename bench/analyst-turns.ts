/**
 * Whole turns of the offline analyst through the local backend and the real sandbox, at size: a 10k-row file
 * shared in a new thread and asked for a chart, a follow-up, a 1M-row file, a 500 MB file (generated here into
 * a temp dir), and the memory idle sessions hold with and without the session cap.
 */
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { LocalEngineConfig } from "../src/config";
import { silentLogger } from "../src/core/logger";
import type { AgentBackend, AgentOutput, RunObserver } from "../src/core/ports";
import { createOfflineAnalyst } from "../src/adapters/agents/local-engine/analyst";
import { createLocalBackend } from "../src/adapters/agents/local-engine/local-backend";
import { createSandboxEngine, type SandboxEngine } from "../src/adapters/agents/local-engine/sandbox";

const run = promisify(execFile);

/** Writes a sales table of `rows` rows (or of about `megabytes` MB) with /usr/bin/python3, seeded. */
export async function makeSalesCsv(
  python: string,
  file: string,
  size: { rows?: number; megabytes?: number },
): Promise<void> {
  const script = String.raw`
import sys
import numpy as np
import pandas as pd
path, rows, megabytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(42)
regions = np.array(["North", "South", "East", "West", "Central", "Islands"])
days = pd.date_range("2023-01-01", periods=730).strftime("%Y-%m-%d").to_numpy()
written, start, first = 0, 0, True
with open(path, "w") as f:
    while (rows and start < rows) or (megabytes and written < megabytes * 1024 * 1024):
        n = min(500_000, rows - start) if rows else 500_000
        chunk = pd.DataFrame({
            "order_id": np.char.add("ORD-", np.arange(start, start + n).astype(str)),
            "date": days[rng.integers(0, len(days), n)],
            "region": regions[rng.integers(0, len(regions), n)],
            "product": np.char.add("P", rng.integers(0, 40, n).astype(str)),
            "units": rng.integers(1, 20, n),
            "sales": np.round(rng.random(n) * 1000, 2),
        })
        text = chunk.to_csv(index=False, header=first)
        f.write(text)
        written, start, first = written + len(text), start + n, False
`;
  await run(python, ["-c", script, file, String(size.rows ?? 0), String(size.megabytes ?? 0)], {
    maxBuffer: 1 << 20,
  });
}

/** The sum of sales per region, computed apart from databot (chunked, so it fits anywhere). */
export async function independentTotals(python: string, file: string): Promise<Record<string, number>> {
  const script = String.raw`
import json, sys
import pandas as pd
totals = None
for chunk in pd.read_csv(sys.argv[1], usecols=["region", "sales"], chunksize=1_000_000):
    part = chunk.groupby("region")["sales"].sum()
    totals = part if totals is None else totals.add(part, fill_value=0)
print(json.dumps(totals.to_dict()))
`;
  const { stdout } = await run(python, ["-c", script, file], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Record<string, number>;
}

export interface TurnTiming {
  ms: number;
  /** The first cell (the load) from its start to the start of the next one. */
  loadMs: number;
  output: AgentOutput;
}

export class TurnRunner {
  readonly engine: SandboxEngine;
  readonly backend: AgentBackend;

  private constructor(config: LocalEngineConfig, dataDir: string) {
    this.engine = createSandboxEngine({ config, logger: silentLogger });
    this.backend = createLocalBackend({
      config,
      dataDir,
      logger: silentLogger,
      analyst: createOfflineAnalyst(),
      engine: this.engine,
    });
  }

  static async start(config: LocalEngineConfig, dataDir: string): Promise<TurnRunner> {
    const runner = new TurnRunner(config, dataDir);
    await runner.backend.ready();
    await runner.engine.poolFull();
    return runner;
  }

  /** Shares `file` (when given) with a question in a thread (a new one without `threadId`). */
  async turn(question: string, file?: string, threadId?: string): Promise<TurnTiming & { threadId: string }> {
    const started = performance.now();
    const thread = threadId ?? (await this.backend.ensureThread(undefined)).id;
    const files = file
      ? [
          await this.backend.uploadFile({
            name: path.basename(file),
            mimeType: "text/csv",
            stream: createReadStream(file),
          }),
        ]
      : [];
    await this.backend.addMessage(thread, { text: question, files });
    const cellStarts: number[] = [];
    const observer: RunObserver = {
      onRunStarted: async () => undefined,
      onProgress: (p) => {
        if (p.kind === "running_code") cellStarts.push(performance.now());
      },
    };
    const output = await this.backend.run(thread, observer);
    const ms = performance.now() - started;
    const loadMs = cellStarts.length >= 2 ? (cellStarts[1] as number) - (cellStarts[0] as number) : NaN;
    return { ms, loadMs, output, threadId: thread };
  }

  close(): Promise<void> {
    return this.backend.close().then(() => this.engine.close());
  }
}

/** Resident and proportional memory of each sandbox this process started, and the largest address space used. */
export async function sandboxMemory(): Promise<{ rss: number; pss: number; peakVm: number }[]> {
  const parents = new Map<number, number>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const ppid = Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid) parents.set(Number(name), ppid);
  }
  const sandboxOf = (pid: number): number | undefined => {
    for (let p = pid, up = parents.get(pid); up !== undefined; p = up, up = parents.get(up)) {
      if (up === process.pid) return p;
    }
    return undefined;
  };
  const bySandbox = new Map<number, { rss: number; pss: number; peakVm: number }>();
  for (const pid of parents.keys()) {
    const root = sandboxOf(pid);
    if (root === undefined) continue;
    const comm = await readFile(`/proc/${root}/comm`, "utf8").catch(() => "");
    if (comm.trim() !== "bwrap") continue;
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => undefined);
    const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
    if (rollup === undefined) continue;
    const kb = (text: string, field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
    const entry = bySandbox.get(root) ?? { rss: 0, pss: 0, peakVm: 0 };
    entry.rss += kb(rollup, "Rss");
    entry.pss += kb(rollup, "Pss");
    entry.peakVm = Math.max(entry.peakVm, kb(status, "VmPeak"));
    bySandbox.set(root, entry);
  }
  return [...bySandbox.values()];
}

/** A temp dir for generated files, removed by `done`. */
export async function scratch(): Promise<{ dir: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "databot-bench-analyst-"));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

export async function fileMb(file: string): Promise<number> {
  return (await stat(file)).size / 1024 / 1024;
}
