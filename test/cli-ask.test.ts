/**
 * `databot ask` on the command line: one question through the same core, answers on stdout, charts and files
 * written to disk, and an exit code a script can branch on.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { askCommand } from "../src/cli/ask";
import { loadConfig } from "../src/config";
import { DatabotError, ErrorCode } from "../src/core/errors";
import { silentLogger } from "../src/core/logger";
import { ScriptedBackend } from "./fakes/scripted-backend";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-cli-"));
  fs.writeFileSync(path.join(dir, "sales.csv"), "month,revenue\n2024-01,10\n2024-02,12\n");
  fs.writeFileSync(path.join(dir, "tool.exe"), "MZ");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function ask(backend: ScriptedBackend, ...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const config = loadConfig({ DATA_DIR: path.join(dir, "data") }, dir);
  const code = await askCommand(
    argv,
    config,
    silentLogger,
    { stdout, stderr },
    { backend: async () => backend },
  );
  return { code, out, err };
}

test("a question with a CSV prints the answer and writes the chart and the generated file", async () => {
  const backend = new ScriptedBackend();
  const out = path.join(dir, "out");
  const result = await ask(
    backend,
    "--file",
    path.join(dir, "sales.csv"),
    "--out",
    out,
    "chart revenue by month",
  );

  expect(result.code).toBe(0);
  expect(result.out).toContain('Here is the chart for "chart revenue by month" using sales.csv');
  expect(fs.readFileSync(path.join(out, "chart.png")).subarray(1, 4).toString()).toBe("PNG");
  expect(fs.readFileSync(path.join(out, "summary.csv"), "utf8")).toContain("region,revenue");
  expect(result.err).toContain("databot: reading files…");
});

test("the same --thread name continues the conversation on the same agent thread", async () => {
  const backend = new ScriptedBackend();
  const out = path.join(dir, "out");
  await ask(backend, "--thread", "q1", "--file", path.join(dir, "sales.csv"), "--out", out, "chart it");
  const second = await ask(backend, "--thread", "q1", "--out", out, "now by quarter");

  expect(second.code).toBe(0);
  expect(backend.threads.size).toBe(1);
  expect([...backend.threads.values()][0]!.messages.map((m) => m.text)).toEqual([
    "chart it",
    "now by quarter",
  ]);
  expect(fs.existsSync(path.join(out, "chart-2.png"))).toBe(true);
});

test("a refused file exits 2 and says why; a missing file too", async () => {
  const backend = new ScriptedBackend();
  const refused = await ask(backend, "--file", path.join(dir, "tool.exe"), "what is this?");
  expect(refused.code).toBe(2);
  expect(refused.err).toMatch(/"tool.exe": this file type is not supported/);

  const missing = await ask(backend, "--file", path.join(dir, "nope.csv"), "hi");
  expect(missing.code).toBe(2);
  expect(missing.err).toContain('"' + path.join(dir, "nope.csv") + '" is not a file');
});

test("a failed analysis exits 1 with the reason", async () => {
  const backend = new ScriptedBackend();
  backend.script = () => {
    throw new DatabotError(ErrorCode.RunFailed, "The analysis failed: timeout.");
  };
  const result = await ask(backend, "sum revenue");
  expect(result.code).toBe(1);
  expect(result.err).toContain("The analysis failed: timeout.");
});
