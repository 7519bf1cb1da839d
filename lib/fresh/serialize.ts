/**
 * Serializes island props for the client: JSON values plus `undefined`, `NaN`, `±Infinity`,
 * `-0`, `BigInt`, `Date`, `URL`, `Map`, `Set` and `@preact/signals` signals (computed ones
 * arrive as a computed of their current value). Shared references (a signal passed to two
 * islands) and cycles are kept: the output is a flat list of values that point at each
 * other by index, read by `client/deserialize.ts`.
 *
 * Format: `values[0]` is the root. A reference is an index into `values`, or a negative
 * constant (see {@link CONST}). An entry is a JSON primitive, an array of references (a
 * plain array), an object of references (a plain object) or a tagged array whose first
 * item is a string: `["Date", iso]`, `["URL", href]`, `["BigInt", digits]`,
 * `["Map", k, v, …]`, `["Set", …]`, `["Signal", ref]`, `["Computed", ref]`.
 */

/** Negative references for values JSON cannot hold. */
export const CONST = {
  undefined: -1,
  NaN: -2,
  Infinity: -3,
  NegInfinity: -4,
  NegZero: -5,
} as const;

const SIGNAL_BRAND = Symbol.for("preact-signals");

interface SignalLike {
  brand: symbol;
  peek(): unknown;
}

/**
 * Serializes `value` to JSON text that is safe inside `<script type="application/json">`:
 * `<`, `>`, `&`, U+2028 and U+2029 are written as `\u` escapes.
 *
 * @throws TypeError naming the path of a function, symbol or class instance.
 */
export function serialize(value: unknown): string {
  const values: unknown[] = [];
  const seen = new Map<unknown, number>();
  let plainSignalProto: object | null = null;

  const add = (v: unknown, path: string): number => {
    switch (typeof v) {
      case "undefined":
        return CONST.undefined;
      case "number":
        if (Number.isNaN(v)) return CONST.NaN;
        if (v === Infinity) return CONST.Infinity;
        if (v === -Infinity) return CONST.NegInfinity;
        if (Object.is(v, -0)) return CONST.NegZero;
        return values.push(v) - 1;
      case "string":
      case "boolean":
        return values.push(v) - 1;
      case "bigint":
        return values.push(["BigInt", v.toString()]) - 1;
      case "function":
      case "symbol":
        throw new TypeError(`Cannot serialize ${typeof v} at ${path}.`);
    }
    if (v === null) return values.push(null) - 1;
    const known = seen.get(v);
    if (known !== undefined) return known;
    const index = values.push(null) - 1;
    seen.set(v, index);
    const obj = v as Record<string, unknown>;

    if ((obj as unknown as SignalLike).brand === SIGNAL_BRAND) {
      const sig = obj as unknown as SignalLike;
      // A plain signal's prototype is Signal.prototype; a computed one inherits from it.
      plainSignalProto ??= findPlainSignalProto(sig);
      const tag = Object.getPrototypeOf(sig) === plainSignalProto
        ? "Signal"
        : "Computed";
      values[index] = [tag, add(sig.peek(), `${path}.value`)];
    } else if (Array.isArray(v)) {
      const refs: number[] = [];
      for (let i = 0; i < v.length; i++) refs.push(add(v[i], `${path}[${i}]`));
      values[index] = refs;
    } else if (v instanceof Date) {
      values[index] = [
        "Date",
        Number.isNaN(v.getTime()) ? "" : v.toISOString(),
      ];
    } else if (v instanceof URL) {
      values[index] = ["URL", v.href];
    } else if (v instanceof Map) {
      const out: unknown[] = ["Map"];
      let i = 0;
      for (const [k, val] of v) {
        out.push(add(k, `${path}.keys[${i}]`), add(val, `${path}.get(${i++})`));
      }
      values[index] = out;
    } else if (v instanceof Set) {
      const out: unknown[] = ["Set"];
      let i = 0;
      for (const item of v) out.push(add(item, `${path}[${i++}]`));
      values[index] = out;
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        const name = proto?.constructor?.name ?? "object";
        throw new TypeError(`Cannot serialize ${name} instance at ${path}.`);
      }
      // Preact vnodes are plain objects with an own `constructor: undefined`.
      if (
        "constructor" in obj && obj.constructor === undefined && "props" in obj
      ) {
        throw new TypeError(
          `Cannot serialize JSX at ${path}: islands take data props, not children.`,
        );
      }
      const out: Record<string, number> = {};
      for (const key of Object.keys(obj)) {
        out[key] = add(obj[key], `${path}.${key}`);
      }
      values[index] = out;
    }
    return index;
  };

  const root = add(value, "props");
  // The root is values[0], or a bare negative constant when it has no entry.
  return escapeJson(JSON.stringify(root < 0 ? root : values));
}

/** Escapes JSON text for an HTML `<script>` element (`</script>`, `<!--` cannot appear). */
export function escapeJson(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, escapeChar);
}

function escapeChar(c: string): string {
  return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
}

function findPlainSignalProto(sig: SignalLike): object {
  let proto = Object.getPrototypeOf(sig);
  // Walk up to the last prototype that still carries the brand: Signal.prototype.
  while (proto) {
    const up = Object.getPrototypeOf(proto);
    if (!up || (up as SignalLike).brand !== SIGNAL_BRAND) return proto;
    proto = up;
  }
  return proto;
}
