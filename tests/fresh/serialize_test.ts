import { computed, type Signal, signal } from "@preact/signals";
import { h } from "preact";
import { assert, assertEquals } from "./_assert.ts";
import { serialize } from "../../lib/fresh/serialize.ts";
import { deserialize } from "../../lib/fresh/client/deserialize.ts";
import { HOSTILE, sampleValues } from "../fixtures/fresh_app/props.ts";

function roundTrip<T>(value: T): T {
  return deserialize(serialize(value)) as T;
}

Deno.test("serialize - JSON values round-trip", () => {
  for (
    const v of [0, 1.5, -3, "", "text", true, false, null, [], {}, [1, "a", [
      null,
    ]], {
      a: { b: [1, { c: "d" }] },
    }]
  ) {
    assertEquals(roundTrip(v), v);
  }
});

Deno.test("serialize - undefined, NaN, ±Infinity, -0 and BigInt round-trip", () => {
  assertEquals(roundTrip(undefined), undefined);
  assertEquals(roundTrip(NaN), NaN);
  assertEquals(roundTrip([Infinity, -Infinity]), [Infinity, -Infinity]);
  assert(Object.is(roundTrip(-0), -0));
  assertEquals(roundTrip({ a: undefined }), { a: undefined });
  assert("a" in (roundTrip({ a: undefined }) as object));
  assertEquals(roundTrip(2n ** 70n), 2n ** 70n);
});

Deno.test("serialize - Date, URL, Map and Set round-trip, nested", () => {
  const values = sampleValues();
  assertEquals(roundTrip(values), values);
  const invalid = roundTrip(new Date(NaN));
  assert(invalid instanceof Date && Number.isNaN(invalid.getTime()));
  const nested = new Map([[
    new Date(5),
    new Set([new Map([["u", new URL("http://x/")]])]),
  ]]);
  assertEquals(roundTrip(nested), nested);
});

Deno.test("serialize - shared references and cycles are kept", () => {
  const shared = { n: 1 };
  const out = roundTrip({ a: shared, b: shared });
  assert(out.a === out.b);
  const cyclic: Record<string, unknown> = { name: "loop" };
  cyclic.self = cyclic;
  const back = roundTrip(cyclic);
  assert(back.self === back);
});

Deno.test("serialize - signals revive as signals, one shared signal stays one", () => {
  const count = signal(3);
  const props = [{ count, again: count }, { count }];
  const [a, b] = roundTrip(props) as {
    count: Signal<number>;
    again?: Signal<number>;
  }[];
  assertEquals(a.count.value, 3);
  assert(a.count === a.again, "twice in one island");
  assert(a.count === b.count, "across two islands");
  a.count.value = 10;
  assertEquals(b.count.value, 10);
  const nested = roundTrip({
    s: signal(new Map([["k", signal(new Date(0))]])),
  });
  assertEquals(nested.s.value.get("k")!.value, new Date(0));
});

Deno.test("serialize - computed signals arrive with their current value", () => {
  const base = signal(2);
  const double = computed(() => base.value * 2);
  const out = roundTrip({ double });
  assertEquals(out.double.value, 4);
});

Deno.test("serialize - hostile strings cannot break out of the script tag", () => {
  const strings = [
    HOSTILE,
    "</script><script>alert(1)</script>",
    "</SCRIPT >",
    "<!--",
    "<img src=x onerror=alert(1)>",
    "\u2028\u2029",
    "]]>&amp;",
    "__proto__",
  ];
  const text = serialize({ strings, "</script>": 1, __proto__x: 2 });
  assert(!/[<>&\u2028\u2029]/.test(text), text);
  assertEquals(roundTrip(strings), strings);
  const proto = JSON.parse('{"__proto__": "p"}');
  const back = roundTrip(proto) as Record<string, unknown>;
  assertEquals(Object.getPrototypeOf(back), Object.prototype);
  assertEquals(Object.keys(back), ["__proto__"]);
});

Deno.test("serialize - functions, symbols, class instances and JSX are refused with a path", () => {
  const cases: [unknown, RegExp][] = [
    [{ onClick: () => {} }, /function at props\.onClick/],
    [{ s: Symbol("x") }, /symbol at props\.s/],
    [{ list: [new (class Foo {})()] }, /Foo instance at props\.list\[0\]/],
    [{ children: h("b", null) }, /JSX at props\.children/],
  ];
  for (const [value, re] of cases) {
    let message = "";
    try {
      serialize(value);
    } catch (err) {
      message = (err as Error).message;
    }
    assert(re.test(message), `${message} !~ ${re}`);
  }
});
