/** Even frame sizes: H.264 4:2:0 needs both dimensions even. */

/** Rounds to the nearest even number, never below 2. */
export function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}

/** Rounds down to an even number, never below 2. */
export function evenDown(n: number): number {
  return Math.max(2, 2 * Math.floor(n / 2));
}
