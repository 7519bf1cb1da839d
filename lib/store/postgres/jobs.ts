/**
 * PostgreSQL {@link JobQueue} on the database's own primitives: a claim is one
 * `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)`, so concurrent claimers
 * on any number of machines each lock a different due row without waiting for each other.
 * Whatever makes a job claimable (enqueue, retry, release, reclaim) notifies
 * {@link JOBS_CHANNEL} in the same statement, delivered when it commits.
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
import { JOBS_CHANNEL, type Listener, pgText, type Sql } from "./db.ts";

interface ClaimRow {
  id: string;
  kind: JobKind;
  video_id: string | null;
  payload: unknown;
  attempts: number;
  last_error: string | null;
}

/** Times are BIGINT milliseconds; a fractional lease (JOB_LEASE_SEC=1.0005) is rounded. */
const ms = (x: number) => Math.round(x);

/** The `jobs` table. */
export class PgJobQueue implements JobQueue {
  #sql: Sql;
  #listener: Listener;

  constructor(sql: Sql, listener: Listener) {
    this.#sql = sql;
    this.#listener = listener;
  }

  async enqueue(job: NewJob): Promise<string> {
    const id = crypto.randomUUID();
    const payload = job.payload === undefined
      ? null
      : JSON.stringify(job.payload);
    const added = await this.#sql`
      WITH j AS (
        INSERT INTO jobs (id, kind, video_id, payload, state, attempts, run_after,
          order_key, dedupe_key)
        VALUES (${id}, ${job.kind}, ${
      job.videoId ?? null
    }, ${payload}::text::jsonb,
          'queued', 0, ${ms(job.runAt ?? Date.now())}, ${job.orderKey ?? null},
          ${job.dedupeKey ?? null})
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING kind
      )
      SELECT 1 FROM j, pg_notify(${JOBS_CHANNEL}, j.kind)`;
    if (added.length === 0 && job.dedupeKey) {
      const [row] = await this.#sql<{ id: string }[]>`
        SELECT id FROM jobs WHERE dedupe_key = ${job.dedupeKey}`;
      // Gone between the two statements: it ran, so nothing more is owed.
      return row?.id ?? id;
    }
    return id;
  }

  async claim(
    holder: string,
    leaseMs: number,
    kinds: JobKind[],
    now = Date.now(),
  ): Promise<ClaimedJob | null> {
    if (kinds.length === 0) return null;
    const [row] = await this.#sql<ClaimRow[]>`
      UPDATE jobs SET state = 'running', attempts = attempts + 1,
        lease_until = ${ms(now + leaseMs)}, holder = ${holder}, pids = '{}'
      WHERE id = (
        SELECT id FROM jobs j
        WHERE kind = ANY(${kinds})
          AND ((state = 'queued' AND run_after <= ${ms(now)})
            OR (state = 'running' AND lease_until < ${ms(now)}))
          AND (order_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM jobs e WHERE e.order_key = j.order_key AND e.seq < j.seq))
        ORDER BY run_after, seq
        LIMIT 1
        FOR UPDATE OF j SKIP LOCKED
      )
      RETURNING id, kind, video_id, payload, attempts, last_error`;
    if (!row) return null;
    return {
      id: row.id,
      kind: row.kind,
      videoId: row.video_id,
      payload: row.payload ?? null,
      attempts: row.attempts,
      holder,
      lastError: row.last_error,
    };
  }

  async renew(
    id: string,
    holder: string,
    leaseMs: number,
    now = Date.now(),
  ): Promise<boolean> {
    const r = await this.#sql`
      UPDATE jobs SET lease_until = ${ms(now + leaseMs)}
      WHERE id = ${id} AND holder = ${holder} AND state = 'running'`;
    return r.count > 0;
  }

  async setPids(id: string, holder: string, pids: number[]): Promise<void> {
    await this.#sql`UPDATE jobs SET pids = ${pids}::int[]
                    WHERE id = ${id} AND holder = ${holder}`;
  }

  async complete(id: string, holder: string): Promise<boolean> {
    const r = await this
      .#sql`DELETE FROM jobs WHERE id = ${id} AND holder = ${holder}`;
    return r.count > 0;
  }

  async retryLater(
    id: string,
    holder: string,
    error: string,
    delayMs: number,
    now = Date.now(),
  ): Promise<void> {
    await this.#sql`
      WITH j AS (
        UPDATE jobs SET state = 'queued', run_after = ${ms(now + delayMs)},
          lease_until = NULL, holder = NULL, pids = '{}', last_error = ${
      pgText(error)
    }
        WHERE id = ${id} AND holder = ${holder}
        RETURNING kind
      )
      SELECT 1 FROM j, pg_notify(${JOBS_CHANNEL}, j.kind)`;
  }

  async release(id: string, holder: string, now = Date.now()): Promise<void> {
    await this.#sql`
      WITH j AS (
        UPDATE jobs SET state = 'queued', run_after = ${ms(now)},
          attempts = GREATEST(attempts - 1, 0), lease_until = NULL, holder = NULL,
          pids = '{}'
        WHERE id = ${id} AND holder = ${holder}
        RETURNING kind
      )
      SELECT 1 FROM j, pg_notify(${JOBS_CHANNEL}, j.kind)`;
  }

  async reclaim(id: string, holder: string, now = Date.now()): Promise<void> {
    await this.#sql`
      WITH j AS (
        UPDATE jobs SET state = 'queued', run_after = ${
      ms(now)
    }, lease_until = NULL,
          holder = NULL, pids = '{}'
        WHERE id = ${id} AND holder = ${holder}
        RETURNING kind
      )
      SELECT 1 FROM j, pg_notify(${JOBS_CHANNEL}, j.kind)`;
  }

  async drop(id: string): Promise<void> {
    await this.#sql`DELETE FROM jobs WHERE id = ${id}`;
  }

  async dropForVideo(videoId: string, kind?: JobKind): Promise<void> {
    if (kind) {
      await this
        .#sql`DELETE FROM jobs WHERE video_id = ${videoId} AND kind = ${kind}`;
    } else {
      await this.#sql`DELETE FROM jobs WHERE video_id = ${videoId}`;
    }
  }

  async dropOrdered(prefix: string): Promise<void> {
    await this.#sql`DELETE FROM jobs WHERE starts_with(order_key, ${prefix})`;
  }

  async running(prefix = ""): Promise<RunningJob[]> {
    const rows = await this.#sql<{
      id: string;
      kind: JobKind;
      video_id: string | null;
      holder: string;
      pids: number[];
      lease_until: number;
    }[]>`
      SELECT id, kind, video_id, holder, pids, lease_until FROM jobs
      WHERE state = 'running' AND starts_with(holder, ${prefix})
      ORDER BY seq`;
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      videoId: r.video_id,
      holder: r.holder,
      pids: r.pids,
      leaseUntil: r.lease_until,
    }));
  }

  async depth(kind?: JobKind): Promise<QueueDepth> {
    const rows = kind
      ? await this.#sql<{ state: string; n: number }[]>`
          SELECT state, COUNT(*) AS n FROM jobs WHERE kind = ${kind} GROUP BY state`
      : await this.#sql<{ state: string; n: number }[]>`
          SELECT state, COUNT(*) AS n FROM jobs GROUP BY state`;
    const out = { queued: 0, processing: 0 };
    for (const r of rows) {
      if (r.state === "queued") out.queued = r.n;
      else out.processing = r.n;
    }
    return out;
  }

  /** Calls `onJob` whenever a job may have become claimable (any process's doing). */
  listen(onJob: () => void): Promise<() => Promise<void>> {
    return this.#listener.listen(JOBS_CHANNEL, onJob);
  }
}
