import type { Express } from "express";
import type { Mode } from "../../config";
import type { FilePolicy } from "../../core/files/file-policy";
import type { Logger } from "../../core/logger";
import type {
  BlobStore,
  ChatSurface,
  EventBus,
  KeyValueSpaces,
  MessageSink,
  RetentionTarget,
  ThreadMap,
  TranscriptRecords,
} from "../../core/ports";
import type { OutboundGuard } from "../outbound/guard";

/** The few shared settings a chat surface may read (its own settings come as its configuration section). */
export interface SurfaceSettings {
  mode: Mode;
  /** Where the surface may keep files (transcripts, spooled outputs). */
  dataDir: string;
  /** The file policy's size limit. */
  maxFileBytes: number;
  /** databot's public https address, for links it hands out. */
  publicBaseUrl?: string;
  /** `RETENTION_DAYS`: what a surface keeps about conversations ("Show code" records) expires by then. */
  retentionDays: number;
}

/**
 * What surfaces keep that any replica may need (files, live events, the web chat's history): on disk and in
 * memory for one process, in PostgreSQL when several replicas share `DATABASE_URL`.
 */
export interface SharedSurfaceState {
  blobs: BlobStore;
  events: EventBus;
  webTranscripts: TranscriptRecords;
}

/** What every chat surface module is built from, besides its own configuration section. */
export interface SurfaceDeps {
  /** Hand normalized messages here; resolves once they are durably recorded. */
  sink: MessageSink;
  /** The surface's own key-value spaces (namespaced under its platform prefix: it sees no one else's). */
  spaces: KeyValueSpaces;
  /** Whether databot already answers a chat thread. */
  threads: Pick<ThreadMap, "getThread">;
  logger: Logger;
  /** Apply before downloading anything (name, type, declared size). */
  filePolicy: FilePolicy;
  /** Every URL fetched on behalf of a message goes through it. */
  outbound: OutboundGuard;
  settings: SurfaceSettings;
  shared: SharedSurfaceState;
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
  /** What the module keeps about conversations (transcripts, uploads), for the `RETENTION_DAYS` purge. */
  readonly retention?: readonly RetentionTarget[];
}
