/**
 * Replica processes for crash stories and the replica benchmark: each runs test/support/replica-process.ts on
 * a shared PostgreSQL database, and appends what it posts to one replies file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

export interface PostedLine {
  replica: string;
  threadId: string;
  messageId: string;
  text: string;
  error?: string;
}

export interface ReplicaProcess {
  id: string;
  child: ChildProcess;
  /** Kills the process at once, as a crashed pod or `kill -9` would; resolves once it is gone. */
  kill(): Promise<void>;
  /** Stops it gracefully. */
  stop(): Promise<void>;
  /** Everything it printed so far. */
  output(): string;
}

/** Starts a replica and resolves once it is claiming work. */
export async function startReplica(id: string, env: Record<string, string>): Promise<ReplicaProcess> {
  // tsx as a loader, not its CLI (which runs the script in a grandchild that a SIGKILL would leave running).
  const child = spawn(process.execPath, ["--import", "tsx", "test/support/replica-process.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      LOG_LEVEL: "silent",
      ...env,
      REPLICA_ID: id,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let out = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", () => {
      if (out.includes("ready\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`replica ${id} exited with ${code}: ${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    id,
    child,
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
    output: () => out,
  };
}

/** Every reply the replicas posted so far, in the order they were posted. */
export function postedLines(file: string): PostedLine[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as PostedLine);
}
