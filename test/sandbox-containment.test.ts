/**
 * Code someone's question runs in the local sandbox cannot reach the network, the host's secrets or files,
 * or the machine's resources beyond its limits: one story per limit, through the real sandbox.
 */
import net from "node:net";
import { Readable } from "node:stream";
import { loadConfig, type LocalEngineConfig } from "../src/config";
import { ErrorCode } from "../src/core/errors";
import { silentLogger } from "../src/core/logger";
import {
  createSandboxEngine,
  SANDBOX_ENV,
  type SandboxEngine,
} from "../src/adapters/agents/local-engine/sandbox";

const FAKE_SECRET = "xoxb-fake-secret-that-must-never-reach-a-cell-9f3a";
process.env.DATABOT_TEST_SECRET = FAKE_SECRET;

const engines: SandboxEngine[] = [];

function engineWith(overrides: Partial<LocalEngineConfig>): SandboxEngine {
  const config: LocalEngineConfig = {
    ...loadConfig({}, "/tmp").local,
    poolSize: 1,
    memoryMb: 1024,
    cpuSeconds: 60,
    cellTimeoutSeconds: 60,
    diskMb: 16,
    tmpMb: 32,
    outputKb: 8,
    maxProcesses: 32,
    ...overrides,
  };
  const engine = createSandboxEngine({ config, logger: silentLogger });
  engines.push(engine);
  return engine;
}

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

const sandbox = engineWith({});

test("a cell cannot connect to a listener on the host's loopback", async () => {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  try {
    const session = await sandbox.startSession();
    const result = await session.run(
      [
        "import socket",
        "outcomes = []",
        `for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):`,
        "    try:",
        `        socket.create_connection((host, ${port}), timeout=2)`,
        '        outcomes.append("connected")',
        "    except OSError as e:",
        "        outcomes.append(type(e).__name__)",
        "print(outcomes)",
      ].join("\n"),
    );
    await session.close();
    expect(result.error).toBeUndefined();
    expect(result.stdout).not.toContain("connected");
    expect(result.stdout).toContain("OSError");
    expect(connections).toBe(0);
  } finally {
    server.close();
  }
});

test("the environment is empty of host values and /proc/1/environ holds no secret", async () => {
  const session = await sandbox.startSession();
  const result = await session.run(
    [
      "import json, os",
      "seen = {'env': dict(os.environ), 'init': open('/proc/1/environ').read(), 'others': ''}",
      "for pid in filter(str.isdigit, os.listdir('/proc')):",
      "    try: seen['others'] += open(f'/proc/{pid}/environ').read()",
      "    except OSError: pass",
      "print(json.dumps(seen))",
    ].join("\n"),
  );
  await session.close();
  expect(result.error).toBeUndefined();
  expect(result.stdout).not.toContain(FAKE_SECRET);
  const seen = JSON.parse(result.stdout) as { env: Record<string, string>; init: string };
  const allowed = new Set([...Object.keys(SANDBOX_ENV), "PWD"]);
  expect(Object.keys(seen.env).filter((name) => !allowed.has(name))).toEqual([]);
  const initNames = seen.init
    .split("\0")
    .filter(Boolean)
    .map((kv) => kv.split("=")[0]!);
  expect(initNames.filter((name) => !allowed.has(name))).toEqual([]);
});

test("a fork bomb is stopped by the process limit and the session keeps working", async () => {
  const session = await sandbox.startSession();
  const bomb = await session.run("import os\nwhile True:\n    os.fork()");
  expect(bomb.error?.name).toBe("BlockingIOError");
  const after = await session.run(
    "import os\nlive = [p for p in os.listdir('/proc') if p.isdigit() and open(f'/proc/{p}/stat').read().split(')')[1].split()[0] != 'Z']\nprint(len(live))",
  );
  await session.close();
  expect(after.error).toBeUndefined();
  expect(after.stdout.trim()).toBe("2"); // the runner and the interpreter, nothing left of the bomb
});

test("a memory bomb gets MemoryError and the interpreter survives it", async () => {
  const session = await sandbox.startSession();
  await session.run("kept = 'still here'");
  const big = await session.run("block = bytearray(8 * 1024**3)");
  const growing = await session.run("chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 1024**2))");
  const next = await session.run("del chunks\nprint(kept)");
  await session.close();
  expect(big.error?.name).toBe("MemoryError");
  expect(big.limit).toBe("memory");
  expect(growing.error?.name).toBe("MemoryError");
  expect(growing.limit).toBe("memory");
  expect(next.stdout.trim()).toBe("still here");
});

test("writes outside /mnt/data fail, and /tmp is small", async () => {
  const session = await sandbox.startSession();
  const result = await session.run(
    [
      "import json",
      "outcome = {}",
      "for path in ['/x', '/usr/x', '/etc/x', '/home/x', '/mnt/x', '/var/tmp/x', '/proc/x', '/root/x']:",
      "    try:",
      "        open(path, 'w').write('x'); outcome[path] = 'written'",
      "    except OSError as e:",
      "        outcome[path] = type(e).__name__",
      "open('/mnt/data/ok.txt', 'w').write('fine')",
      "try:",
      "    for i in range(10): open(f'/tmp/big{i}', 'wb').write(b'0' * (4 * 1024**2))",
      "    outcome['/tmp/big'] = 'written'",
      "except OSError as e:",
      "    outcome['/tmp/big'] = e.strerror",
      "print(json.dumps(outcome))",
    ].join("\n"),
  );
  await session.close();
  expect(result.error).toBeUndefined();
  const outcome = JSON.parse(result.stdout) as Record<string, string>;
  for (const [path, what] of Object.entries(outcome)) {
    expect([path, what]).not.toEqual([path, "written"]);
  }
  expect(outcome["/tmp/big"]).toBe("No space left on device");
  expect(result.files).toEqual([{ name: "ok.txt", size: 4 }]);
});

test("the disk quota holds across many files", async () => {
  const session = await sandbox.startSession();
  const result = await session.run(
    "for i in range(100):\n    with open(f'/mnt/data/part{i}.bin', 'wb') as f:\n        f.write(b'x' * 1024**2)",
  );
  const total = (await session.listFiles()).reduce((sum, f) => sum + f.size, 0);
  const usage = await session.diskUsage();
  const upload = session.writeFile("more.csv", Readable.from([Buffer.alloc(2 * 1024 ** 2)]));
  await expect(upload).rejects.toMatchObject({ code: ErrorCode.FileRefused });
  await session.close();
  expect(result.limit).toBe("disk");
  expect(result.error?.message).toContain("No space left on device");
  expect(total).toBeLessThanOrEqual(16 * 1024 ** 2);
  expect(usage.usedBytes).toBeLessThanOrEqual(usage.totalBytes);
  expect(usage.totalBytes).toBe(16 * 1024 ** 2);
});

test("a symlink to /etc/shadow (or any link) is never returned or read as an output", async () => {
  const session = await sandbox.startSession();
  const result = await session.run(
    [
      "import os",
      "os.symlink('/etc/shadow', '/mnt/data/shadow.txt')",
      "os.symlink('/etc', '/mnt/data/etc')",
      "open('/mnt/data/report.csv', 'w').write('a,b\\n1,2\\n')",
      "os.link('/mnt/data/report.csv', '/mnt/data/report-copy.csv')",
      "os.mkfifo('/mnt/data/pipe')",
    ].join("\n"),
  );
  expect(result.error).toBeUndefined();
  expect(result.files).toEqual([]);
  expect(result.stderr).toContain("shadow.txt is a symbolic link");
  expect(result.stderr).toContain("report.csv is a hard link");
  for (const name of ["shadow.txt", "etc/shadow", "etc/passwd", "report.csv", "pipe", "../../etc/passwd"]) {
    await expect(session.openFile(name)).rejects.toMatchObject({ code: ErrorCode.FileRefused });
  }
  await session.close();
});

test("an output flood is capped", async () => {
  const session = await sandbox.startSession();
  const result = await session.run("for i in range(300000):\n    print('x' * 100)");
  const after = await session.run("print('next cell')");
  await session.close();
  expect(result.limit).toBe("output");
  expect(result.stdout.length).toBeLessThan(8 * 1024 + 200);
  expect(result.stdout).toContain("[output truncated");
  expect(after.stdout).toBe("next cell\n");
});

test("no process outlives its cell, not even a detached daemon", async () => {
  const session = await sandbox.startSession();
  const spawned = await session.run(
    [
      "import os, subprocess",
      "subprocess.Popen(['sleep', '1000'])",
      "if os.fork() == 0:",
      "    os.setsid()",
      "    if os.fork() == 0:",
      "        import time; time.sleep(1000)",
      "    os._exit(0)",
      "os.wait()",
      "print('started')",
    ].join("\n"),
  );
  const listed = await session.run(
    "import os\nprint(sorted(open(f'/proc/{p}/cmdline').read().split('\\0')[0] for p in os.listdir('/proc') if p.isdigit() and open(f'/proc/{p}/stat').read().split(')')[1].split()[0] != 'Z'))",
  );
  await session.close();
  expect(spawned.stdout).toContain("started");
  expect(listed.stdout).not.toContain("sleep");
  expect(listed.stdout.trim()).toBe("['/usr/bin/python3', '/usr/bin/python3']");
});

test("namespaces, mounts, tracing and kernel keyrings are refused by the seccomp filter", async () => {
  const session = await sandbox.startSession();
  const result = await session.run(
    [
      "import ctypes, json, os",
      "libc = ctypes.CDLL(None, use_errno=True)",
      "def call(name, *args):",
      "    rc = getattr(libc, name)(*args)",
      "    return 'allowed' if rc == 0 else os.strerror(ctypes.get_errno())",
      "print(json.dumps({",
      "    'unshare': call('unshare', 0x10000000),",
      "    'mount': call('mount', b'none', b'/tmp', b'tmpfs', 0, None),",
      "    'ptrace': call('ptrace', 0, 0, None, None),",
      "    'keyctl': call('syscall', 250, 0, 0, 0, 0),",
      "    'bpf': call('syscall', 321, 0, 0, 0),",
      "}))",
    ].join("\n"),
  );
  await session.close();
  expect(result.error).toBeUndefined();
  const outcome = JSON.parse(result.stdout) as Record<string, string>;
  expect(Object.values(outcome)).not.toContain("allowed");
  expect(outcome.unshare).toBe("Operation not permitted");
  expect(outcome.ptrace).toBe("Operation not permitted");
});

test("a session keeps variables and files between cells until it is closed", async () => {
  const session = await sandbox.startSession();
  await session.run("rows = [1, 2, 3]\nopen('/mnt/data/rows.txt', 'w').write('1,2,3')");
  const later = await session.run("rows.append(4)\nprint(sum(rows), open('/mnt/data/rows.txt').read())");
  expect(later.stdout).toBe("10 1,2,3\n");
  await session.close();
  expect(session.alive).toBe(false);
  await expect(session.openFile("rows.txt")).rejects.toMatchObject({ code: ErrorCode.SandboxUnavailable });
});

describe("time limits", () => {
  const cpu = engineWith({ cpuSeconds: 1, cellTimeoutSeconds: 600 });
  const wall = engineWith({ cpuSeconds: 600, cellTimeoutSeconds: 2 });

  test("a CPU loop is killed by the CPU limit; files survive, variables are reset", async () => {
    const session = await cpu.startSession();
    await session.run("x = 1\nopen('/mnt/data/kept.txt', 'w').write('kept')");
    const result = await session.run("while True:\n    pass");
    const after = await session.run("print(open('/mnt/data/kept.txt').read(), 'x' in globals())");
    await session.close();
    expect(result.limit).toBe("cpu");
    expect(result.error?.message).toContain("CPU time limit");
    expect(after.stdout.trim()).toBe("kept False");
  });

  test("time.sleep(3600) is stopped by the wall clock and the session goes on", async () => {
    const session = await wall.startSession();
    await session.run("y = 2");
    const result = await session.run("import time\ntime.sleep(3600)");
    const after = await session.run("print(y)");
    await session.close();
    expect(result.limit).toBe("wall_clock");
    expect(result.error?.name).toBe("KeyboardInterrupt");
    expect(after.stdout.trim()).toBe("2");
  });

  test("a cell that ignores the interrupt is killed by the wall clock", async () => {
    const session = await wall.startSession();
    const result = await session.run(
      "import time\nwhile True:\n    try:\n        time.sleep(3600)\n    except KeyboardInterrupt:\n        pass",
    );
    const after = await session.run("print('alive')");
    await session.close();
    expect(result.limit).toBe("wall_clock");
    expect(result.error?.name).toBe("InterpreterRestarted");
    expect(after.stdout.trim()).toBe("alive");
  });
});
