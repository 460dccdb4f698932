import { EnvReader, schemas } from "./env-reader";

/** The browser chat served at `/`. On by default in local mode. */
export interface WebChatConfig {
  /** Required when the server binds an address other than loopback. */
  accessToken?: string;
}

export function readWebChatConfig(r: EnvReader, localMode: boolean): WebChatConfig | undefined {
  const enabled = r.read("WEB_CHAT", schemas.bool(), localMode ? "true" : "false") ?? false;
  if (!enabled) return undefined;
  return { accessToken: r.read("WEB_ACCESS_TOKEN", schemas.text().min(16, "use at least 16 characters")) };
}
