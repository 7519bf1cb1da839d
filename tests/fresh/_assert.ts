/** Minimal assertions (the std library is not installable here). */

/** Throws unless `cond` is truthy. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Deep equality by structural comparison (plain data, Maps, Sets, Dates). */
export function assertEquals(
  actual: unknown,
  expected: unknown,
  msg?: string,
): void {
  if (!equal(actual, expected)) {
    throw new Error(
      `${msg ?? "Values differ"}\n  actual:   ${fmt(actual)}\n  expected: ${
        fmt(expected)
      }`,
    );
  }
}

/** Throws unless `text` matches `re`. */
export function assertMatch(text: string, re: RegExp): void {
  if (!re.test(text)) {
    throw new Error(`Expected ${re} to match:\n${text.slice(0, 2000)}`);
  }
}

/** Throws if `text` matches `re`. */
export function assertNotMatch(text: string, re: RegExp): void {
  if (re.test(text)) {
    throw new Error(`Expected ${re} not to match:\n${text.slice(0, 2000)}`);
  }
}

function fmt(v: unknown): string {
  return Deno.inspect(v, { depth: 10 });
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (
    typeof a !== "object" || typeof b !== "object" || a === null || b === null
  ) {
    return false;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return Object.is(a.getTime(), (b as Date).getTime());
  if (a instanceof URL) return a.href === (b as URL).href;
  if (a instanceof Map) {
    const bm = b as Map<unknown, unknown>;
    return a.size === bm.size && equal([...a], [...bm]);
  }
  if (a instanceof Set) return equal([...a], [...(b as Set<unknown>)]);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length &&
    ka.every((k) =>
      Object.hasOwn(b, k) &&
      equal(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
      )
    );
}
