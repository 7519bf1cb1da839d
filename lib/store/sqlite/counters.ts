/** SQLite {@link Counters}: one row per counter in the `counters` table. */
import type { CounterName, Counters } from "../ports.ts";
import type { Db } from "./db.ts";

/** Adds to and reads the shared counters. */
export class SqliteCounters implements Counters {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  add(name: CounterName, by = 1): Promise<void> {
    try {
      this.#db.prepare(
        `INSERT INTO counters (name, value) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET value = value + excluded.value`,
      ).run(name, by);
    } catch { /* busy database: lose one increment rather than the request */ }
    return Promise.resolve();
  }

  all(): Promise<Partial<Record<CounterName, number>>> {
    const rows = this.#db.prepare(
      "SELECT name, value FROM counters WHERE name != 'rev'",
    ).all() as unknown as { name: CounterName; value: number }[];
    return Promise.resolve(
      Object.fromEntries(rows.map((r) => [r.name, r.value])),
    );
  }
}
