/**
 * The PostgreSQL backend: every store port on one database (`DATABASE_URL`), shared by any
 * number of web and worker processes on any number of machines. Video writes and claimable
 * jobs are announced with NOTIFY, so `changes.listen` and `jobs.listen` push instead of
 * polling.
 *
 * @module
 */
import type { Stores } from "../ports.ts";
import { connect, Listener, migrate, openError, type Sql } from "./db.ts";
import { PgCaptionStore } from "./captions.ts";
import { PgCounters } from "./counters.ts";
import { PgJobQueue } from "./jobs.ts";
import { PgLocks } from "./locks.ts";
import { isPostgresUrl, redactUrl } from "./url.ts";
import { PgVideoStore } from "./videos.ts";
import { PgWebhookStore } from "./webhooks.ts";

/** Options of {@link openPostgresStores}. */
export interface PostgresOptions {
  /** Most pooled connections of this process (default 10; LISTEN uses one more). */
  maxConnections?: number;
}

/**
 * Connects, brings the schema up to date and returns the stores. Throws one sentence
 * naming `DATABASE_URL` (without its password) when the database cannot be reached or
 * refuses the connection.
 */
export async function openPostgresStores(
  url: string,
  opts: PostgresOptions = {},
): Promise<Stores> {
  if (!isPostgresUrl(url)) {
    throw new Error(
      `DATABASE_URL=${
        redactUrl(url)
      } must start with postgres:// or postgresql://.`,
    );
  }
  let sql: Sql;
  try {
    sql = connect(url, opts.maxConnections);
  } catch (err) {
    throw new Error(
      `DATABASE_URL=${redactUrl(url)} is not a valid connection URL: ${
        (err as Error).message
      }.`,
    );
  }
  try {
    await sql`SELECT 1`;
  } catch (err) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw openError(err, url);
  }
  try {
    await migrate(sql);
  } catch (err) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw new Error(
      `DATABASE_URL (${redactUrl(url)}): the schema migration failed: ${
        (err as Error).message
      }.`,
    );
  }
  const listener = new Listener(url);
  const videos = new PgVideoStore(sql, listener);
  const locks = new PgLocks(sql);
  return {
    videos,
    captions: new PgCaptionStore(sql),
    jobs: new PgJobQueue(sql, listener),
    counters: new PgCounters(sql),
    changes: videos,
    events: videos,
    webhooks: new PgWebhookStore(sql),
    async ping() {
      await sql`SELECT 1`;
    },
    lock: (name, signal) => locks.acquire(name, signal),
    async close() {
      await locks.close();
      await listener.close();
      await sql.end({ timeout: 5 });
    },
  };
}
