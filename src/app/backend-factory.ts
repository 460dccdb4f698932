/**
 * Picks the agent backend from the configuration — Azure AI Foundry when it is configured (new agents on the
 * Responses API unless `AZURE_AI_AGENT_API=classic`), otherwise the local engine, driven by a model when
 * MODEL_BASE_URL is set and by the offline analyst when not — and binds it to its own configuration section.
 */
import path from "node:path";
import type { Config } from "../config";
import type { Logger } from "../core/logger";
import type { AgentBackend, KeyValueSpaces } from "../core/ports";
import { createAzureBackend } from "../adapters/agents/azure-classic";
import { createAzureResponsesBackend } from "../adapters/agents/azure-responses";
import { THREAD_STATE_NAMESPACE } from "../adapters/agents/azure-responses/thread-state";
import { createOfflineAnalyst } from "../adapters/agents/local-engine/analyst";
import { createLocalBackend } from "../adapters/agents/local-engine/local-backend";
import { createModelAnalyst } from "../adapters/agents/local-engine/model";
import type { SharedState } from "./shared-state";

/** What a backend is built with at start, besides its own configuration section. */
export interface BackendDeps {
  logger: Logger;
  /** Key-value spaces of the store (the Responses backend keeps each thread's container and files there). */
  spaces: KeyValueSpaces;
  /** Where the local engine keeps its threads and their files (default: the data directory). */
  shared?: Pick<SharedState, "blobs" | "localThreads">;
}

/** Builds the backend once the store exists. */
export type BackendFactory = (deps: BackendDeps) => Promise<AgentBackend>;

/** The backend the configuration selects, bound to its section. */
export function backendFor(config: Config): BackendFactory {
  const { runTimeoutMs, dataDir } = config.core;
  const azure = config.backend === "azure" ? config.azure : undefined;
  if (azure?.agentApi === "classic") {
    return async ({ logger }) => createAzureBackend(azure, logger, { runTimeoutMs });
  }
  if (azure) {
    return async ({ logger, spaces }) => {
      const backend = createAzureResponsesBackend(azure, spaces.space(THREAD_STATE_NAMESPACE), logger, {
        runTimeoutMs,
        outputDir: path.join(dataDir, "azure-outputs"),
      });
      // Prepare the agent version now; a failure is reported by /readyz and on first use.
      backend.ready().catch((error: unknown) => logger.warn({ err: error }, "the Azure agent is not ready"));
      return backend;
    };
  }
  const local = config.local;
  return async ({ logger, shared }) => {
    const analyst = local.model ? createModelAnalyst(local.model, logger) : createOfflineAnalyst();
    const backend = createLocalBackend({
      config: local,
      dataDir,
      logger,
      analyst,
      records: shared?.localThreads,
      blobs: shared?.blobs,
    });
    // Start probing the sandbox and warming the pool now; a failure is reported by /readyz and on first use.
    backend.ready().catch((error: unknown) => logger.warn({ err: error }, "the local engine is not ready"));
    return backend;
  };
}
