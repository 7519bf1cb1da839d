/**
 * Opens the SQLite database (Deno's built-in `node:sqlite`) and brings its schema up to date.
 * WAL mode and a busy timeout let several processes (web + workers) share one file.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";

/** Ordered schema migrations; the index + 1 is the schema version. Never edit a shipped one. */
const MIGRATIONS: string[] = [
  `CREATE TABLE videos (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     title TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('queued','processing','ready','failed')),
     progress REAL NOT NULL DEFAULT 0,
     error TEXT,
     created_at TEXT NOT NULL,
     source_name TEXT NOT NULL,
     size_bytes INTEGER NOT NULL,
     duration_sec REAL,
     width INTEGER,
     height INTEGER,
     renditions TEXT NOT NULL DEFAULT '[]',
     media TEXT,
     rev INTEGER NOT NULL
   );
   CREATE INDEX videos_rev ON videos(rev);
   CREATE TABLE tombstones (id TEXT PRIMARY KEY, rev INTEGER NOT NULL);
   CREATE INDEX tombstones_rev ON tombstones(rev);
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   INSERT INTO counters VALUES ('rev', 0);
   CREATE TABLE jobs (
     video_id TEXT PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
     state TEXT NOT NULL CHECK (state IN ('queued','running')),
     attempts INTEGER NOT NULL DEFAULT 0,
     run_after INTEGER NOT NULL,
     lease_until INTEGER,
     holder TEXT,
     pid INTEGER,
     last_error TEXT
   );
   CREATE INDEX jobs_claim ON jobs(state, run_after);`,
  // v2: jobs get their own id and a kind (transcode, webhook, …); several per video.
  `CREATE TABLE jobs2 (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     video_id TEXT REFERENCES videos(id) ON DELETE CASCADE,
     payload TEXT,
     state TEXT NOT NULL CHECK (state IN ('queued','running')),
     attempts INTEGER NOT NULL DEFAULT 0,
     run_after INTEGER NOT NULL,
     lease_until INTEGER,
     holder TEXT,
     pid INTEGER,
     last_error TEXT
   );
   INSERT INTO jobs2 (id, kind, video_id, state, attempts, run_after, lease_until, holder,
       pid, last_error)
     SELECT lower(hex(randomblob(16))), 'transcode', video_id, state, attempts, run_after,
       lease_until, holder, pid, last_error FROM jobs;
   DROP TABLE jobs;
   ALTER TABLE jobs2 RENAME TO jobs;
   CREATE INDEX jobs_claim ON jobs(state, run_after);
   CREATE INDEX jobs_video ON jobs(video_id);`,
  // v3: a job may run several child processes; a video may play before it is ready.
  `ALTER TABLE jobs ADD COLUMN pids TEXT NOT NULL DEFAULT '[]';
   UPDATE jobs SET pids = json_array(pid) WHERE pid IS NOT NULL;
   ALTER TABLE videos ADD COLUMN playable INTEGER NOT NULL DEFAULT 0;
   UPDATE videos SET playable = 1 WHERE status = 'ready';`,
  // v4: who may see a video (public, unlisted, private).
  `ALTER TABLE videos ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
     CHECK (visibility IN ('public','unlisted','private'));
   CREATE INDEX videos_listed ON videos(visibility, seq);`,
  // v5: captions, one per video and language; the WebVTT file is a blob.
  `CREATE TABLE captions (
     video_id TEXT NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
     lang TEXT NOT NULL,
     label TEXT,
     created_at TEXT NOT NULL,
     PRIMARY KEY (video_id, lang)
   );`,
  // v6: webhooks: ordered and idempotent jobs, the hooks and their log, the transition outbox.
  `ALTER TABLE jobs ADD COLUMN order_key TEXT;
   ALTER TABLE jobs ADD COLUMN dedupe_key TEXT;
   CREATE INDEX jobs_order ON jobs(order_key);
   CREATE UNIQUE INDEX jobs_dedupe ON jobs(dedupe_key);
   CREATE TABLE webhooks (
     id TEXT PRIMARY KEY,
     url TEXT NOT NULL,
     events TEXT NOT NULL,
     secret TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE webhook_deliveries (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
     message_id TEXT NOT NULL,
     event TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     status_code INTEGER,
     duration_ms INTEGER NOT NULL,
     error TEXT,
     at TEXT NOT NULL
   );
   CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, seq);
   CREATE TABLE video_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     rev INTEGER NOT NULL,
     id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     video_id TEXT NOT NULL,
     video TEXT NOT NULL,
     at TEXT NOT NULL,
     holder TEXT,
     lease_until INTEGER
   );
   CREATE INDEX video_events_order ON video_events(rev, seq);`,
];

/** A database connection with the schema applied. */
export type Db = DatabaseSync;

/** Opens (creating if needed) `DATA_DIR/app.db` and runs pending migrations. */
export function openDb(dataDir: string): Db {
  Deno.mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(join(dataDir, "app.db"));
  db.exec("PRAGMA busy_timeout = 10000");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    const row = db.prepare("PRAGMA user_version").get() as {
      user_version: number;
    };
    for (let v = row.user_version; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    }
    db.exec("COMMIT");
  } catch (err) {
    rollback(db);
    throw err;
  }
}

/** Runs `fn` inside an IMMEDIATE transaction (takes the write lock up front). */
export function transaction<T>(db: Db, fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const out = fn();
    db.exec("COMMIT");
    return out;
  } catch (err) {
    rollback(db);
    throw err;
  }
}

/** Rolls back, ignoring "no transaction" (SQLite already rolled back, e.g. on SQLITE_FULL). */
function rollback(db: Db): void {
  try {
    db.exec("ROLLBACK");
  } catch { /* the original error matters, not this one */ }
}

/** Bumps and returns the global change counter (call inside a transaction). */
export function nextRev(db: Db): number {
  const row = db.prepare(
    "UPDATE counters SET value = value + 1 WHERE name = 'rev' RETURNING value",
  )
    .get() as { value: number };
  return row.value;
}
