import { assert, assertEquals } from "./_assert.ts";
import { text } from "./_helpers.ts";
import {
  encodedETag,
  isCompressible,
  maybeCompress,
  negotiateEncoding,
} from "../../lib/http/compress.ts";
import zlib from "node:zlib";

function req(acceptEncoding: string, method = "GET"): Request {
  return new Request("http://x/", {
    method,
    headers: { "accept-encoding": acceptEncoding },
  });
}

Deno.test("negotiateEncoding - prefers br, honours q-values and *", () => {
  assertEquals(negotiateEncoding("gzip, deflate, br"), "br");
  assertEquals(negotiateEncoding("gzip"), "gzip");
  assertEquals(negotiateEncoding("br;q=0.5, gzip"), "gzip");
  assertEquals(negotiateEncoding("br;q=0, gzip;q=0"), null);
  assertEquals(negotiateEncoding("*"), "br");
  assertEquals(negotiateEncoding("*;q=0, gzip"), "gzip");
  assertEquals(negotiateEncoding("identity"), null);
  assertEquals(negotiateEncoding(""), null);
  assertEquals(negotiateEncoding(null), null);
});

Deno.test("isCompressible - text yes, media and event streams no", () => {
  for (
    const t of [
      "text/html; charset=utf-8",
      "text/css",
      "text/javascript",
      "application/json; charset=utf-8",
      "image/svg+xml",
      "application/vnd.apple.mpegurl",
      "application/dash+xml",
      "text/vtt",
      "text/plain",
    ]
  ) assert(isCompressible(t), t);
  for (
    const t of [
      "text/event-stream",
      "video/iso.segment",
      "video/mp4",
      "image/jpeg",
      "image/png",
      "",
      null,
    ]
  ) assert(!isCompressible(t), String(t));
});

Deno.test("encodedETag - suffixes inside the quotes", () => {
  assertEquals(encodedETag('"abc"', "br"), '"abc-br"');
  assertEquals(encodedETag('W/"abc"', "gzip"), 'W/"abc-gzip"');
});

Deno.test("maybeCompress - compresses JSON keeping status and headers", async () => {
  const body = JSON.stringify({ items: text(50).split("\n") });
  const res = await maybeCompress(
    req("br"),
    new Response(body, {
      status: 201,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "x-keep": "1",
        etag: '"v1"',
        vary: "Cookie",
      },
    }),
  );
  assertEquals(res.status, 201);
  assertEquals(res.headers.get("x-keep"), "1");
  assertEquals(res.headers.get("content-encoding"), "br");
  assertEquals(res.headers.get("vary"), "Cookie, Accept-Encoding");
  assertEquals(res.headers.get("etag"), '"v1-br"');
  const out = new Uint8Array(await res.arrayBuffer());
  assertEquals(res.headers.get("content-length"), String(out.length));
  assertEquals(new TextDecoder().decode(zlib.brotliDecompressSync(out)), body);
});

Deno.test("maybeCompress - gzip for a streamed HTML body of unknown length", async () => {
  const html = `<!doctype html><p>${text(40)}</p>`;
  const stream = new Blob([html]).stream();
  const res = await maybeCompress(
    req("gzip"),
    new Response(stream, { headers: { "content-type": "text/html" } }),
  );
  assertEquals(res.headers.get("content-encoding"), "gzip");
  const out = new Uint8Array(await res.arrayBuffer());
  assertEquals(new TextDecoder().decode(zlib.gunzipSync(out)), html);
});

Deno.test("maybeCompress - leaves small, encoded, media and SSE bodies alone", async () => {
  const big = text(50);
  const cases: [Request, Response][] = [
    [
      req("br"),
      new Response("small", { headers: { "content-type": "text/plain" } }),
    ],
    [req(""), new Response(big, { headers: { "content-type": "text/plain" } })],
    [
      req("br"),
      new Response(big, {
        headers: { "content-type": "text/plain", "content-encoding": "gzip" },
      }),
    ],
    [
      req("br"),
      new Response(big, { headers: { "content-type": "video/mp4" } }),
    ],
    [
      req("br", "HEAD"),
      new Response(big, { headers: { "content-type": "text/html" } }),
    ],
  ];
  for (const [rq, rs] of cases) {
    const out = await maybeCompress(rq, rs);
    assertEquals(
      out.headers.get("content-encoding"),
      rs.headers.get("content-encoding"),
    );
    await out.body?.cancel();
  }
  // An event stream must come back untouched, without being read.
  const sse = new Response(new ReadableStream(), {
    headers: { "content-type": "text/event-stream" },
  });
  const out = await maybeCompress(req("br"), sse);
  assert(out === sse);
  assertEquals(out.bodyUsed, false);
  await sse.body?.cancel();
});

Deno.test("maybeCompress - adds Vary even when it does not compress", async () => {
  const res = await maybeCompress(
    req(""),
    new Response(text(50), { headers: { "content-type": "text/html" } }),
  );
  assertEquals(res.headers.get("vary"), "Accept-Encoding");
  await res.body?.cancel();
});
