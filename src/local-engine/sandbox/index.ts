/** The local code interpreter: sandboxed, stateful Python sessions from a pool of warm interpreters. */
export { createSandboxEngine } from "./engine";
export type { SandboxEngine, SandboxEngineOptions, SandboxMode } from "./engine";
export { LocalSandboxSession } from "./sandbox-session";
export { isolationUnavailableMessage } from "./probe";
export { SANDBOX_ENV } from "./jail-command";
