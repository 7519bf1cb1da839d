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
  VideoEvent,
  VideoEvents,
  VideoEventType,
  VideoPatch,
  VideoRecord,
  VideoStatus,
  VideoStore,
  Visibility,
} from "../ports.ts";
import { eventSnapshot, transitionEvents } from "../events.ts";
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

interface EventRow {
  seq: number;
  id: string;
  type: VideoEventType;
  video_id: string;
  video: string;
  at: string;
  holder: string | null;
  lease_until: number | null;
}

/**
 * Video records in the `videos` table (+ `tombstones` for deletions, + the transition
 * outbox `video_events`, written in the same transaction as the transition).
 */
export class SqliteVideoStore implements VideoStore, ChangeLog, VideoEvents {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Records a transition in the outbox while some webhook subscribes to it (in a transaction). */
  #event(type: VideoEventType, v: VideoRecord, rev: number): void {
    this.#db.prepare(
      `INSERT INTO video_events (rev, id, type, video_id, video, at)
       SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (
         SELECT 1 FROM webhooks w, json_each(w.events) e WHERE e.value = ?)`,
    ).run(
      rev,
      crypto.randomUUID(),
      type,
      v.id,
      JSON.stringify(eventSnapshot(v)),
      new Date().toISOString(),
      type,
    );
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
      const video = fromRow(row);
      this.#event("video.created", video, rev);
      return video;
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
      const before = this.#db.prepare(
        `SELECT status, playable FROM videos WHERE id = ?${guard}`,
      ).get(id, ...(onlyIf ?? [])) as
        | { status: VideoStatus; playable: number }
        | undefined;
      if (!before) return null;
      const rev = nextRev(this.#db);
      const row = this.#db.prepare(
        `UPDATE videos SET ${
          [...sets, "rev = ?"].join(", ")
        } WHERE id = ? RETURNING *, ${WITH_CAPTIONS}`,
      ).get(...values, rev, id) as Row | undefined;
      if (!row) return null;
      const after = fromRow(row);
      const was = { status: before.status, playable: before.playable === 1 };
      for (const type of transitionEvents(was, after)) {
        this.#event(type, after, rev);
      }
      return after;
    }));
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(transaction(this.#db, () => {
      const gone = this.#db.prepare(
        "DELETE FROM videos WHERE id = ? RETURNING *",
      ).get(id) as Row | undefined;
      if (!gone) return false;
      const rev = nextRev(this.#db);
      this.#event("video.deleted", fromRow(gone), rev);
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

  claimEvent(
    holder: string,
    leaseMs: number,
    now = Date.now(),
  ): Promise<VideoEvent | null> {
    const head = "SELECT * FROM video_events ORDER BY rev, seq LIMIT 1";
    // Look before taking the write lock: the outbox is empty nearly always.
    if (!this.#db.prepare(head).get()) return Promise.resolve(null);
    return Promise.resolve(transaction(this.#db, () => {
      const row = this.#db.prepare(head).get() as EventRow | undefined;
      if (!row) return null;
      if (row.holder !== null && (row.lease_until ?? 0) >= now) return null;
      this.#db.prepare(
        "UPDATE video_events SET holder = ?, lease_until = ? WHERE seq = ?",
      ).run(holder, now + leaseMs, row.seq);
      return {
        seq: row.seq,
        id: row.id,
        type: row.type,
        videoId: row.video_id,
        video: JSON.parse(row.video) as VideoRecord,
        at: row.at,
      };
    }));
  }

  eventDone(seq: number, holder: string): Promise<boolean> {
    const r = this.#db.prepare(
      "DELETE FROM video_events WHERE seq = ? AND holder = ?",
    ).run(seq, holder);
    return Promise.resolve(r.changes > 0);
  }

  #rev(): number {
    const row = this.#db.prepare(
      "SELECT value FROM counters WHERE name = 'rev'",
    ).get() as { value: number };
    return row.value;
  }
}
