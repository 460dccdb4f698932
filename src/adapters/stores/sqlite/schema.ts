/** The SQLite schema, applied at open. Versioned with `user_version` so later changes can migrate. */
export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
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
