/**
 * `databot run-python --file cell.py [--input data.csv ...] [--out dir]`: runs one cell in the same sandbox the
 * chat uses (a fresh session, the inputs copied into `/mnt/data`) and prints what it did as JSON, with the
 * charts and generated files written to a directory on the host. For debugging and audits.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import type { LocalEngineConfig } from "../config/local-engine";
import { DatabotError } from "../core/errors";
import { silentLogger, type Logger } from "../core/logger";
import { createSandboxEngine } from "../adapters/agents/local-engine/sandbox/engine";
import { splitRelativePath } from "../adapters/agents/local-engine/sandbox/safe-fs";

const RUN_PYTHON_USAGE = `Usage: databot run-python --file cell.py [--input data.csv ...] [--out dir]

Runs one Python cell in databot's sandbox (no network, /mnt/data holds the inputs) and prints JSON:
  {"stdout", "stderr", "error", "limit", "images": [paths], "files": [paths]}
Charts and files the cell wrote are saved under --out (default: a new directory in the system temp dir).
Exit status: 0 when the cell ran cleanly, 1 when it raised or hit a limit, 2 for a usage error, 3 when code
cannot be run safely on this machine.`;

export interface CommandIo {
  stdout: Writable;
  stderr: Writable;
  logger?: Logger;
}

/** What `run-python` prints. */
export interface RunPythonReport {
  stdout: string;
  stderr: string;
  error: { name: string; message: string; traceback: string } | null;
  limit: string | null;
  images: string[];
  files: string[];
}

/** Runs the command; resolves with the process exit status. */
export async function runPythonCommand(
  args: string[],
  config: LocalEngineConfig,
  io: CommandIo,
): Promise<number> {
  let parsed: { file?: string; input?: string[]; out?: string; help?: boolean };
  try {
    parsed = parseArgs({
      args,
      options: {
        file: { type: "string", short: "f" },
        input: { type: "string", short: "i", multiple: true },
        out: { type: "string", short: "o" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${RUN_PYTHON_USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${RUN_PYTHON_USAGE}\n`);
    return 0;
  }
  if (!parsed.file) {
    io.stderr.write(`--file is required.\n\n${RUN_PYTHON_USAGE}\n`);
    return 2;
  }
  let code: string;
  const inputs = parsed.input ?? [];
  try {
    code = await readFile(parsed.file, "utf8");
    for (const input of inputs) {
      if (!(await stat(input)).isFile()) throw new Error(`${input} is not a file`);
    }
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }

  // A fresh sandbox, no pool: one cell, then everything is removed.
  const engine = createSandboxEngine({
    config: { ...config, poolSize: 0 },
    logger: io.logger ?? silentLogger,
  });
  try {
    try {
      const mode = await engine.ready();
      if (mode === "unsandboxed") {
        io.stderr.write("WARNING: SANDBOX_ALLOW_UNSANDBOXED=true: this cell runs WITHOUT isolation.\n");
      }
    } catch (error) {
      io.stderr.write(`${error instanceof DatabotError ? error.userMessage : (error as Error).message}\n`);
      return 3;
    }
    const session = await engine.startSession();
    for (const input of inputs) await session.writeFile(path.basename(input), createReadStream(input));
    const result = await session.run(code);
    const outDir = parsed.out
      ? path.resolve(parsed.out)
      : await mkdtemp(path.join(os.tmpdir(), "databot-run-"));
    await mkdir(outDir, { recursive: true });
    const images: string[] = [];
    for (const image of result.images) {
      const target = path.join(outDir, image.name);
      await writeFile(target, image.data);
      images.push(target);
    }
    const files: string[] = [];
    for (const file of result.files) {
      const target = path.join(outDir, ...splitRelativePath(file.name));
      await mkdir(path.dirname(target), { recursive: true });
      await pipeline(await session.openFile(file.name), createWriteStream(target));
      files.push(target);
    }
    const report: RunPythonReport = {
      stdout: result.stdout,
      stderr: result.stderr,
      error: result.error ?? null,
      limit: result.limit ?? null,
      images,
      files,
    };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return result.error || result.limit ? 1 : 0;
  } finally {
    await engine.close();
  }
}
