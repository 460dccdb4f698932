/** The local code interpreter: sandboxed, stateful Python sessions from a pool of warm interpreters. */
export { createSandboxEngine } from "./engine";
export type { SandboxEngine } from "./engine";
export { SANDBOX_ENV } from "./jail-command";
