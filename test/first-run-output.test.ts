/**
 * What a person sees at a terminal the first time: `databot ask` prints its answer formatted for the terminal
 * (aligned tables, bold instead of `**`) and plain Markdown when piped into another program; `databot serve`
 * writes readable log lines to a terminal and JSON lines to a log collector; and the unauthenticated local
 * Teams endpoint says why it is safe to try.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { askCommand } from "../src/cli/ask";
import { loadConfig } from "../src/config";
import { silentLogger } from "../src/core/logger";
import { emptyReply } from "../src/core/types";
import { ScriptedBackend } from "./fakes/scripted-backend";

const ANSWER = [
  "**West** sold the most.",
  "",
  "| region | revenue |",
  "| --- | --- |",
  "| West | 1,650 |",
  "| East | 800 |",
  "| North | 975 |",
  "",
  "Data said: \u001b]0;owned\u0007 done.",
].join("\n");

const root = path.resolve(__dirname, "..");
let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-first-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function ask(terminal: boolean): Promise<string> {
  const stdout = Object.assign(new PassThrough(), terminal ? { isTTY: true } : {});
  let out = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  const backend = new ScriptedBackend({ script: () => ({ ...emptyReply(), text: ANSWER }) });
  const config = loadConfig({ DATA_DIR: path.join(dir, "data") }, dir);
  const code = await askCommand(
    ["which region sold most?"],
    config,
    silentLogger,
    { stdout, stderr: new PassThrough() },
    { backend: async () => backend },
  );
  expect(code).toBe(0);
  return out;
}

/** What a terminal shows, styles taken away. */
const visible = (text: string) => text.replace(new RegExp(`${"\u001b"}\\[[0-9;]*m`, "g"), "");

test("at a terminal, `databot ask` shows the table as aligned columns and bold without asterisks", async () => {
  const out = await ask(true);
  expect(out).toContain("\u001b[1mWest\u001b[22m sold the most.");
  expect(out).not.toContain("**");
  expect(out).not.toContain("| ---");
  const lines = visible(out).split("\n");
  const header = lines.findIndex((l) => l.startsWith("region"));
  // Numbers right-aligned under their header, each row one line.
  expect(lines.slice(header, header + 5)).toEqual([
    "region  revenue",
    "──────  ───────",
    "West      1,650",
    "East        800",
    "North       975",
  ]);
  // Nothing in an answer can send the terminal an escape sequence.
  expect(out).not.toContain("\u001b]");
  expect(out).not.toContain("\u0007");
});

test("piped into another program, `databot ask` prints the Markdown as it is", async () => {
  const out = await ask(false);
  expect(out).toBe(`${ANSWER}\n`);
});

/** Starts `databot serve` from source with these settings; resolves with what it printed once it runs. */
async function serveOutput(env: Record<string, string>): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      path.join(root, "node_modules", "tsx", "dist", "cli.mjs"),
      path.join(root, "src", "cli", "main.ts"),
      "serve",
    ],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: "0",
        DATA_DIR: dir,
        SANDBOX_POOL_SIZE: "0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const check = setInterval(() => {
        if (output.includes("Press Ctrl+C to stop.")) {
          clearInterval(check);
          resolve();
        }
      }, 50);
      void exited.then(() => {
        clearInterval(check);
        reject(new Error(`serve exited early:\n${output}`));
      });
    });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  return output;
}

test("`databot serve` logs readable lines for a person and JSON lines for a log collector", async () => {
  const pretty = await serveOutput({ LOG_FORMAT: "pretty" });
  const prettyLines = pretty.split("\n").filter((l) => /\bINFO\b/.test(visible(l)));
  expect(prettyLines.length).toBeGreaterThan(0);
  expect(pretty).not.toMatch(/^\{"level"/m);

  // Not a terminal, so by default: JSON lines, one object each.
  const json = await serveOutput({});
  const logLines = json.split("\n").filter((l) => l.startsWith("{"));
  expect(logLines.length).toBeGreaterThan(0);
  for (const line of logLines) expect(JSON.parse(line)).toMatchObject({ service: "databot" });
});

test("the local Teams endpoint without an app id says it answers this machine only, and why that is fine", async () => {
  const output = await serveOutput({});
  expect(output).toContain(
    "no app id, so requests are not authenticated: it answers this machine only (loopback), which is fine for trying databot with the Agents Playground",
  );
});
