import { EnvReader, schemas } from "./env-reader";

/** An OpenAI-compatible chat-completions endpoint with tool calling that drives the local sandbox. */
export interface ModelConfig {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Most tool calls the model may make for one question. */
  maxSteps: number;
}

/** The embedded engine: sandboxed Python on this machine, driven by a model or the offline analyst. */
export interface LocalEngineConfig {
  /** The Python with pandas and matplotlib from Debian. */
  python: string;
  /** Run code without the jail. Development only, logged loudly, refused in production mode. */
  allowUnsandboxed: boolean;
  /** Pre-started sandboxed interpreters kept warm. */
  poolSize: number;
  memoryMb: number;
  cpuSeconds: number;
  /** Wall-clock limit for one cell. */
  cellTimeoutSeconds: number;
  /** Total size of a session's `/mnt/data`. */
  diskMb: number;
  /** Captured stdout/stderr per cell. */
  outputKb: number;
  /** Size of the sandbox's private `/tmp`. */
  tmpMb: number;
  /** Processes (and threads) a session may run at once. */
  maxProcesses: number;
  /**
   * First of the host user ids given to sessions when databot runs as root (one unused id per session, so
   * sessions cannot signal each other and the process limit counts each session alone).
   */
  uidBase: number;
  sessionIdleMinutes: number;
  sessionMaxMinutes: number;
  /**
   * Most Python sessions alive at once; past it the least recently used idle one ends (its thread keeps its
   * files). Absent: derived from the machine's memory.
   */
  maxSessions?: number;
  /** Absent: the built-in offline analyst answers. */
  model?: ModelConfig;
}

export function readLocalEngineConfig(r: EnvReader): LocalEngineConfig {
  let model: ModelConfig | undefined;
  if (r.has("MODEL_BASE_URL")) {
    const baseUrl = r.read("MODEL_BASE_URL", schemas.url());
    const name = r.require(
      "MODEL_NAME",
      schemas.text(),
      "when MODEL_BASE_URL is set (e.g. gpt-4o-mini, llama3.1)",
    );
    if (baseUrl && name) {
      model = {
        baseUrl: baseUrl.replace(/\/+$/, ""),
        apiKey: r.read("MODEL_API_KEY", schemas.text()),
        model: name,
        maxSteps: r.read("MODEL_MAX_STEPS", schemas.int(1, 50), 8) ?? 8,
      };
    }
  }
  return {
    python: r.read("LOCAL_PYTHON", schemas.text(), "/usr/bin/python3") ?? "/usr/bin/python3",
    allowUnsandboxed: r.read("SANDBOX_ALLOW_UNSANDBOXED", schemas.bool(), "false") ?? false,
    poolSize: r.read("SANDBOX_POOL_SIZE", schemas.int(0, 64), 2) ?? 2,
    memoryMb: r.read("SANDBOX_MEMORY_MB", schemas.int(128, 65536), 2048) ?? 2048,
    cpuSeconds: r.read("SANDBOX_CPU_SECONDS", schemas.int(1, 3600), 120) ?? 120,
    cellTimeoutSeconds: r.read("SANDBOX_CELL_TIMEOUT_SECONDS", schemas.int(1, 3600), 120) ?? 120,
    diskMb: r.read("SANDBOX_DISK_MB", schemas.int(16, 65536), 1024) ?? 1024,
    outputKb: r.read("SANDBOX_OUTPUT_KB", schemas.int(4, 10240), 256) ?? 256,
    tmpMb: r.read("SANDBOX_TMP_MB", schemas.int(16, 65536), 256) ?? 256,
    maxProcesses: r.read("SANDBOX_MAX_PROCESSES", schemas.int(8, 4096), 64) ?? 64,
    uidBase: r.read("SANDBOX_UID_BASE", schemas.int(10000, 4_000_000_000), 1_900_000_000) ?? 1_900_000_000,
    sessionIdleMinutes: r.read("SESSION_IDLE_MINUTES", schemas.number(0.01, 24 * 60), 30) ?? 30,
    sessionMaxMinutes: r.read("SESSION_MAX_MINUTES", schemas.number(0.01, 24 * 60), 60) ?? 60,
    maxSessions: r.read("SANDBOX_MAX_SESSIONS", schemas.int(1, 4096)),
    model,
  };
}
