/** Minimal assertions (no @std/assert here: JSR is unreachable). */

import { inspect, isDeepStrictEqual } from "node:util";

export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}

export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(
      `${msg ? msg + ": " : ""}expected ${inspect(expected)}, got ${
        inspect(actual)
      }`,
    );
  }
}
