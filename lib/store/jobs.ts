/**
 * The durable job queue. {@link JobQueue} is the interface the worker depends on; the
 * SQLite implementation claims jobs atomically with a lease so that any number of processes
 * can share one database and each job runs exactly once at a time.
 */
import { type Db, transaction } from "./db.ts";

/** A job as handed to a worker. */
export interface ClaimedJob {
  videoId: string;
  attempts: number;
  holder: string;
}

/** A running job whose holder may be gone (for crash recovery). */
export interface RunningJob {
  videoId: string;
  holder: string;
  pid: number | null;
  leaseUntil: number;
}

/** What a worker needs from a job store; a network database can implement it later. */
export interface JobQueue {
  /** Claims the next due job (queued and due, or running with an expired lease). */
  claim(holder: string, leaseMs: number, now?: number): ClaimedJob | null;
  /** Extends the lease; false when the job is no longer held by `holder` (deleted, stolen). */
  renew(
    videoId: string,
    holder: string,
    leaseMs: number,
    now?: number,
  ): boolean;
  /** Records the ffmpeg pid of a running job so a recovering process can kill it. */
  setPid(videoId: string, holder: string, pid: number | null): void;
  /** Removes a finished job. */
  complete(videoId: string, holder: string): void;
  /** Puts the job back to run after `delayMs`, recording the error. */
  retryLater(
    videoId: string,
    holder: string,
    error: string,
    delayMs: number,
    now?: number,
  ): void;
  /** Removes a job that will not be retried. */
  drop(videoId: string): void;
  /** Queues a job for a video again (retry of a failed video), attempts reset. */
  requeue(videoId: string, now?: number): void;
  /** Hands a held job back to the queue at once without counting the attempt (shutdown). */
  release(videoId: string, holder: string, now?: number): void;
  /** Puts a job whose holder died back in the queue at once (the attempt still counts). */
  reclaim(videoId: string, holder: string, now?: number): void;
  /** Running jobs whose holder starts with `prefix` (this machine's holders). */
  running(prefix?: string): RunningJob[];
  /** Number of queued and running jobs. */
  depth(): { queued: number; processing: number };
}

/** SQLite-backed {@link JobQueue}. */
export class SqliteJobQueue implements JobQueue {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  claim(holder: string, leaseMs: number, now = Date.now()): ClaimedJob | null {
    return transaction(this.#db, () => {
      const row = this.#db.prepare(
        `SELECT video_id, attempts FROM jobs
         WHERE (state = 'queued' AND run_after <= ?) OR (state = 'running' AND lease_until < ?)
         ORDER BY run_after, rowid LIMIT 1`,
      ).get(now, now) as { video_id: string; attempts: number } | undefined;
      if (!row) return null;
      this.#db.prepare(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = ?,
           holder = ?, pid = NULL WHERE video_id = ?`,
      ).run(now + leaseMs, holder, row.video_id);
      return { videoId: row.video_id, attempts: row.attempts + 1, holder };
    });
  }

  renew(
    videoId: string,
    holder: string,
    leaseMs: number,
    now = Date.now(),
  ): boolean {
    const r = this.#db.prepare(
      "UPDATE jobs SET lease_until = ? WHERE video_id = ? AND holder = ? AND state = 'running'",
    ).run(now + leaseMs, videoId, holder);
    return r.changes > 0;
  }

  setPid(videoId: string, holder: string, pid: number | null): void {
    this.#db.prepare(
      "UPDATE jobs SET pid = ? WHERE video_id = ? AND holder = ?",
    ).run(
      pid,
      videoId,
      holder,
    );
  }

  complete(videoId: string, holder: string): void {
    this.#db.prepare("DELETE FROM jobs WHERE video_id = ? AND holder = ?").run(
      videoId,
      holder,
    );
  }

  retryLater(
    videoId: string,
    holder: string,
    error: string,
    delayMs: number,
    now = Date.now(),
  ) {
    this.#db.prepare(
      `UPDATE jobs SET state = 'queued', run_after = ?, lease_until = NULL, holder = NULL,
         pid = NULL, last_error = ? WHERE video_id = ? AND holder = ?`,
    ).run(now + delayMs, error, videoId, holder);
  }

  drop(videoId: string): void {
    this.#db.prepare("DELETE FROM jobs WHERE video_id = ?").run(videoId);
  }

  requeue(videoId: string, now = Date.now()): void {
    this.#db.prepare(
      `INSERT INTO jobs (video_id, state, attempts, run_after) VALUES (?, 'queued', 0, ?)
       ON CONFLICT (video_id) DO UPDATE SET state = 'queued', attempts = 0, run_after = ?,
         lease_until = NULL, holder = NULL, pid = NULL`,
    ).run(videoId, now, now);
  }

  release(videoId: string, holder: string, now = Date.now()): void {
    this.#db.prepare(
      `UPDATE jobs SET state = 'queued', run_after = ?, attempts = MAX(attempts - 1, 0),
         lease_until = NULL, holder = NULL, pid = NULL WHERE video_id = ? AND holder = ?`,
    ).run(now, videoId, holder);
  }

  reclaim(videoId: string, holder: string, now = Date.now()): void {
    this.#db.prepare(
      `UPDATE jobs SET state = 'queued', run_after = ?, lease_until = NULL, holder = NULL,
         pid = NULL WHERE video_id = ? AND holder = ?`,
    ).run(now, videoId, holder);
  }

  running(prefix = ""): RunningJob[] {
    const rows = this.#db.prepare(
      `SELECT video_id, holder, pid, lease_until FROM jobs
       WHERE state = 'running' AND substr(holder, 1, ?) = ?`,
    ).all(prefix.length, prefix) as unknown as {
      video_id: string;
      holder: string;
      pid: number | null;
      lease_until: number;
    }[];
    return rows.map((r) => ({
      videoId: r.video_id,
      holder: r.holder,
      pid: r.pid,
      leaseUntil: r.lease_until,
    }));
  }

  depth(): { queued: number; processing: number } {
    const rows = this.#db.prepare(
      "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state",
    )
      .all() as unknown as { state: string; n: number }[];
    const out = { queued: 0, processing: 0 };
    for (const r of rows) {
      if (r.state === "queued") out.queued = r.n;
      else out.processing = r.n;
    }
    return out;
  }
}
