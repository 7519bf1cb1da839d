/**
 * Durable counters shared by every process on the database (web and workers), so
 * `/metrics` counts what any of them did.
 */
import type { Db } from "./db.ts";

/** Names of the shared counters. */
export type CounterName =
  | "uploads_total"
  | "upload_bytes_total"
  | "uploads_rejected_total"
  | "ffmpeg_failures_total"
  | "transcodes_total"
  | "transcode_seconds_total"
  | "transcoded_video_seconds_total";

/** Adds to and reads the shared counters. */
export class Counters {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Adds `by` (default 1). Never throws: a metric must not fail a request. */
  add(name: CounterName, by = 1): void {
    try {
      this.#db.prepare(
        `INSERT INTO counters (name, value) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
      ).run(name, by);
    } catch { /* busy database: lose one increment rather than the request */ }
  }

  /** Every counter except the internal change revision. */
  all(): Record<string, number> {
    const rows = this.#db.prepare(
      "SELECT name, value FROM counters WHERE name != 'rev'",
    )
      .all() as unknown as { name: string; value: number }[];
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }
}
