/**
 * Named locks shared by every process on the database ({@link Stores.lock}): PostgreSQL
 * session advisory locks, all taken on one connection reserved for them, so holding many
 * locks costs one connection and a process that dies (or loses its connection) releases
 * all of its locks at once.
 *
 * @module
 */
import type { Sql } from "./db.ts";

type Reserved = Awaited<ReturnType<Sql["reserve"]>>;

const POLL_MS = 100;

/** Advisory locks by name (hashed to a 64-bit key). */
export class PgLocks {
  #sql: Sql;
  #conn: Promise<Reserved> | null = null;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Waits until this process holds `name`, polling while another session holds it; rejects
   * with `signal`'s reason when it aborts first. Resolves to the release (safe to call twice).
   */
  async acquire(
    name: string,
    signal: AbortSignal,
  ): Promise<() => Promise<void>> {
    for (;;) {
      signal.throwIfAborted();
      const conn = await this.#reserved();
      let ok: boolean;
      try {
        [{ ok }] = await conn<{ ok: boolean }[]>`
          SELECT pg_try_advisory_lock(hashtextextended(${name}, 0)) AS ok`;
      } catch (err) {
        this.#drop(conn);
        throw err;
      }
      if (ok) {
        let released = false;
        return async () => {
          if (released) return;
          released = true;
          await conn`SELECT pg_advisory_unlock(hashtextextended(${name}, 0))`
            .catch(() => this.#drop(conn)); // a lost session holds nothing
        };
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, POLL_MS);
        function done() {
          clearTimeout(t);
          signal.removeEventListener("abort", done);
          resolve();
        }
        signal.addEventListener("abort", done, { once: true });
      });
    }
  }

  /** Releases the reserved connection (and with it every lock). */
  async close(): Promise<void> {
    const conn = await this.#conn?.catch(() => null);
    this.#conn = null;
    conn?.release();
  }

  #reserved(): Promise<Reserved> {
    this.#conn ??= this.#sql.reserve();
    this.#conn.catch(() => (this.#conn = null));
    return this.#conn;
  }

  #drop(conn: Reserved): void {
    this.#conn = null;
    conn.release();
  }
}
