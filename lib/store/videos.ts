/**
 * Video records in SQLite. Every write bumps the global `rev` so other processes (and the
 * SSE hub) can find what changed since a given revision.
 */
import { type Db, nextRev, transaction } from "./db.ts";

/** Lifecycle of a video. */
export type VideoStatus = "queued" | "processing" | "ready" | "failed";

/** One encoded rendition; bitrate in bits/s. */
export interface RenditionInfo {
  width: number;
  height: number;
  bitrate: number;
}

/** A video as stored. `media` is the probe result kept for the transcoder. */
export interface VideoRecord {
  seq: number;
  id: string;
  title: string;
  status: VideoStatus;
  progress: number;
  error: string | null;
  createdAt: string;
  sourceName: string;
  sizeBytes: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  renditions: RenditionInfo[];
  media: unknown;
  rev: number;
}

/** Fields set when a video is created. */
export interface NewVideo {
  id: string;
  title: string;
  sourceName: string;
  sizeBytes: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  media: unknown;
}

/** Fields a state change may set. */
export type VideoPatch = Partial<
  Pick<
    VideoRecord,
    | "title"
    | "status"
    | "progress"
    | "error"
    | "renditions"
    | "durationSec"
    | "width"
    | "height"
  >
>;

interface Row {
  seq: number;
  id: string;
  title: string;
  status: VideoStatus;
  progress: number;
  error: string | null;
  created_at: string;
  source_name: string;
  size_bytes: number;
  duration_sec: number | null;
  width: number | null;
  height: number | null;
  renditions: string;
  media: string | null;
  rev: number;
}

function fromRow(r: Row): VideoRecord {
  return {
    seq: r.seq,
    id: r.id,
    title: r.title,
    status: r.status,
    progress: r.progress,
    error: r.error,
    createdAt: r.created_at,
    sourceName: r.source_name,
    sizeBytes: r.size_bytes,
    durationSec: r.duration_sec,
    width: r.width,
    height: r.height,
    renditions: JSON.parse(r.renditions),
    media: r.media ? JSON.parse(r.media) : null,
    rev: r.rev,
  };
}

const COLUMNS: Record<keyof VideoPatch, string> = {
  title: "title",
  status: "status",
  progress: "progress",
  error: "error",
  renditions: "renditions",
  durationSec: "duration_sec",
  width: "width",
  height: "height",
};

/** Reads and writes video records. */
export class VideoStore {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Inserts a new video in state `queued` together with its job, atomically. */
  create(v: NewVideo, now = new Date()): VideoRecord {
    return transaction(this.#db, () => {
      const rev = nextRev(this.#db);
      const row = this.#db.prepare(
        `INSERT INTO videos (id, title, status, progress, created_at, source_name, size_bytes,
           duration_sec, width, height, media, rev)
         VALUES (?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(
        v.id,
        v.title,
        now.toISOString(),
        v.sourceName,
        v.sizeBytes,
        v.durationSec,
        v.width,
        v.height,
        JSON.stringify(v.media ?? null),
        rev,
      ) as unknown as Row;
      this.#db.prepare(
        "INSERT INTO jobs (video_id, state, attempts, run_after) VALUES (?, 'queued', 0, ?)",
      ).run(v.id, now.getTime());
      return fromRow(row);
    });
  }

  /** One video, or null. */
  get(id: string): VideoRecord | null {
    const row = this.#db.prepare("SELECT * FROM videos WHERE id = ?").get(id) as
      | Row
      | undefined;
    return row ? fromRow(row) : null;
  }

  /** Newest first; `beforeSeq` continues after the last item of a previous page. */
  list(limit: number, beforeSeq?: number): VideoRecord[] {
    const rows = beforeSeq === undefined
      ? this.#db.prepare("SELECT * FROM videos ORDER BY seq DESC LIMIT ?").all(
        limit,
      )
      : this.#db.prepare(
        "SELECT * FROM videos WHERE seq < ? ORDER BY seq DESC LIMIT ?",
      )
        .all(beforeSeq, limit);
    return (rows as unknown as Row[]).map(fromRow);
  }

  /** Applies a patch; returns the updated record, or null when the video is gone. */
  update(id: string, patch: VideoPatch): VideoRecord | null {
    const keys = Object.keys(patch) as (keyof VideoPatch)[];
    return transaction(this.#db, () => {
      const rev = nextRev(this.#db);
      const sets = keys.map((k) => `${COLUMNS[k]} = ?`);
      const values = keys.map((k) => {
        const v = patch[k];
        return k === "renditions"
          ? JSON.stringify(v)
          : (v as string | number | null);
      });
      const row = this.#db.prepare(
        `UPDATE videos SET ${
          [...sets, "rev = ?"].join(", ")
        } WHERE id = ? RETURNING *`,
      ).get(...values, rev, id) as Row | undefined;
      return row ? fromRow(row) : null;
    });
  }

  /** Removes the record and its job; leaves a tombstone for listeners. False when absent. */
  delete(id: string): boolean {
    return transaction(this.#db, () => {
      const gone = this.#db.prepare("DELETE FROM videos WHERE id = ?").run(id);
      if (gone.changes === 0) return false;
      this.#db.prepare("DELETE FROM jobs WHERE video_id = ?").run(id);
      const rev = nextRev(this.#db);
      this.#db.prepare(
        "INSERT OR REPLACE INTO tombstones (id, rev) VALUES (?, ?)",
      ).run(id, rev);
      return true;
    });
  }

  /** Everything that changed after `rev`: updated videos and deleted ids, in rev order. */
  changesSince(
    rev: number,
  ): { videos: VideoRecord[]; deleted: string[]; rev: number } {
    const upto = this.currentRev();
    if (upto <= rev) return { videos: [], deleted: [], rev: upto };
    const videos = (this.#db.prepare(
      "SELECT * FROM videos WHERE rev > ? AND rev <= ? ORDER BY rev",
    ).all(rev, upto) as unknown as Row[]).map(fromRow);
    const deleted = (this.#db.prepare(
      "SELECT id FROM tombstones WHERE rev > ? AND rev <= ? ORDER BY rev",
    ).all(rev, upto) as unknown as { id: string }[]).map((r) => r.id);
    return { videos, deleted, rev: upto };
  }

  /** The latest change counter. */
  currentRev(): number {
    const row = this.#db.prepare(
      "SELECT value FROM counters WHERE name = 'rev'",
    ).get() as {
      value: number;
    };
    return row.value;
  }

  /** Counts videos by status (for health and metrics). */
  countByStatus(): Record<VideoStatus, number> {
    const out: Record<VideoStatus, number> = {
      queued: 0,
      processing: 0,
      ready: 0,
      failed: 0,
    };
    const rows = this.#db.prepare(
      "SELECT status, COUNT(*) AS n FROM videos GROUP BY status",
    )
      .all() as unknown as { status: VideoStatus; n: number }[];
    for (const r of rows) out[r.status] = r.n;
    return out;
  }
}
