/**
 * `databot run-python` runs one cell in the sandbox for debugging or an audit and prints what it did as JSON,
 * with the chart and the generated file saved on the host.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { loadConfig } from "../src/config";
import { runPythonCommand, type RunPythonReport } from "../src/cli/run-python";

let dir: string;
const config = { ...loadConfig({}, "/tmp").local, cellTimeoutSeconds: 60 };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "databot-run-python-"));
  await writeFile(path.join(dir, "sales.csv"), "region,sales\nWest,10\nEast,20\nWest,30\n");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runCommand(args: string[]): Promise<{ status: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const status = await runPythonCommand(args, config, { stdout, stderr });
  return { status, out, err };
}

test("a cell with an input CSV prints JSON and leaves its chart and file in the output directory", async () => {
  const cell = path.join(dir, "cell.py");
  await writeFile(
    cell,
    [
      "import pandas as pd, matplotlib.pyplot as plt",
      "df = pd.read_csv('/mnt/data/sales.csv')",
      "by_region = df.groupby('region').sales.sum()",
      "print(by_region.to_dict())",
      "by_region.plot.bar(title='Sales by region')",
      "by_region.to_csv('/mnt/data/by_region.csv')",
    ].join("\n"),
  );
  const out = path.join(dir, "out");
  const { status, out: printed } = await runCommand([
    "--file",
    cell,
    "--input",
    path.join(dir, "sales.csv"),
    "--out",
    out,
  ]);
  const report = JSON.parse(printed) as RunPythonReport;
  expect(status).toBe(0);
  expect(report).toEqual({
    stdout: "{'East': 20, 'West': 40}\n",
    stderr: "",
    error: null,
    limit: null,
    images: [path.join(out, "cell1-figure1.png")],
    files: [path.join(out, "by_region.csv")],
  });
  expect((await readFile(report.images[0]!)).subarray(1, 4).toString()).toBe("PNG");
  expect(await readFile(report.files[0]!, "utf8")).toBe("region,sales\nEast,20\nWest,40\n");
});

test("a failing cell reports its traceback and exits 1; a missing --file is a usage error", async () => {
  const cell = path.join(dir, "broken.py");
  await writeFile(cell, "numbers = [1, 2]\nnumbers[5]\n");
  const { status, out } = await runCommand(["--file", cell]);
  const report = JSON.parse(out) as RunPythonReport;
  expect(status).toBe(1);
  expect(report.error).toMatchObject({ name: "IndexError", message: "list index out of range" });
  expect(report.error!.traceback).toContain("numbers[5]");

  const usage = await runCommand(["--input", "x.csv"]);
  expect(usage.status).toBe(2);
  expect(usage.err).toContain("--file is required");
});
