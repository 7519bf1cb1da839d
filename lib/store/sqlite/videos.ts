/**
 * SQLite {@link VideoStore} and {@link ChangeLog}. Every write bumps the global `rev` so other
 * processes (and the SSE hub) can find what changed since a given revision; deletions leave
 * a tombstone for the same reason.
 *
 * @module
 */
import type {
  ChangeLog,
  Changes,
  JobKind,
  NewVideo,
  RenditionState,
  VideoPatch,
  VideoRecord,
  VideoStatus,
  VideoStore,
  Visibility,
} from "../ports.ts";
import { type Db, nextRev, transaction } from "./db.ts";

interface Row {
  seq: number;
  id: string;
  title: string;
  status: VideoStatus;
  playable: number;
  visibility: Visibility;
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
  /** JSON array from {@link WITH_CAPTIONS}. */
  captions: string | null;
}

/** Selects a video's captions as a JSON array beside its columns (`SELECT *, …`). */
const WITH_CAPTIONS =
  `(SELECT json_group_array(json_object('lang', lang, 'label', label))
   FROM (SELECT lang, label FROM captions c WHERE c.video_id = videos.id ORDER BY lang))
   AS captions`;

function fromRow(r: Row): VideoRecord {
  const renditions = (JSON.parse(r.renditions) as Partial<RenditionState>[])
    .map((x) => ({
      width: x.width ?? 0,
      height: x.height ?? 0,
      bitrate: x.bitrate ?? null,
      // Rows written before per-rendition state listed finished renditions only.
      ready: x.ready ?? true,
    }));
  return {
    seq: r.seq,
    id: r.id,
    title: r.title,
    status: r.status,
    playable: r.playable === 1,
    visibility: r.visibility,
    progress: r.progress,
    error: r.error,
    createdAt: r.created_at,
    sourceName: r.source_name,
    sizeBytes: r.size_bytes,
    durationSec: r.duration_sec,
    width: r.width,
    height: r.height,
    renditions,
    captions: r.captions ? JSON.parse(r.captions) : [],
    media: r.media ? JSON.parse(r.media) : null,
    rev: r.rev,
  };
}

const COLUMNS: Record<keyof VideoPatch, string> = {
  title: "title",
  status: "status",
  playable: "playable",
  visibility: "visibility",
  progress: "progress",
  error: "error",
  renditions: "renditions",
  durationSec: "duration_sec",
  width: "width",
  height: "height",
};

/** Video records in the `videos` table (+ `tombstones` for deletions). */
export class SqliteVideoStore implements VideoStore, ChangeLog {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  create(v: NewVideo, now = new Date()): Promise<VideoRecord> {
    return Promise.resolve(transaction(this.#db, () => {
      const rev = nextRev(this.#db);
      const row = this.#db.prepare(
        `INSERT INTO videos (id, title, visibility, status, progress, created_at, source_name,
           size_bytes, duration_sec, width, height, media, rev)
         VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *, ${WITH_CAPTIONS}`,
      ).get(
        v.id,
        v.title,
        v.visibility ?? "public",
        now.toISOString(),
        v.sourceName,
        v.sizeBytes,
        v.durationSec,
        v.width,
        v.height,
        JSON.stringify(v.media ?? null),
        rev,
      ) as unknown as Row;
      return fromRow(row);
    }));
  }

  get(id: string): Promise<VideoRecord | null> {
    const row = this.#db.prepare(
      `SELECT *, ${WITH_CAPTIONS} FROM videos WHERE id = ?`,
    ).get(id) as
      | Row
      | undefined;
    return Promise.resolve(row ? fromRow(row) : null);
  }

  list(
    limit: number,
    beforeSeq?: number,
    only?: Visibility[],
  ): Promise<VideoRecord[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (beforeSeq !== undefined) {
      where.push("seq < ?");
      args.push(beforeSeq);
    }
    if (only) {
      where.push(`visibility IN (${only.map(() => "?").join(", ") || "NULL"})`);
      args.push(...only);
    }
    const rows = this.#db.prepare(
      `SELECT *, ${WITH_CAPTIONS} FROM videos ${
        where.length ? `WHERE ${where.join(" AND ")}` : ""
      } ORDER BY seq DESC LIMIT ?`,
    ).all(...args, limit);
    return Promise.resolve((rows as unknown as Row[]).map(fromRow));
  }

  update(
    id: string,
    patch: VideoPatch,
    onlyIf?: VideoStatus[],
  ): Promise<VideoRecord | null> {
    const keys = Object.keys(patch) as (keyof VideoPatch)[];
    return Promise.resolve(transaction(this.#db, () => {
      const sets = keys.map((k) => `${COLUMNS[k]} = ?`);
      const values = keys.map((k) => {
        const v = patch[k];
        if (k === "renditions") return JSON.stringify(v);
        if (typeof v === "boolean") return v ? 1 : 0;
        return v as string | number | null;
      });
      const guard = onlyIf?.length
        ? ` AND status IN (${onlyIf.map(() => "?").join(", ")})`
        : "";
      const exists = this.#db.prepare(
        `SELECT 1 FROM videos WHERE id = ?${guard}`,
      ).get(id, ...(onlyIf ?? []));
      if (!exists) return null;
      const rev = nextRev(this.#db);
      const row = this.#db.prepare(
        `UPDATE videos SET ${
          [...sets, "rev = ?"].join(", ")
        } WHERE id = ? RETURNING *, ${WITH_CAPTIONS}`,
      ).get(...values, rev, id) as Row | undefined;
      return row ? fromRow(row) : null;
    }));
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(transaction(this.#db, () => {
      const gone = this.#db.prepare("DELETE FROM videos WHERE id = ?").run(id);
      if (gone.changes === 0) return false;
      const rev = nextRev(this.#db);
      this.#db.prepare(
        "INSERT OR REPLACE INTO tombstones (id, rev) VALUES (?, ?)",
      ).run(id, rev);
      return true;
    }));
  }

  countByStatus(): Promise<Record<VideoStatus, number>> {
    const out: Record<VideoStatus, number> = {
      queued: 0,
      processing: 0,
      ready: 0,
      failed: 0,
    };
    const rows = this.#db.prepare(
      "SELECT status, COUNT(*) AS n FROM videos GROUP BY status",
    ).all() as unknown as { status: VideoStatus; n: number }[];
    for (const r of rows) out[r.status] = r.n;
    return Promise.resolve(out);
  }

  withoutJob(statuses: VideoStatus[], kind: JobKind): Promise<string[]> {
    if (statuses.length === 0) return Promise.resolve([]);
    const rows = this.#db.prepare(
      `SELECT id FROM videos v WHERE status IN (${
        statuses.map(() => "?").join(", ")
      }) AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.video_id = v.id AND j.kind = ?)
       ORDER BY seq`,
    ).all(...statuses, kind) as unknown as { id: string }[];
    return Promise.resolve(rows.map((r) => r.id));
  }

  currentRev(): Promise<number> {
    return Promise.resolve(this.#rev());
  }

  changesSince(rev: number): Promise<Changes> {
    const upto = this.#rev();
    if (upto <= rev) {
      return Promise.resolve({ videos: [], deleted: [], rev: upto });
    }
    const videos = (this.#db.prepare(
      `SELECT *, ${WITH_CAPTIONS} FROM videos WHERE rev > ? AND rev <= ? ORDER BY rev`,
    ).all(rev, upto) as unknown as Row[]).map(fromRow);
    const deleted = (this.#db.prepare(
      "SELECT id FROM tombstones WHERE rev > ? AND rev <= ? ORDER BY rev",
    ).all(rev, upto) as unknown as { id: string }[]).map((r) => r.id);
    return Promise.resolve({ videos, deleted, rev: upto });
  }

  #rev(): number {
    const row = this.#db.prepare(
      "SELECT value FROM counters WHERE name = 'rev'",
    ).get() as { value: number };
    return row.value;
  }
}
