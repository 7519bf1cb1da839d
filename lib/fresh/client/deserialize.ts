/**
 * Client half of `../serialize.ts`: rebuilds the values, keeping shared references
 * (one signal passed to two islands stays one signal) and cycles.
 */
import { computed, signal } from "@preact/signals";

const CONSTANTS: Record<number, unknown> = {
  [-1]: undefined,
  [-2]: NaN,
  [-3]: Infinity,
  [-4]: -Infinity,
  [-5]: -0,
};

/** Parses the JSON text made by `serialize()` back into values. */
export function deserialize(text: string): unknown {
  return revive(JSON.parse(text));
}

/** Rebuilds values from the already-parsed output of `serialize()`. */
export function revive(parsed: unknown): unknown {
  if (typeof parsed === "number") return CONSTANTS[parsed];
  const values = parsed as unknown[];
  const done = new Map<number, unknown>();

  const get = (ref: number): unknown => {
    if (ref < 0) return CONSTANTS[ref];
    if (done.has(ref)) return done.get(ref);
    const entry = values[ref];
    if (entry === null || typeof entry !== "object") return entry;
    if (Array.isArray(entry)) {
      if (typeof entry[0] !== "string") {
        const arr: unknown[] = [];
        done.set(ref, arr);
        for (const r of entry as number[]) arr.push(get(r));
        return arr;
      }
      return tagged(ref, entry);
    }
    const obj: Record<string, unknown> = {};
    done.set(ref, obj);
    for (const [key, r] of Object.entries(entry as Record<string, number>)) {
      // defineProperty keeps a "__proto__" key a plain property.
      Object.defineProperty(obj, key, {
        value: get(r),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return obj;
  };

  const tagged = (ref: number, entry: unknown[]): unknown => {
    const [tag, ...rest] = entry as [string, ...number[]];
    switch (tag) {
      case "Date": {
        const d = new Date(
          rest[0] === ("" as unknown) ? NaN : (rest[0] as unknown as string),
        );
        done.set(ref, d);
        return d;
      }
      case "URL": {
        const u = new URL(rest[0] as unknown as string);
        done.set(ref, u);
        return u;
      }
      case "BigInt": {
        const b = BigInt(rest[0] as unknown as string);
        done.set(ref, b);
        return b;
      }
      case "Map": {
        const m = new Map();
        done.set(ref, m);
        for (let i = 0; i < rest.length; i += 2) {
          m.set(get(rest[i]), get(rest[i + 1]));
        }
        return m;
      }
      case "Set": {
        const s = new Set();
        done.set(ref, s);
        for (const r of rest) s.add(get(r));
        return s;
      }
      case "Signal": {
        const s = signal<unknown>(undefined);
        done.set(ref, s);
        s.value = get(rest[0]);
        return s;
      }
      case "Computed": {
        const value = get(rest[0]);
        const c = computed(() => value);
        done.set(ref, c);
        return c;
      }
      default:
        throw new TypeError(`Unknown serialized tag "${tag}".`);
    }
  };

  return get(0);
}
