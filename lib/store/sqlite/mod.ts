/**
 * The embedded backend: every store port on one SQLite file (`DATA_DIR/app.db`).
 *
 * @module
 */
import type { Stores } from "../ports.ts";
import { openDb } from "./db.ts";
import { SqliteCaptionStore } from "./captions.ts";
import { SqliteCounters } from "./counters.ts";
import { SqliteJobQueue } from "./jobs.ts";
import { SqliteVideoStore } from "./videos.ts";
import { SqliteWebhookStore } from "./webhooks.ts";

/** Opens (creating and migrating) the database in `dataDir` and returns its stores. */
export function openSqliteStores(dataDir: string): Stores {
  const db = openDb(dataDir);
  const videos = new SqliteVideoStore(db);
  return {
    videos,
    captions: new SqliteCaptionStore(db),
    jobs: new SqliteJobQueue(db),
    counters: new SqliteCounters(db),
    changes: videos,
    events: videos,
    webhooks: new SqliteWebhookStore(db),
    ping() {
      db.prepare("SELECT 1").get();
      return Promise.resolve();
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}
