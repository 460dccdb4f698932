/**
 * Azure AI Foundry's new agents (agent versions and the OpenAI Responses API) behind databot's AgentBackend port.
 *
 * @example
 * const backend = createAzureResponsesBackend(config.azure, store.space(THREAD_STATE_NAMESPACE), logger, {
 *   runTimeoutMs: config.core.runTimeoutMs,
 *   outputDir: path.join(config.core.dataDir, "azure-outputs"),
 * });
 */
import os from "node:os";
import path from "node:path";
import type { TokenCredential } from "@azure/identity";
import type { AzureConfig } from "../../../config/azure";
import type { Logger } from "../../../core/logger";
import type { KeyValueSpace } from "../../../core/ports/store";
import { DEFAULT_RETRY, type RetrySettings } from "../azure-classic/retry-policy";
import { AzureResponsesBackend } from "./backend";
import { createFoundryClients } from "./clients";
import { OutputSpool } from "./spool";
import { storeThreadStates } from "./thread-state";

export { AzureResponsesBackend } from "./backend";

export interface ResponsesBackendOptions {
  /** A run taking longer is cancelled (`CoreConfig.runTimeoutMs`; default 15 minutes). */
  runTimeoutMs?: number;
  /** Use this credential instead of `staticToken` or DefaultAzureCredential. */
  credential?: TokenCredential;
  /** Pause between status checks while waiting for a response to end (default 1 s). */
  pollIntervalMs?: number;
  /** Where generated files wait until the chat has posted them (default: a directory under the OS temp dir). */
  outputDir?: string;
  /** Largest chart read into memory (default 25 MB). */
  maxImageBytes?: number;
  /** Backoff tuning and the wait function (tests); the retry budget is `AzureConfig.maxRetries`. */
  retry?: Partial<Omit<RetrySettings, "maxRetries">>;
}

/**
 * Creates the backend. Nothing is contacted until first use: the agent version is provisioned on `ready()` or the
 * first run, and DefaultAzureCredential (used only without `staticToken` or `credential`) starts on the first
 * token request.
 */
export function createAzureResponsesBackend(
  config: AzureConfig,
  /** Where each thread's conversation, container and files are kept (shared by replicas on one store). */
  states: KeyValueSpace,
  logger: Logger,
  options: ResponsesBackendOptions = {},
): AzureResponsesBackend {
  const log = logger.child({ backend: "azure-responses" });
  return new AzureResponsesBackend({
    clients: createFoundryClients(config, { credential: options.credential }),
    config,
    states: storeThreadStates(states),
    spool: new OutputSpool(options.outputDir ?? path.join(os.tmpdir(), "databot-azure-outputs")),
    retry: { ...DEFAULT_RETRY, ...options.retry, maxRetries: config.maxRetries },
    runs: {
      timeoutMs: options.runTimeoutMs ?? 15 * 60 * 1000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
    },
    outputs: { maxImageBytes: options.maxImageBytes ?? 25 * 1024 * 1024 },
    logger: log,
  });
}
