/**
 * Azure AI Foundry Agent Service (Code Interpreter) behind databot's AgentBackend port.
 *
 * @example
 * const backend = createAzureBackend(config.azure, logger, { runTimeoutMs: config.core.runTimeoutMs });
 */
import type { TokenCredential } from "@azure/identity";
import type { AzureConfig } from "../../../config/azure";
import type { Logger } from "../../../core/logger";
import { AzureAgentBackend } from "./backend";
import { createAgentsClient } from "./client";
import type { RetrySettings } from "./retry-policy";

export { AzureAgentBackend } from "./backend";

export interface AzureBackendOptions {
  /** A run taking longer is cancelled (`CoreConfig.runTimeoutMs`; default 15 minutes). */
  runTimeoutMs?: number;
  /** Use this credential instead of `staticToken` or DefaultAzureCredential. */
  credential?: TokenCredential;
  /** Pause between status checks when a run is followed by polling (default 1 s). */
  pollIntervalMs?: number;
  /** Items per list page (1–100, default 100). */
  pageSize?: number;
  /** Largest chart read into memory (default 25 MB). */
  maxImageBytes?: number;
  /** Backoff tuning and the wait function (tests); the retry budget is `AzureConfig.maxRetries`. */
  retry?: Partial<Omit<RetrySettings, "maxRetries">>;
}

/**
 * Creates the Azure backend. Nothing is contacted until first use: the agent is provisioned on `ready()` or the
 * first run, and DefaultAzureCredential (used only without `staticToken` or `credential`) starts on the first
 * token request.
 */
export function createAzureBackend(
  config: AzureConfig,
  logger: Logger,
  options: AzureBackendOptions = {},
): AzureAgentBackend {
  const log = logger.child({ backend: "azure" });
  const { client, retry } = createAgentsClient(config, log, {
    credential: options.credential,
    retry: options.retry,
  });
  return new AzureAgentBackend(
    client,
    config,
    retry,
    {
      timeoutMs: options.runTimeoutMs ?? 15 * 60 * 1000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      pageSize: Math.min(100, Math.max(1, options.pageSize ?? 100)),
      maxImageBytes: options.maxImageBytes ?? 25 * 1024 * 1024,
    },
    log,
  );
}
