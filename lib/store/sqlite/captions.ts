/**
 * SQLite {@link CaptionStore}: the `captions` table, one row per video and language,
 * removed with its video by the foreign key's cascade.
 *
 * @module
 */
import type { CaptionInfo, CaptionRecord, CaptionStore } from "../ports.ts";
import type { Db } from "./db.ts";

interface Row {
  video_id: string;
  lang: string;
  label: string | null;
  created_at: string;
}

function fromRow(r: Row): CaptionRecord {
  return {
    videoId: r.video_id,
    lang: r.lang,
    label: r.label,
    createdAt: r.created_at,
  };
}

/** Caption metadata in `captions`. */
export class SqliteCaptionStore implements CaptionStore {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  put(
    videoId: string,
    caption: CaptionInfo,
    now = new Date(),
  ): Promise<CaptionRecord | null> {
    const row = this.#db.prepare(
      `INSERT INTO captions (video_id, lang, label, created_at)
         SELECT id, ?, ?, ? FROM videos WHERE id = ?
       ON CONFLICT (video_id, lang) DO UPDATE
         SET label = excluded.label, created_at = excluded.created_at
       RETURNING *`,
    ).get(caption.lang, caption.label, now.toISOString(), videoId) as
      | Row
      | undefined;
    return Promise.resolve(row ? fromRow(row) : null);
  }

  list(videoId: string): Promise<CaptionRecord[]> {
    const rows = this.#db.prepare(
      "SELECT * FROM captions WHERE video_id = ? ORDER BY lang",
    ).all(videoId) as unknown as Row[];
    return Promise.resolve(rows.map(fromRow));
  }

  delete(videoId: string, lang: string): Promise<boolean> {
    const out = this.#db.prepare(
      "DELETE FROM captions WHERE video_id = ? AND lang = ?",
    ).run(videoId, lang);
    return Promise.resolve(out.changes > 0);
  }
}
