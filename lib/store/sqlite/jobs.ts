/**
 * SQLite {@link JobQueue}: jobs are claimed inside an IMMEDIATE transaction (the write lock),
 * so any number of processes sharing the file each get a different job.
 *
 * @module
 */
import type {
  ClaimedJob,
  JobKind,
  JobQueue,
  NewJob,
  QueueDepth,
  RunningJob,
} from "../ports.ts";
import { type Db, transaction } from "./db.ts";

interface ClaimRow {
  id: string;
  kind: JobKind;
  video_id: string | null;
  payload: string | null;
  attempts: number;
  last_error: string | null;
}

/** The `jobs` table. */
export class SqliteJobQueue implements JobQueue {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  enqueue(job: NewJob): Promise<string> {
    const id = crypto.randomUUID();
    const added = this.#db.prepare(
      `INSERT INTO jobs (id, kind, video_id, payload, state, attempts, run_after, order_key,
         dedupe_key)
       VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    ).run(
      id,
      job.kind,
      job.videoId ?? null,
      job.payload === undefined ? null : JSON.stringify(job.payload),
      job.runAt ?? Date.now(),
      job.orderKey ?? null,
      job.dedupeKey ?? null,
    );
    if (added.changes === 0 && job.dedupeKey) {
      const row = this.#db.prepare("SELECT id FROM jobs WHERE dedupe_key = ?")
        .get(job.dedupeKey) as { id: string } | undefined;
      // Gone between the two statements: it ran, so nothing more is owed.
      return Promise.resolve(row?.id ?? id);
    }
    return Promise.resolve(id);
  }

  claim(
    holder: string,
    leaseMs: number,
    kinds: JobKind[],
    now = Date.now(),
  ): Promise<ClaimedJob | null> {
    if (kinds.length === 0) return Promise.resolve(null);
    return Promise.resolve(transaction(this.#db, () => {
      const row = this.#db.prepare(
        `SELECT id, kind, video_id, payload, attempts, last_error FROM jobs
         WHERE kind IN (${kinds.map(() => "?").join(", ")})
           AND ((state = 'queued' AND run_after <= ?) OR (state = 'running' AND lease_until < ?))
           AND (order_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM jobs e WHERE e.order_key = jobs.order_key AND e.rowid < jobs.rowid))
         ORDER BY run_after, rowid LIMIT 1`,
      ).get(...kinds, now, now) as ClaimRow | undefined;
      if (!row) return null;
      this.#db.prepare(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?,
           holder = ?, pids = '[]' WHERE id = ?`,
      ).run(now + leaseMs, holder, row.id);
      return {
        id: row.id,
        kind: row.kind,
        videoId: row.video_id,
        payload: row.payload === null ? null : JSON.parse(row.payload),
        attempts: row.attempts + 1,
        holder,
        lastError: row.last_error,
      };
    }));
  }

  renew(
    id: string,
    holder: string,
    leaseMs: number,
    now = Date.now(),
  ): Promise<boolean> {
    const r = this.#db.prepare(
      "UPDATE jobs SET lease_until = ? WHERE id = ? AND holder = ? AND state = 'running'",
    ).run(now + leaseMs, id, holder);
    return Promise.resolve(r.changes > 0);
  }

  setPids(id: string, holder: string, pids: number[]): Promise<void> {
    this.#db.prepare("UPDATE jobs SET pids = ? WHERE id = ? AND holder = ?")
      .run(JSON.stringify(pids), id, holder);
    return Promise.resolve();
  }

  complete(id: string, holder: string): Promise<boolean> {
    const r = this.#db.prepare("DELETE FROM jobs WHERE id = ? AND holder = ?")
      .run(id, holder);
    return Promise.resolve(r.changes > 0);
  }

  retryLater(
    id: string,
    holder: string,
    error: string,
    delayMs: number,
    now = Date.now(),
  ): Promise<void> {
    this.#db.prepare(
      `UPDATE jobs SET state = 'queued', run_after = ?, lease_until = NULL, holder = NULL,
         pids = '[]', last_error = ? WHERE id = ? AND holder = ?`,
    ).run(now + delayMs, error, id, holder);
    return Promise.resolve();
  }

  release(id: string, holder: string, now = Date.now()): Promise<void> {
    this.#db.prepare(
      `UPDATE jobs SET state = 'queued', run_after = ?, attempts = MAX(attempts - 1, 0),
         lease_until = NULL, holder = NULL, pids = '[]' WHERE id = ? AND holder = ?`,
    ).run(now, id, holder);
    return Promise.resolve();
  }

  reclaim(id: string, holder: string, now = Date.now()): Promise<void> {
    this.#db.prepare(
      `UPDATE jobs SET state = 'queued', run_after = ?, lease_until = NULL, holder = NULL,
         pids = '[]' WHERE id = ? AND holder = ?`,
    ).run(now, id, holder);
    return Promise.resolve();
  }

  drop(id: string): Promise<void> {
    this.#db.prepare("DELETE FROM jobs WHERE id = ?").run(id);
    return Promise.resolve();
  }

  dropForVideo(videoId: string, kind?: JobKind): Promise<void> {
    if (kind) {
      this.#db.prepare("DELETE FROM jobs WHERE video_id = ? AND kind = ?")
        .run(videoId, kind);
    } else {
      this.#db.prepare("DELETE FROM jobs WHERE video_id = ?").run(videoId);
    }
    return Promise.resolve();
  }

  dropOrdered(prefix: string): Promise<void> {
    this.#db.prepare(
      "DELETE FROM jobs WHERE order_key IS NOT NULL AND substr(order_key, 1, ?) = ?",
    ).run(prefix.length, prefix);
    return Promise.resolve();
  }

  running(prefix = ""): Promise<RunningJob[]> {
    const rows = this.#db.prepare(
      `SELECT id, kind, video_id, holder, pids, lease_until FROM jobs
       WHERE state = 'running' AND substr(holder, 1, ?) = ?`,
    ).all(prefix.length, prefix) as unknown as {
      id: string;
      kind: JobKind;
      video_id: string | null;
      holder: string;
      pids: string;
      lease_until: number;
    }[];
    return Promise.resolve(rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      videoId: r.video_id,
      holder: r.holder,
      pids: JSON.parse(r.pids) as number[],
      leaseUntil: r.lease_until,
    })));
  }

  depth(kind?: JobKind): Promise<QueueDepth> {
    const rows = (kind
      ? this.#db.prepare(
        "SELECT state, COUNT(*) AS n FROM jobs WHERE kind = ? GROUP BY state",
      ).all(kind)
      : this.#db.prepare(
        "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state",
      ).all()) as unknown as { state: string; n: number }[];
    const out = { queued: 0, processing: 0 };
    for (const r of rows) {
      if (r.state === "queued") out.queued = r.n;
      else out.processing = r.n;
    }
    return Promise.resolve(out);
  }
}
