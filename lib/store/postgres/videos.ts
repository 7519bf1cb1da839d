/**
 * PostgreSQL {@link VideoStore} and {@link ChangeLog}. Each write is ONE statement (so one
 * implicit transaction) that bumps the `rev` counter row, writes the video with that
 * revision and notifies {@link CHANGES_CHANNEL}. The counter row's lock is held until the
 * commit, so revisions commit in order and `changesSince(rev)` never skips a write that
 * commits late. Every write takes the counter lock before the video row's lock, so writes
 * cannot deadlock each other.
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
import { CHANGES_CHANNEL, type Listener, pgText, type Sql } from "./db.ts";

interface Row {
  seq: number;
  id: string;
  title: string;
  status: VideoStatus;
  playable: boolean;
  visibility: Visibility;
  progress: number;
  error: string | null;
  created_at: Date;
  source_name: string;
  size_bytes: number;
  duration_sec: number | null;
  width: number | null;
  height: number | null;
  renditions: Partial<RenditionState>[];
  media: unknown;
  rev: number;
  /** From {@link withCaptions}; absent on a row just inserted. */
  captions?: { lang: string; label: string | null }[];
}

/** A video's captions as a JSON array column, for a query over `table` (`videos` or a CTE). */
function withCaptions(sql: Sql, table: "videos" | "v") {
  return sql.unsafe(
    `(SELECT COALESCE(json_agg(json_build_object('lang', c.lang, 'label', c.label)
        ORDER BY c.lang COLLATE "C"), '[]'::json) FROM captions c WHERE c.video_id = ${table}.id)
      AS captions`,
  );
}

function fromRow(r: Row): VideoRecord {
  return {
    seq: r.seq,
    id: r.id,
    title: r.title,
    status: r.status,
    playable: r.playable,
    visibility: r.visibility,
    progress: r.progress,
    error: r.error,
    createdAt: r.created_at.toISOString(),
    sourceName: r.source_name,
    sizeBytes: r.size_bytes,
    durationSec: r.duration_sec,
    width: r.width,
    height: r.height,
    renditions: r.renditions.map((x) => ({
      width: x.width ?? 0,
      height: x.height ?? 0,
      bitrate: x.bitrate ?? null,
      ready: x.ready ?? true,
    })),
    captions: r.captions ?? [],
    media: r.media ?? null,
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

/** Video records in `videos` (+ `tombstones` for deletions). */
export class PgVideoStore implements VideoStore, ChangeLog {
  #sql: Sql;
  #listener: Listener;

  constructor(sql: Sql, listener: Listener) {
    this.#sql = sql;
    this.#listener = listener;
  }

  async create(v: NewVideo, now = new Date()): Promise<VideoRecord> {
    const sql = this.#sql;
    // media is JSON, not JSONB: probe output is kept exactly (JSONB refuses \u0000).
    const media = JSON.stringify(v.media ?? null);
    const [row] = await sql<Row[]>`
      WITH r AS (
        UPDATE counters SET value = value + 1 WHERE name = 'rev'
        RETURNING value::bigint AS rev
      ), v AS (
        INSERT INTO videos (id, title, visibility, status, progress, created_at,
          source_name, size_bytes, duration_sec, width, height, media, rev)
        VALUES (${v.id}, ${v.title}, ${
      v.visibility ?? "public"
    }, 'queued', 0, ${now}, ${v.sourceName},
          ${v.sizeBytes}, ${v.durationSec}, ${v.width}, ${v.height},
          ${media}::text::json, (SELECT rev FROM r))
        RETURNING *
      )
      SELECT v.* FROM v, pg_notify(${CHANGES_CHANNEL}, v.rev::text)`;
    return fromRow(row);
  }

  async get(id: string): Promise<VideoRecord | null> {
    const sql = this.#sql;
    const [row] = await sql<Row[]>`SELECT *, ${
      withCaptions(sql, "videos")
    } FROM videos WHERE id = ${id}`;
    return row ? fromRow(row) : null;
  }

  async list(
    limit: number,
    beforeSeq?: number,
    only?: Visibility[],
  ): Promise<VideoRecord[]> {
    const sql = this.#sql;
    const rows = await sql<Row[]>`
      SELECT *, ${withCaptions(sql, "videos")} FROM videos
      WHERE ${beforeSeq === undefined ? sql`true` : sql`seq < ${beforeSeq}`}
        AND ${only ? sql`visibility = ANY(${only})` : sql`true`}
      ORDER BY seq DESC LIMIT ${limit}`;
    return rows.map(fromRow);
  }

  async update(
    id: string,
    patch: VideoPatch,
    onlyIf?: VideoStatus[],
  ): Promise<VideoRecord | null> {
    const sql = this.#sql;
    const keys = (Object.keys(patch) as (keyof VideoPatch)[])
      .filter((k) => patch[k] !== undefined);
    // Each assignment ends with a comma; `rev` comes last.
    const sets = keys.map((k) => {
      const column = sql(COLUMNS[k]);
      if (k === "renditions") {
        return sql`${column} = ${
          JSON.stringify(patch.renditions)
        }::text::jsonb,`;
      }
      const value = k === "error" ? pgText(patch.error ?? null) : patch[k];
      return sql`${column} = ${value as string | number | boolean | null},`;
    });
    const guard = () =>
      onlyIf?.length ? sql`AND status = ANY(${onlyIf})` : sql``;
    const [row] = await sql<Row[]>`
      WITH r AS (
        UPDATE counters SET value = value + 1
        WHERE name = 'rev' AND EXISTS (SELECT 1 FROM videos WHERE id = ${id} ${guard()})
        RETURNING value::bigint AS rev
      ), v AS (
        UPDATE videos SET ${sets.length ? sets : sql``} rev = r.rev FROM r
        WHERE videos.id = ${id} ${guard()}
        RETURNING videos.*
      )
      SELECT v.*, ${withCaptions(sql, "v")}
      FROM v, pg_notify(${CHANGES_CHANNEL}, v.rev::text)`;
    return row ? fromRow(row) : null;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.#sql`
      WITH r AS (
        UPDATE counters SET value = value + 1
        WHERE name = 'rev' AND EXISTS (SELECT 1 FROM videos WHERE id = ${id})
        RETURNING value::bigint AS rev
      ), d AS (
        DELETE FROM videos USING r WHERE videos.id = ${id}
        RETURNING videos.id, r.rev
      ), t AS (
        INSERT INTO tombstones (id, rev) SELECT id, rev FROM d
        ON CONFLICT (id) DO UPDATE SET rev = excluded.rev
        RETURNING id, rev
      )
      SELECT t.id FROM t, pg_notify(${CHANGES_CHANNEL}, t.rev::text)`;
    return rows.length > 0;
  }

  async countByStatus(): Promise<Record<VideoStatus, number>> {
    const out: Record<VideoStatus, number> = {
      queued: 0,
      processing: 0,
      ready: 0,
      failed: 0,
    };
    const rows = await this.#sql<{ status: VideoStatus; n: number }[]>`
      SELECT status, COUNT(*) AS n FROM videos GROUP BY status`;
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  async withoutJob(statuses: VideoStatus[], kind: JobKind): Promise<string[]> {
    if (statuses.length === 0) return [];
    const rows = await this.#sql<{ id: string }[]>`
      SELECT id FROM videos v WHERE status = ANY(${statuses})
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.video_id = v.id AND j.kind = ${kind})
      ORDER BY seq`;
    return rows.map((r) => r.id);
  }

  async currentRev(): Promise<number> {
    const [row] = await this.#sql<{ rev: number }[]>`
      SELECT value::bigint AS rev FROM counters WHERE name = 'rev'`;
    return row.rev;
  }

  async changesSince(rev: number): Promise<Changes> {
    // Every write with a revision <= upto has committed once upto is visible (see @module).
    const upto = await this.currentRev();
    if (upto <= rev) return { videos: [], deleted: [], rev: upto };
    const sql = this.#sql;
    const [videos, deleted] = await Promise.all([
      sql<Row[]>`SELECT *, ${withCaptions(sql, "videos")} FROM videos
                 WHERE rev > ${rev} AND rev <= ${upto}
                 ORDER BY rev`,
      sql<{ id: string }[]>`SELECT id FROM tombstones
                            WHERE rev > ${rev} AND rev <= ${upto} ORDER BY rev`,
    ]);
    return {
      videos: videos.map(fromRow),
      deleted: deleted.map((r) => r.id),
      rev: upto,
    };
  }

  /** Calls `onChange` after every video write, this process's and others'. */
  listen(onChange: () => void): Promise<() => Promise<void>> {
    return this.#listener.listen(CHANGES_CHANNEL, onChange);
  }
}
