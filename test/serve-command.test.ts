/**
 * `databot serve` as a process, the way `npm start` and the container run it: with no configuration it prints
 * the browser chat's address, answers health checks, and stops cleanly on SIGTERM.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** `databot serve` as a child process on a fresh data directory and a free port. */
function serve(env: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "databot-serve-"));
  dataDirs.push(dataDir);
  return spawn(
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
        DATA_DIR: dataDir,
        SANDBOX_POOL_SIZE: "0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

test("serve with zero configuration prints the chat URL, is healthy, and exits 0 on SIGTERM", async () => {
  const child = serve();
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const check = setInterval(() => {
        const match = /Open (http:\/\/127\.0\.0\.1:\d+)\/ in your browser/.exec(output);
        if (match) {
          clearInterval(check);
          resolve(match[1]!);
        }
      }, 50);
      void exited.then(() => {
        clearInterval(check);
        reject(new Error(`serve exited early:\n${output}`));
      });
    });
    expect(output).toContain("databot is running (local mode, local engine)");
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain("databot");
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
});

test("serve on a PostgreSQL that cannot be reached says so in one line, without the password, and exits 1", async () => {
  // Nothing listens on port 1.
  const child = serve({ DATABASE_URL: "postgres://databot:s3cret-pw@127.0.0.1:1/databot" });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  expect(code).toBe(1);
  expect(stderr.trim()).toMatch(
    /^databot could not start: PostgreSQL at 127\.0\.0\.1:1\/databot cannot be reached \(.*\)\. Check DATABASE_URL\.$/,
  );
  expect(stderr).not.toContain("s3cret-pw");
});
