/**
 * The PostgreSQL connection pool (npm `postgres`), its schema migrations, and the sentences
 * an unreachable or refusing database becomes.
 *
 * Migrations run at open in one transaction holding an advisory lock, so processes that
 * start together apply them once, in order; `schema_migrations` records each version.
 *
 * @module
 */
import postgres from "postgres";
import { redactUrl } from "./url.ts";

/** int8 (BIGINT, COUNT(*)) as a JS number instead of the driver's default string. */
const BIGINT: postgres.PostgresType<number> = {
  to: 20,
  from: [20],
  serialize: (x: number) => String(x),
  parse: (x: string) => Number(x),
};

/** Opens a lazy pool (nothing connects before the first query). */
export function connect(url: string, max = 10) {
  return postgres(url, {
    max,
    types: { bigint: BIGINT },
    connect_timeout: 10,
    // CREATE … IF NOT EXISTS and friends would print NOTICEs to the console.
    onnotice: () => {},
    connection: { application_name: "reel" },
  });
}

/** A pool with the app's types. */
export type Sql = ReturnType<typeof connect>;

/** PostgreSQL text cannot hold NUL; an error message (ffmpeg output) may. */
export function pgText(s: string | null): string | null {
  return s === null ? null : s.replaceAll("\0", "\uFFFD");
}

/** Channel notified (payload: the new revision) by every video write. */
export const CHANGES_CHANNEL = "reel_changes";
/** Channel notified (payload: the job kind) when a job becomes claimable. */
export const JOBS_CHANNEL = "reel_jobs";

/** Ordered schema migrations; the index + 1 is the version. Never edit a shipped one. */
export const MIGRATIONS: string[] = [
  // v1: the logical schema of the SQLite backend (after its v3).
  `CREATE TABLE videos (
     seq BIGSERIAL PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     title TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('queued','processing','ready','failed')),
     playable BOOLEAN NOT NULL DEFAULT false,
     progress DOUBLE PRECISION NOT NULL DEFAULT 0,
     error TEXT,
     created_at TIMESTAMPTZ NOT NULL,
     source_name TEXT NOT NULL,
     size_bytes BIGINT NOT NULL,
     duration_sec DOUBLE PRECISION,
     width INTEGER,
     height INTEGER,
     renditions JSONB NOT NULL DEFAULT '[]',
     media JSON,
     rev BIGINT NOT NULL
   );
   CREATE INDEX videos_rev ON videos (rev);
   CREATE TABLE tombstones (id TEXT PRIMARY KEY, rev BIGINT NOT NULL);
   CREATE INDEX tombstones_rev ON tombstones (rev);
   CREATE TABLE counters (name TEXT PRIMARY KEY, value DOUBLE PRECISION NOT NULL);
   INSERT INTO counters (name, value) VALUES ('rev', 0);
   CREATE TABLE jobs (
     seq BIGSERIAL NOT NULL,
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     video_id TEXT REFERENCES videos (id) ON DELETE CASCADE,
     payload JSONB,
     state TEXT NOT NULL CHECK (state IN ('queued','running')),
     attempts INTEGER NOT NULL DEFAULT 0,
     run_after BIGINT NOT NULL,
     lease_until BIGINT,
     holder TEXT,
     pids INTEGER[] NOT NULL DEFAULT '{}',
     last_error TEXT
   );
   CREATE INDEX jobs_due ON jobs (run_after, seq) WHERE state = 'queued';
   CREATE INDEX jobs_lease ON jobs (lease_until) WHERE state = 'running';
   CREATE INDEX jobs_video ON jobs (video_id);`,
  // v2: who may see a video (public, unlisted, private).
  `ALTER TABLE videos ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public'
     CHECK (visibility IN ('public','unlisted','private'));
   CREATE INDEX videos_listed ON videos (visibility, seq);`,
  // v3: captions, one per video and language; the WebVTT file is a blob.
  `CREATE TABLE captions (
     video_id TEXT NOT NULL REFERENCES videos (id) ON DELETE CASCADE,
     lang TEXT NOT NULL,
     label TEXT,
     created_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (video_id, lang)
   );`,
  // v4: webhooks: ordered and idempotent jobs, the hooks and their log, the transition outbox
  // (ordered by the revision, which is taken under the counter lock, so in commit order).
  `ALTER TABLE jobs ADD COLUMN order_key TEXT, ADD COLUMN dedupe_key TEXT;
   CREATE INDEX jobs_order ON jobs (order_key, seq) WHERE order_key IS NOT NULL;
   CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe_key);
   CREATE TABLE webhooks (
     seq BIGSERIAL NOT NULL,
     id TEXT PRIMARY KEY,
     url TEXT NOT NULL,
     events TEXT[] NOT NULL,
     secret TEXT NOT NULL,
     created_at TIMESTAMPTZ NOT NULL
   );
   CREATE TABLE webhook_deliveries (
     seq BIGSERIAL PRIMARY KEY,
     webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
     message_id TEXT NOT NULL,
     event TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     status_code INTEGER,
     duration_ms INTEGER NOT NULL,
     error TEXT,
     at TIMESTAMPTZ NOT NULL
   );
   CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, seq);
   CREATE TABLE video_events (
     seq BIGSERIAL PRIMARY KEY,
     rev BIGINT NOT NULL,
     id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     video_id TEXT NOT NULL,
     video JSONB NOT NULL,
     at TIMESTAMPTZ NOT NULL,
     holder TEXT,
     lease_until BIGINT
   );
   CREATE INDEX video_events_order ON video_events (rev, seq);`,
];

/** Advisory lock key of the migrations ("reel" in ASCII). */
const MIGRATION_LOCK = 0x7265656c;

/** Applies pending migrations; returns the schema version. */
export async function migrate(sql: Sql): Promise<number> {
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
               version INTEGER PRIMARY KEY,
               applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`;
    const [{ version }] = await tx<{ version: number }[]>`
      SELECT COALESCE(MAX(version), 0)::int AS version FROM schema_migrations`;
    // A newer schema (a later build ran first) is left alone, as the SQLite backend does.
    for (let v = version; v < MIGRATIONS.length; v++) {
      await tx.unsafe(MIGRATIONS[v]);
      await tx`INSERT INTO schema_migrations (version) VALUES (${v + 1})`;
    }
    return Math.max(version, MIGRATIONS.length);
  });
}

/** Error codes of a socket that never reached a server, as a reason. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  CONNECT_TIMEOUT: "connection timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EPIPE: "connection closed",
  CONNECTION_CLOSED: "connection closed",
  CONNECTION_ENDED: "connection closed",
};

function sentence(text: string): string {
  return text.trim().replace(/[.\s]+$/, "") + ".";
}

/**
 * The one-sentence error for a failed first connection: unreachable (network) or refused
 * by the server (authentication, missing database, too many connections, …). Never
 * contains the password.
 */
export function openError(err: unknown, url: string): Error {
  if (err instanceof postgres.PostgresError) {
    return new Error(sentence(`DATABASE_URL was refused: ${err.message}`));
  }
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : "";
  const reason = NETWORK_REASONS[code] ??
    (typeof e?.message === "string" && e.message ? e.message : String(err));
  return new Error(
    sentence(`DATABASE_URL cannot be reached (${redactUrl(url)}): ${reason}`),
  );
}

/**
 * LISTEN on one dedicated connection, shared by every subscriber of a pool. When that
 * connection drops it is re-established (retrying every second while anyone listens) and
 * every subscriber is called once, since notifications sent meanwhile were lost.
 */
export class Listener {
  #url: string;
  #sql: Sql | null = null;
  #subs = new Map<string, Set<() => void>>();
  #closed = false;
  #reconnecting = false;

  constructor(url: string) {
    this.#url = url;
  }

  /** Calls `fn` on each notification of `channel`; resolves once listening. */
  async listen(channel: string, fn: () => void): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("the store is closed");
    let subs = this.#subs.get(channel);
    if (!subs) this.#subs.set(channel, subs = new Set());
    const sub = () => fn();
    subs.add(sub);
    try {
      // LISTEN twice is a no-op; each caller waits for its own, so it resolves once
      // listening even while an earlier subscriber's LISTEN is still on its way.
      await this.#conn().unsafe(`LISTEN ${channel}`);
    } catch (err) {
      subs.delete(sub);
      if (subs.size === 0) this.#subs.delete(channel);
      throw err;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      const set = this.#subs.get(channel);
      set?.delete(sub);
      if (set && set.size === 0) {
        this.#subs.delete(channel);
        if (!this.#closed && this.#sql) {
          await this.#sql.unsafe(`UNLISTEN ${channel}`).catch(() => {});
        }
      }
    };
  }

  /** Ends the listening connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subs.clear();
    const sql = this.#sql;
    this.#sql = null;
    await sql?.end({ timeout: 1 });
  }

  #conn(): Sql {
    if (this.#sql) return this.#sql;
    const options = {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      fetch_types: false,
      connect_timeout: 10,
      onnotice: () => {},
      connection: { application_name: "reel-listen" },
      // Not in the driver's typings, but what its own sql.listen() is built on.
      onnotify: (channel: string) => this.#notify(channel),
      onclose: () => void this.#relisten(),
    };
    const sql = postgres(this.#url, options) as unknown as Sql;
    this.#sql = sql;
    return sql;
  }

  #notify(channel: string): void {
    for (const fn of [...(this.#subs.get(channel) ?? [])]) {
      try {
        fn();
      } catch { /* a subscriber's failure is its own */ }
    }
  }

  async #relisten(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      while (!this.#closed && this.#subs.size > 0 && this.#sql) {
        try {
          for (const channel of this.#subs.keys()) {
            await this.#sql.unsafe(`LISTEN ${channel}`);
          }
          for (const channel of [...this.#subs.keys()]) this.#notify(channel);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    } finally {
      this.#reconnecting = false;
    }
  }
}
