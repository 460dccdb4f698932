/**
 * The SQLite schema, applied at open and versioned with `user_version`: a new file gets the current schema, an
 * older file is migrated forward step by step in one transaction.
 */
import type Database from "better-sqlite3";

const SCHEMA_VERSION = 2;

const VERSION_1 = `
CREATE TABLE IF NOT EXISTS dedupe (
  key        TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dedupe_expiry ON dedupe (expires_at);

CREATE TABLE IF NOT EXISTS inbox (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id   TEXT NOT NULL UNIQUE,
  thread_id    TEXT NOT NULL,
  platform     TEXT NOT NULL,
  message      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  checkpoint   TEXT NOT NULL DEFAULT '{}',
  lease_owner  TEXT,
  lease_until  INTEGER,
  not_before   INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  enqueued_at  INTEGER NOT NULL,
  finished_at  INTEGER
);
-- Claims look only at unfinished items (in arrival order, and per thread), never the finished history.
CREATE INDEX IF NOT EXISTS inbox_unfinished ON inbox (seq) WHERE status IN ('pending', 'processing');
CREATE INDEX IF NOT EXISTS inbox_unfinished_thread ON inbox (thread_id, seq) WHERE status IN ('pending', 'processing');
CREATE INDEX IF NOT EXISTS inbox_thread ON inbox (thread_id, seq);

CREATE TABLE IF NOT EXISTS threads (
  chat_thread_id  TEXT PRIMARY KEY,
  backend         TEXT NOT NULL,
  agent_thread_id TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS kv (
  namespace  TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (namespace, key)
);
`;

/** Each claim gets a token of its own: a lease lost to another claim stops working even in the same process. */
const VERSION_2 = `
ALTER TABLE inbox ADD COLUMN lease_token TEXT;
CREATE INDEX IF NOT EXISTS inbox_lease_owner ON inbox (lease_owner) WHERE status = 'processing';
`;

/** The SQL that takes a file from version `index` to `index + 1`. */
const STEPS = [VERSION_1, VERSION_2];

/** Brings the file to {@link SCHEMA_VERSION}; refuses a file written by a newer databot. */
export function migrateSchema(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `The SQLite store ${db.name} has schema version ${version}; this databot knows up to ${SCHEMA_VERSION}.`,
      );
    }
    for (const step of STEPS.slice(version)) db.exec(step);
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
