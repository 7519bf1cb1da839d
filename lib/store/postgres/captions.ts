/**
 * PostgreSQL {@link CaptionStore}: the `captions` table, one row per video and language,
 * removed with its video by the foreign key's cascade.
 *
 * @module
 */
import type { CaptionInfo, CaptionRecord, CaptionStore } from "../ports.ts";
import { pgText, type Sql } from "./db.ts";

interface Row {
  video_id: string;
  lang: string;
  label: string | null;
  created_at: Date;
}

function fromRow(r: Row): CaptionRecord {
  return {
    videoId: r.video_id,
    lang: r.lang,
    label: r.label,
    createdAt: r.created_at.toISOString(),
  };
}

/** Caption metadata in `captions`. */
export class PgCaptionStore implements CaptionStore {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  async put(
    videoId: string,
    caption: CaptionInfo,
    now = new Date(),
  ): Promise<CaptionRecord | null> {
    const [row] = await this.#sql<Row[]>`
      INSERT INTO captions (video_id, lang, label, created_at)
        SELECT id, ${caption.lang}, ${pgText(caption.label)}, ${now}
        FROM videos WHERE id = ${videoId}
      ON CONFLICT (video_id, lang) DO UPDATE
        SET label = excluded.label, created_at = excluded.created_at
      RETURNING *`;
    return row ? fromRow(row) : null;
  }

  async list(videoId: string): Promise<CaptionRecord[]> {
    const rows = await this.#sql<Row[]>`
      SELECT * FROM captions WHERE video_id = ${videoId} ORDER BY lang COLLATE "C"`;
    return rows.map(fromRow);
  }

  async delete(videoId: string, lang: string): Promise<boolean> {
    const rows = await this.#sql`
      DELETE FROM captions WHERE video_id = ${videoId} AND lang = ${lang}
      RETURNING lang`;
    return rows.length > 0;
  }
}
