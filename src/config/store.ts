import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { EnvReader, schemas } from "./env-reader";

/** Where databot keeps its durable state: an embedded SQLite file, or PostgreSQL shared by every replica. */
export type StoreConfig =
  | { kind: "sqlite"; file: string }
  | {
      kind: "postgres";
      /** `postgres://…`; carries the password, so it is never logged (messages name only its host and database). */
      url: string;
      /** Connections per replica. */
      maxConnections: number;
    };

/** How this process runs among others. */
export interface ReplicaConfig {
  /** How many replicas the deployment runs (`REPLICAS`); more than one needs a shared store. */
  replicas: number;
  /**
   * This replica's name in the leases it holds. Stable across its restarts (a pod or host name), so a restarted
   * replica takes back its own unfinished turns at once. Default: the host name and the HTTP port.
   */
  replicaId: string;
}

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
    message: "must be a postgres:// URL",
  });

export function readStoreConfig(r: EnvReader, dataDir: string): StoreConfig {
  // Read by hand so that a malformed URL (which may hold a password) is never echoed in the error.
  if (r.has("DATABASE_URL")) {
    const url = r.env.DATABASE_URL!.trim();
    const maxConnections = r.read("DATABASE_POOL_SIZE", schemas.int(2, 200), 10) ?? 10;
    if (!postgresUrl.safeParse(url).success) {
      r.fail(
        "DATABASE_URL: must be a postgres://user:password@host:port/database URL (the value is not shown)",
      );
    }
    return { kind: "postgres", url, maxConnections };
  }
  return { kind: "sqlite", file: path.join(dataDir, "databot.sqlite") };
}

export function readReplicaConfig(r: EnvReader, port: number): ReplicaConfig {
  const replicas = r.read("REPLICAS", schemas.int(1, 1000), 1) ?? 1;
  const replicaId =
    r.read("REPLICA_ID", z.string().regex(/^[\w.:@-]{1,120}$/, "letters, digits and . : @ - _ only")) ??
    `${os.hostname()}:${port}`;
  return { replicas, replicaId };
}
