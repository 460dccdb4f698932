/**
 * The local backend behaves like Azure's Code Interpreter behind the same port: a thread keeps its history and
 * files across restarts, a Python session keeps variables between turns until it expires, and the turn after an
 * expiry is told the session restarted. A small scripted analyst stands in for the offline one or a model.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { loadConfig, type LocalEngineConfig } from "../src/config";
import { DatabotError, ErrorCode } from "../src/core/errors";
import { mimeTypeFor } from "../src/core/files/file-types";
import { silentLogger } from "../src/core/logger";
import type { AgentBackend, AgentProgress, RunObserver } from "../src/core/ports";
import { createLocalBackend } from "../src/adapters/agents/local-engine/local-backend";
import type {
  Analyst,
  AnalystInput,
  AnalystOutput,
  RanCell,
} from "../src/adapters/agents/local-engine/types";

const SALES = "region,sales\nWest,10\nEast,20\nWest,30\n";

/** Answers a few fixed questions by running cells, and remembers what it was given. */
class ScriptedAnalyst implements Analyst {
  readonly name = "scripted";
  readonly inputs: Omit<AnalystInput, "session" | "onProgress" | "signal">[] = [];

  async answer(input: AnalystInput): Promise<AnalystOutput> {
    const { session, onProgress, signal, ...seen } = input;
    this.inputs.push(seen);
    const cells: RanCell[] = [];
    const run = async (code: string) => {
      const result = await session.run(code, signal);
      cells.push({ code, result });
      return result;
    };
    switch (input.question) {
      case "total of sales": {
        const result = await run(
          "import pandas as pd\ndf = pd.read_csv('/mnt/data/sales.csv')\ntotal = int(df.sales.sum())\nprint(total)",
        );
        return { text: `Total sales: ${result.stdout.trim()}`, cells };
      }
      case "chart by region": {
        onProgress({ kind: "running_code", code: "# announced by the analyst" });
        await run(
          [
            "by_region = df.groupby('region').sales.sum().sort_values()",
            "by_region.plot.bar(title='Sales by region')",
            "by_region.to_csv('/mnt/data/by_region.csv')",
          ].join("\n"),
        );
        return { text: "Here it is: [by_region.csv](sandbox:/mnt/data/by_region.csv)", cells };
      }
      case "what was the total?": {
        const result = await run("print(total)");
        return {
          text: result.error ? `I lost it (${result.error.name}).` : `Still ${result.stdout.trim()}.`,
          cells,
        };
      }
      case "slow":
        await run("import time\ntime.sleep(60)");
        return { text: "done sleeping", cells };
      default:
        return { text: "I only know a few questions.", cells };
    }
  }
}

class RecordingObserver implements RunObserver {
  readonly runIds: string[] = [];
  readonly progress: AgentProgress[] = [];
  private waiters: [(p: AgentProgress) => boolean, () => void][] = [];

  async onRunStarted(runId: string): Promise<void> {
    this.runIds.push(runId);
  }

  onProgress(progress: AgentProgress): void {
    this.progress.push(progress);
    this.waiters = this.waiters.filter(([test, resolve]) => (test(progress) ? (resolve(), false) : true));
  }

  until(test: (p: AgentProgress) => boolean): Promise<void> {
    return new Promise((resolve) => this.waiters.push([test, resolve]));
  }
}

let dataDir: string;
const backends: AgentBackend[] = [];

function backendWith(analyst: Analyst, overrides: Partial<LocalEngineConfig> = {}): AgentBackend {
  const config: LocalEngineConfig = {
    ...loadConfig({}, "/tmp").local,
    poolSize: 1,
    cellTimeoutSeconds: 60,
    ...overrides,
  };
  const backend = createLocalBackend({ config, dataDir, logger: silentLogger, analyst });
  backends.push(backend);
  return backend;
}

async function ask(
  backend: AgentBackend,
  threadId: string,
  question: string,
  files: { name: string; body: string }[] = [],
) {
  const uploaded = [];
  for (const file of files) {
    uploaded.push(
      await backend.uploadFile({ name: file.name, mimeType: "text/csv", stream: Readable.from([file.body]) }),
    );
  }
  await backend.addMessage(threadId, { text: question, files: uploaded, authorName: "Ana" });
  const observer = new RecordingObserver();
  const output = await backend.run(threadId, observer);
  return { output, observer };
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "databot-local-backend-"));
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  await rm(dataDir, { recursive: true, force: true });
});

test("a thread keeps variables and files between turns, returns charts and files, and survives a restart", async () => {
  const analyst = new ScriptedAnalyst();
  const backend = backendWith(analyst);
  await backend.ready();
  const thread = await backend.ensureThread(undefined);

  const first = await ask(backend, thread.id, "total of sales", [{ name: "sales.csv", body: SALES }]);
  expect(first.output.text).toBe("Total sales: 60");
  expect(first.observer.runIds).toHaveLength(1);
  expect(first.observer.progress).toContainEqual({
    kind: "running_code",
    code: expect.stringContaining("read_csv"),
  });
  expect(first.output.code[0]).toMatchObject({ language: "python", output: "60" });
  expect(first.output.notices).toEqual([]);
  expect(analyst.inputs[0]).toMatchObject({ newFiles: ["sales.csv"], sessionRestarted: false, history: [] });

  const second = await ask(backend, thread.id, "chart by region");
  expect(second.output.text).toBe("Here it is: [by_region.csv](by_region.csv)");
  expect(second.output.images).toHaveLength(1);
  expect(second.output.images[0]!.data.subarray(1, 4).toString()).toBe("PNG");
  expect(second.output.images[0]!.alt).toBe("Chart: Sales by region");
  expect(second.output.images[0]!.name).toBe("sales-by-region.png");
  expect(second.output.files.map((f) => [f.name, f.mimeType])).toEqual([
    ["by_region.csv", mimeTypeFor("x.csv")],
  ]);
  expect(await text(await second.output.files[0]!.open())).toBe("region,sales\nEast,20\nWest,40\n");
  const announced = second.observer.progress.filter((p) => p.kind === "running_code");
  expect(announced).toHaveLength(2); // the analyst's own announcement, then the cell's code
  expect(analyst.inputs[1]).toMatchObject({
    newFiles: [],
    files: [{ name: "sales.csv", size: SALES.length }],
    history: [
      { role: "user", text: "Ana: total of sales" },
      { role: "assistant", text: "Total sales: 60" },
    ],
  });

  const third = await ask(backend, thread.id, "what was the total?");
  expect(third.output.text).toBe("Still 60.");

  // databot restarts: the thread is still there, the session is not, and the next turn is told once.
  await backend.close();
  const restartedAnalyst = new ScriptedAnalyst();
  const restarted = backendWith(restartedAnalyst);
  expect(await restarted.ensureThread(thread.id)).toEqual({
    id: thread.id,
    replacedExpired: true,
    filesRestored: true,
  });
  const fourth = await ask(restarted, thread.id, "what was the total?");
  expect(fourth.output.text).toBe("I lost it (NameError).");
  expect(fourth.output.sessionRestarted).toBeUndefined(); // ensureThread reported it already
  expect(restartedAnalyst.inputs[0]).toMatchObject({
    sessionRestarted: true,
    files: [{ name: "sales.csv" }],
  });
  const fifth = await ask(restarted, thread.id, "total of sales");
  expect(fifth.output.text).toBe("Total sales: 60"); // the thread's file was copied into the new session
  expect(fifth.output.sessionRestarted).toBeUndefined();
  expect(await restarted.ensureThread(thread.id)).toEqual({ id: thread.id });
});

test("a session idle past its limit ends, and the run that opens the next one says so", async () => {
  const analyst = new ScriptedAnalyst();
  const backend = backendWith(analyst, { sessionIdleMinutes: 0.01 });
  const thread = await backend.ensureThread(undefined);
  const first = await ask(backend, thread.id, "total of sales", [{ name: "sales.csv", body: SALES }]);
  expect(first.output.sessionRestarted).toBeUndefined();
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // well past the 0.6 s idle limit
  const next = await ask(backend, thread.id, "what was the total?");
  expect(next.output.text).toBe("I lost it (NameError).");
  expect(next.output.sessionRestarted).toEqual({ filesRestored: true });
  expect(analyst.inputs[1]!.sessionRestarted).toBe(true);
});

test("one run per thread: a second start reattaches, cancel stops the cell, and a lost run is run again", async () => {
  const analyst = new ScriptedAnalyst();
  const backend = backendWith(analyst);
  const thread = await backend.ensureThread(undefined);
  await backend.addMessage(thread.id, { text: "slow", files: [] });
  const a = new RecordingObserver();
  const b = new RecordingObserver();
  const started = a.until((p) => p.kind === "running_code");
  const first = backend.run(thread.id, a);
  const second = backend.run(thread.id, b);
  await started;
  expect(b.runIds).toEqual(a.runIds);
  await backend.cancelRun(thread.id, a.runIds[0]!);
  await expect(first).rejects.toMatchObject({ code: ErrorCode.RunCancelled });
  await expect(second).rejects.toBeInstanceOf(DatabotError);

  // A run databot lost in a crash (unknown here) answers the last question again, under the same id.
  await backend.addMessage(thread.id, { text: "anything else", files: [] });
  const resumed = await backend.resumeRun(
    thread.id,
    "local_run_00000000-0000-4000-8000-000000000000",
    new RecordingObserver(),
  );
  expect(resumed.text).toBe("I only know a few questions.");

  // The caller giving up stops its wait, not the run.
  await backend.addMessage(thread.id, {
    text: "total of sales",
    files: [
      {
        ...(await backend.uploadFile({
          name: "sales.csv",
          mimeType: "text/csv",
          stream: Readable.from([SALES]),
        })),
      },
    ],
  });
  const controller = new AbortController();
  const observer = new RecordingObserver();
  const waiting = backend.run(thread.id, observer, controller.signal);
  controller.abort();
  await expect(waiting).rejects.toMatchObject({ code: ErrorCode.Cancelled });
  const reattached = await backend.resumeRun(thread.id, observer.runIds[0]!, new RecordingObserver());
  expect(reattached.text).toBe("Total sales: 60");
});

test("a deleted or unknown thread is replaced by a new one", async () => {
  const backend = backendWith(new ScriptedAnalyst());
  const thread = await backend.ensureThread(undefined);
  await backend.deleteThread(thread.id);
  const replaced = await backend.ensureThread(thread.id);
  expect(replaced).toMatchObject({ replacedExpired: true });
  expect(replaced.id).not.toBe(thread.id);
  expect((await backend.ensureThread("../../etc")).id).toMatch(/^local_thread_/);
  await expect(
    backend.run("local_thread_00000000-0000-4000-8000-000000000000", new RecordingObserver()),
  ).rejects.toMatchObject({
    code: ErrorCode.RunExpired,
  });
});
