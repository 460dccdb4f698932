/**
 * The app as its manifest installs it: the bot token's scopes, the events Slack delivers, and whether it uses
 * the agent messaging experience.
 */
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";

export interface InstalledApp {
  scopes: string[];
  events: string[];
  agentView: boolean;
}

/** A file of the repository, found from here whether this runs from source or from `dist/`. */
export function repoFile(relative: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${relative} not found above ${__dirname}`);
  }
}

export function readManifest(file: string): InstalledApp {
  const manifest = parse(fs.readFileSync(file, "utf8")) as {
    features?: { agent_view?: unknown };
    oauth_config?: { scopes?: { bot?: string[] } };
    settings?: { event_subscriptions?: { bot_events?: string[] } };
  };
  return {
    scopes: manifest.oauth_config?.scopes?.bot ?? [],
    events: manifest.settings?.event_subscriptions?.bot_events ?? [],
    agentView: manifest.features?.agent_view !== undefined,
  };
}
