/**
 * Picks the agent backend from the configuration: Azure AI Foundry when it is configured — new agents on the
 * Responses API unless `AZURE_AI_AGENT_API=classic` — otherwise the local engine, driven by a model when
 * MODEL_BASE_URL is set and by the offline analyst when not.
 */
import path from "node:path";
import type { Config } from "../config";
import type { Logger } from "../core/logger";
import type { AgentBackend, Store } from "../core/ports";
import { createAzureBackend } from "../adapters/azure-agents";
import { createAzureResponsesBackend } from "../adapters/azure-responses";
import { createOfflineAnalyst } from "../local-engine/analyst";
import { createLocalBackend } from "../local-engine/local-backend";
import { createModelAnalyst } from "../local-engine/model";

/** @param store the store databot runs on; the Responses backend keeps each thread's container and files there. */
export async function createBackend(config: Config, logger: Logger, store?: Store): Promise<AgentBackend> {
  if (config.backend === "azure" && config.azure) {
    if (config.azure.agentApi === "classic") {
      return createAzureBackend(config.azure, logger, { runTimeoutMs: config.core.runTimeoutMs });
    }
    if (!store) throw new Error("the Azure Responses backend needs the store to keep each thread's session");
    const backend = createAzureResponsesBackend(config.azure, store, logger, {
      runTimeoutMs: config.core.runTimeoutMs,
      outputDir: path.join(config.core.dataDir, "azure-outputs"),
    });
    // Prepare the agent version now; a failure is reported by /readyz and on first use.
    backend.ready().catch((error: unknown) => logger.warn({ err: error }, "the Azure agent is not ready"));
    return backend;
  }
  const analyst = config.local.model
    ? createModelAnalyst(config.local.model, logger)
    : createOfflineAnalyst();
  const backend = createLocalBackend({ config: config.local, dataDir: config.core.dataDir, logger, analyst });
  // Start probing the sandbox and warming the pool now; a failure is reported by /readyz and on first use.
  backend.ready().catch((error: unknown) => logger.warn({ err: error }, "the local engine is not ready"));
  return backend;
}
