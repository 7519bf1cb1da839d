/** PostgreSQL {@link Counters}: one DOUBLE PRECISION row per counter in `counters`. */
import type { CounterName, Counters } from "../ports.ts";
import type { Sql } from "./db.ts";

/** Adds to and reads the shared counters. */
export class PgCounters implements Counters {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  async add(name: CounterName, by = 1): Promise<void> {
    try {
      await this.#sql`
        INSERT INTO counters (name, value) VALUES (${name}, ${by})
        ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value`;
    } catch { /* database away: lose one increment rather than the request */ }
  }

  async all(): Promise<Partial<Record<CounterName, number>>> {
    const rows = await this.#sql<{ name: CounterName; value: number }[]>`
      SELECT name, value FROM counters WHERE name <> 'rev'`;
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }
}
