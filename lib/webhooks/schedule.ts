/**
 * The delivery retry schedule: exponential backoff (base × 2^(attempt−1), base 30 s by
 * default) until 24 h after the event was queued; the last wait is cut to end at the 24 h
 * mark, then the delivery is given up. With the defaults the attempts start at 0, 30 s,
 * 1.5 min, 3.5 min, 7.5 min, 15.5 min, 31.5 min, 63.5 min, 2.1 h, 4.3 h, 8.5 h, 17.1 h and
 * 24 h: 13 attempts.
 *
 * @module
 */

/** How long deliveries of one event are retried. */
export const RETRY_WINDOW_MS = 24 * 3600_000;
/** The first wait (then doubled after each failure). */
export const RETRY_BASE_MS = 30_000;

/**
 * The wait before the next attempt after attempt number `attempt` failed, or null to give up
 * (the window since `firstAt` is over).
 */
export function retryDelayMs(
  attempt: number,
  firstAt: number,
  now: number,
  baseMs = RETRY_BASE_MS,
  windowMs = RETRY_WINDOW_MS,
): number | null {
  const deadline = firstAt + windowMs;
  if (now >= deadline) return null;
  return Math.min(baseMs * 2 ** (attempt - 1), deadline - now);
}

/** The start times (ms after the event) of every attempt when each one fails at once. */
export function attemptTimes(
  baseMs = RETRY_BASE_MS,
  windowMs = RETRY_WINDOW_MS,
): number[] {
  const out = [0];
  for (let n = 1;; n++) {
    const d = retryDelayMs(n, 0, out[n - 1], baseMs, windowMs);
    if (d === null) return out;
    out.push(out[n - 1] + d);
  }
}
