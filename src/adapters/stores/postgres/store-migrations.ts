/**
 * The store's tables in PostgreSQL (component "store"), named `store_*` so they sit beside other components'
 * tables in one database. Times are epoch milliseconds, like the SQLite store's, so the clock a test injects and
 * the server's clock are interchangeable.
 */
import type { MigrationSet } from "./database";

export const STORE_MIGRATIONS: MigrationSet = {
  component: "store",
  migrations: [
    {
      version: 1,
      name: "inbox with lease tokens, dedupe keys, thread map, key-value spaces",
      sql: `
CREATE TABLE store_dedupe (
  key        TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX store_dedupe_expiry ON store_dedupe (expires_at);

CREATE TABLE store_inbox (
  seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id   TEXT NOT NULL UNIQUE,
  thread_id    TEXT NOT NULL,
  platform     TEXT NOT NULL,
  -- The message as the chat adapter normalized it, kept verbatim.
  message      TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  checkpoint   JSONB NOT NULL DEFAULT '{}',
  lease_owner  TEXT,
  lease_token  TEXT,
  lease_until  BIGINT,
  not_before   BIGINT NOT NULL DEFAULT 0,
  last_error   TEXT,
  enqueued_at  BIGINT NOT NULL,
  finished_at  BIGINT
);
-- Claims look only at unfinished items (in arrival order, and per thread), never the finished history.
CREATE INDEX store_inbox_unfinished ON store_inbox (seq) WHERE status IN ('pending', 'processing');
CREATE INDEX store_inbox_unfinished_thread ON store_inbox (thread_id, seq)
  WHERE status IN ('pending', 'processing');
CREATE INDEX store_inbox_thread ON store_inbox (thread_id, seq);
CREATE INDEX store_inbox_owner ON store_inbox (lease_owner) WHERE status = 'processing';
CREATE INDEX store_inbox_finished ON store_inbox (finished_at) WHERE status IN ('done', 'failed');

CREATE TABLE store_threads (
  chat_thread_id  TEXT PRIMARY KEY,
  backend         TEXT NOT NULL,
  agent_thread_id TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  -- Breaks ties between threads updated in the same millisecond: the one created later is listed first.
  created_order   BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX store_threads_recent ON store_threads (updated_at DESC, created_order DESC);

CREATE TABLE store_kv (
  namespace  TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  expires_at BIGINT,
  PRIMARY KEY (namespace, key)
);
CREATE INDEX store_kv_expiry ON store_kv (expires_at) WHERE expires_at IS NOT NULL;
`,
    },
  ],
};
