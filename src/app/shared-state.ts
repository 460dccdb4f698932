/**
 * Where the state that any replica may need lives: files (blobs), live events, the web chat's history and the
 * local engine's threads. One process keeps them under DATA_DIR and in memory; with `DATABASE_URL` they are
 * in PostgreSQL, so a request or a turn can land on any replica.
 */
import type pg from "pg";
import { FileLocalThreadRecords } from "../adapters/agents/local-engine/thread-records";
import { PgLocalThreadRecords } from "../adapters/agents/local-engine/thread-records-postgres";
import type { LocalThreadRecords } from "../adapters/agents/local-engine/local-threads";
import type { SharedSurfaceState } from "../adapters/chat/surface-module";
import { FileTranscriptRecords } from "../adapters/stores/files/file-transcripts";
import { FsBlobStore } from "../adapters/stores/files/fs-blobs";
import { MemoryEventBus } from "../adapters/stores/memory/memory-event-bus";
import { checkReachable, openPool } from "../adapters/stores/postgres/database";
import { PgBlobStore } from "../adapters/stores/postgres/pg-blobs";
import { PgEventBus } from "../adapters/stores/postgres/pg-event-bus";
import { PgTranscriptRecords } from "../adapters/stores/postgres/pg-transcripts";
import type { Config } from "../config";
import type { Logger } from "../core/logger";

export interface SharedState extends SharedSurfaceState {
  /** The local engine's thread records. */
  localThreads: LocalThreadRecords;
  /** "postgres" when replicas share it, "local" for one process. */
  readonly kind: "local" | "postgres";
  /** Stops listening for events and closes the pool this opened (not one it was given). */
  close(): Promise<void>;
}

/**
 * Opens the shared state the configuration selects. With PostgreSQL, `pool` is the process's pool when the
 * caller has one (one pool per process); otherwise one is opened from the store's settings.
 */
export async function openSharedState(config: Config, logger: Logger, pool?: pg.Pool): Promise<SharedState> {
  const { dataDir } = config.core;
  const store = config.store;
  if (store.kind !== "postgres") {
    const events = new MemoryEventBus();
    return {
      kind: "local",
      blobs: new FsBlobStore(dataDir),
      events,
      webTranscripts: new FileTranscriptRecords(dataDir),
      localThreads: new FileLocalThreadRecords(dataDir),
      close: () => events.close(),
    };
  }
  const own = pool ? undefined : openPool({ url: store.url, maxConnections: store.maxConnections });
  const shared = (pool ?? own)!;
  try {
    await checkReachable(shared, store.url);
    const [blobs, webTranscripts, localThreads] = await Promise.all([
      PgBlobStore.open(shared),
      PgTranscriptRecords.open(shared),
      PgLocalThreadRecords.open(shared),
    ]);
    const events = await PgEventBus.open({ pool: shared, url: store.url, logger });
    return {
      kind: "postgres",
      blobs,
      events,
      webTranscripts,
      localThreads,
      async close() {
        await events.close();
        await own?.end();
      },
    };
  } catch (error) {
    await own?.end();
    throw error;
  }
}
