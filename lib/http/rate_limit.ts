/** A fixed-window rate limiter per key (client + bucket), kept in memory. */

/** Counts hits per key in fixed windows. */
export class RateLimiter {
  #windows = new Map<string, { start: number; count: number }>();
  #windowMs: number;

  constructor(windowMs = 60_000) {
    this.#windowMs = windowMs;
  }

  /** Counts one hit; returns seconds to wait when over `limit`, else 0. */
  hit(key: string, limit: number, now = Date.now()): number {
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.#windowMs) {
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
      if (this.#windows.size > 50_000) this.#sweep(now);
    }
    w.count++;
    return w.count > limit
      ? Math.ceil((w.start + this.#windowMs - now) / 1000)
      : 0;
  }

  #sweep(now: number): void {
    for (const [k, w] of this.#windows) {
      if (now - w.start >= this.#windowMs) this.#windows.delete(k);
    }
  }
}
