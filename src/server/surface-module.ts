import type { Express } from "express";
import type { CoreConfig } from "../config";
import type { FilePolicy } from "../core/files/file-policy";
import type { Logger } from "../core/logger";
import type { ChatSurface, MessageSink, Store } from "../core/ports";
import type { OutboundGuard } from "../adapters/outbound/guard";

/** What every chat surface module is built from. */
export interface SurfaceDeps {
  /** Hand normalized messages here; resolves once they are durably recorded. */
  sink: MessageSink;
  store: Store;
  logger: Logger;
  /** Apply before downloading anything (name, type, declared size). */
  filePolicy: FilePolicy;
  /** Every URL fetched on behalf of a message goes through it. */
  outbound: OutboundGuard;
  core: CoreConfig;
}

/**
 * A chat surface as the server runs it: the {@link ChatSurface} the core answers through, the routes it serves
 * on the shared HTTP port, and a lifecycle for connections of its own (Slack Socket Mode).
 */
export interface SurfaceModule {
  readonly surface: ChatSurface;
  /** A line for the start-up log, e.g. "Slack: HTTP events at POST /slack/events". */
  readonly description: string;
  /** Adds the module's routes to the shared app. Called once, before the server listens. */
  mount?(app: Express): void;
  /** Connects anything beyond HTTP routes. */
  start?(): Promise<void>;
  /** Disconnects; the server stops accepting requests first. */
  stop?(): Promise<void>;
}
