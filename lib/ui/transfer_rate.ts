/**
 * Smoothed transfer speed and time left for a progress display. Samples older than the
 * window are dropped, so the speed follows the connection without jumping on every event.
 */

/** Measures bytes per second over a sliding window. */
export class TransferRate {
  #samples: { t: number; bytes: number }[] = [];
  #windowMs: number;

  /** `windowMs`: how far back the speed looks (default 5 s). */
  constructor(windowMs = 5000) {
    this.#windowMs = windowMs;
  }

  /** Records that `bytes` (a running total) were done at time `t` (ms). */
  add(bytes: number, t: number = performance.now()): void {
    const last = this.#samples.at(-1);
    // The total went back (a retry resumed from the server's offset): start over.
    if (last && bytes < last.bytes) this.#samples = [];
    this.#samples.push({ t, bytes });
    while (
      this.#samples.length > 2 && t - this.#samples[0].t > this.#windowMs
    ) {
      this.#samples.shift();
    }
  }

  /** Forgets every sample (after a pause). */
  reset(): void {
    this.#samples = [];
  }

  /** Bytes per second, 0 until two samples at least 250 ms apart exist. */
  get bytesPerSecond(): number {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last || last.t - first.t < 250) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /** Seconds left for `remaining` bytes at the current speed; NaN when unknown. */
  secondsLeft(remaining: number): number {
    const speed = this.bytesPerSecond;
    return speed > 0 ? remaining / speed : NaN;
  }
}
