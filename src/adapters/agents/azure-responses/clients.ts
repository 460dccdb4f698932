/**
 * The two clients the new agents need: `AIProjectClient` (agent versions, on the project's `agents` routes with
 * `api-version=v1`) and the `openai` client it hands out for the Responses API (`{endpoint}/openai/v1`, bearer
 * tokens for `https://ai.azure.com/.default`). Both trust the configured extra CAs; the openai client gets them
 * through an undici dispatcher, since it calls the global `fetch`.
 */
import { AIProjectClient } from "@azure/ai-projects";
import type { TokenCredential } from "@azure/identity";
import type OpenAI from "openai";
import { Agent } from "undici";
import type { AzureConfig } from "../../../config/azure";
import { trustedCas } from "../../outbound/trusted-cas";
import { credentialFor } from "../azure-classic/credential";

export interface FoundryClients {
  project: AIProjectClient;
  openai: OpenAI;
  /** Releases the connections held for the extra CAs. */
  close(): Promise<void>;
}

export interface ClientOptions {
  credential?: TokenCredential;
  /** Longest a single request may wait for an answer to begin (default 10 minutes, the client's own). */
  requestTimeoutMs?: number;
}

export function createFoundryClients(config: AzureConfig, options: ClientOptions = {}): FoundryClients {
  const ca = config.caFile ? trustedCas(config.caFile, "AZURE_AI_CA_FILE") : undefined;
  const credential = credentialFor(config.staticToken, options.credential);
  const project = new AIProjectClient(config.projectEndpoint, credential, {
    ...(ca ? { tlsOptions: { ca } } : {}),
    retryOptions: { maxRetries: config.maxRetries },
    userAgentOptions: { userAgentPrefix: "databot" },
  });
  const dispatcher = ca ? new Agent({ connect: { ca } }) : undefined;
  const openai = project.getOpenAIClient({
    // Throttling (honouring retry-after), 408/409 and 5xx; databot retries what must not be sent twice itself.
    maxRetries: config.maxRetries,
    // Everything comes from databot's configuration, nothing from OPENAI_* variables; logs are databot's own.
    organization: null,
    project: null,
    logLevel: "off",
    ...(options.requestTimeoutMs ? { timeout: options.requestTimeoutMs } : {}),
    ...(dispatcher ? { fetchOptions: { dispatcher } } : {}),
  });
  return {
    project,
    openai,
    close: async () => {
      await dispatcher?.close();
    },
  };
}
