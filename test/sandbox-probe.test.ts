/**
 * Where code cannot be isolated (a container without user namespaces), the local engine refuses to run it and
 * says how to fix that; only the explicit development opt-in runs code without the jail, and says so loudly.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { text } from "node:stream/consumers";
import { loadConfig, type LocalEngineConfig } from "../src/config";
import { ErrorCode } from "../src/core/errors";
import { silentLogger, type Logger } from "../src/core/logger";
import { createSandboxEngine, type SandboxEngine } from "../src/adapters/agents/local-engine/sandbox";

let dir: string;
let fakeBwrap: string;
const engines: SandboxEngine[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "databot-probe-"));
  await chmod(dir, 0o755);
  // What bubblewrap prints inside a default Docker container.
  fakeBwrap = path.join(dir, "bwrap");
  await writeFile(
    fakeBwrap,
    "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.' >&2\nexit 1\n",
  );
  await chmod(fakeBwrap, 0o755);
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
  await rm(dir, { recursive: true, force: true });
});

function engineWith(overrides: Partial<LocalEngineConfig>, logger: Logger = silentLogger): SandboxEngine {
  const config = { ...loadConfig({}, "/tmp").local, poolSize: 1, ...overrides };
  const engine = createSandboxEngine({ config, logger, bubblewrap: fakeBwrap, workRoot: dir });
  engines.push(engine);
  return engine;
}

test("without user namespaces the engine refuses to run code and says how to fix it", async () => {
  const engine = engineWith({ allowUnsandboxed: false });
  const refusal = {
    code: ErrorCode.SandboxUnavailable,
    userMessage: expect.stringMatching(
      /^The local engine cannot isolate Python code on this machine, so it will not run any: .*non-privileged user namespaces.*Fix: allow unprivileged user namespaces .*--security-opt seccomp=unconfined.*SANDBOX_ALLOW_UNSANDBOXED=true runs code without isolation \(refused in production mode\)\.$/,
    ),
  };
  await expect(engine.ready()).rejects.toMatchObject(refusal);
  await expect(engine.startSession()).rejects.toMatchObject(refusal);
});

test("the development opt-in runs code without the jail, logged loudly, with /mnt/data still working", async () => {
  const errors: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    error: (_obj, msg) => errors.push(msg ?? ""),
    child: () => logger,
  };
  const engine = engineWith({ allowUnsandboxed: true }, logger);
  expect(await engine.ready()).toBe("unsandboxed");
  expect(errors.join("\n")).toContain("Python code runs WITHOUT isolation");
  const session = await engine.startSession();
  await session.writeFile("numbers.csv", Readable.from(["n\n1\n2\n3\n"]));
  const result = await session.run(
    "import pandas as pd\ndf = pd.read_csv('/mnt/data/numbers.csv')\ndf.n.sum() * 2\n",
  );
  await session.run("df.to_csv('/mnt/data/copy.csv', index=False)");
  expect(result.stdout.trim()).toBe("12");
  expect(await text(await session.openFile("copy.csv"))).toBe("n\n1\n2\n3\n");
  await session.close();
});
