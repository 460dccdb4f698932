/**
 * Picks the agent backend from the configuration: Azure AI Foundry when it is configured, otherwise the local
 * engine, driven by a model when MODEL_BASE_URL is set and by the offline analyst when not.
 */
import type { Config } from "../config";
import type { Logger } from "../core/logger";
import type { AgentBackend } from "../core/ports";
import { createAzureBackend } from "../adapters/azure-agents";
import { createOfflineAnalyst } from "../local-engine/analyst";
import { createLocalBackend } from "../local-engine/local-backend";
import { createModelAnalyst } from "../local-engine/model";

export async function createBackend(config: Config, logger: Logger): Promise<AgentBackend> {
  if (config.backend === "azure" && config.azure) {
    return createAzureBackend(config.azure, logger, { runTimeoutMs: config.core.runTimeoutMs });
  }
  const analyst = config.local.model
    ? createModelAnalyst(config.local.model, logger)
    : createOfflineAnalyst();
  const backend = createLocalBackend({ config: config.local, dataDir: config.core.dataDir, logger, analyst });
  // Start probing the sandbox and warming the pool now; a failure is reported by /readyz and on first use.
  backend.ready().catch((error: unknown) => logger.warn({ err: error }, "the local engine is not ready"));
  return backend;
}
