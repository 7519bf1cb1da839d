import { assert, assertEquals } from "./_assert.ts";
import { bytes, get, pattern, text, withTempDir } from "./_helpers.ts";
import {
  contentTypeFor,
  parseRange,
  serveFile,
} from "../../lib/http/serve_file.ts";
import zlib from "node:zlib";

const SIZE = 10_000;

async function withVideo(
  fn: (file: string, data: Uint8Array) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const data = pattern(SIZE);
    const file = `${dir}/chunk-0-00001.m4s`;
    await Deno.writeFile(file, data);
    await fn(file, data);
  });
}

Deno.test("serveFile - full GET has length, type, ranges, ETag and Last-Modified", async () => {
  await withVideo(async (file, data) => {
    const res = await serveFile(get("/x"), file, {
      cacheControl: "public, max-age=60",
      headers: { "access-control-allow-origin": "*" },
    });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-length"), String(SIZE));
    assertEquals(res.headers.get("content-type"), "video/iso.segment");
    assertEquals(res.headers.get("accept-ranges"), "bytes");
    assertEquals(res.headers.get("cache-control"), "public, max-age=60");
    assertEquals(res.headers.get("access-control-allow-origin"), "*");
    assert(/^"[0-9a-f]+-[0-9a-f]+"$/.test(res.headers.get("etag") ?? ""));
    assert(res.headers.has("last-modified"));
    assertEquals(res.headers.get("content-encoding"), null);
    assertEquals(await bytes(res), data);
  });
});

Deno.test("serveFile - first-bytes range returns 206 with Content-Range", async () => {
  await withVideo(async (file, data) => {
    const res = await serveFile(get("/x", { range: "bytes=0-99" }), file);
    assertEquals(res.status, 206);
    assertEquals(res.headers.get("content-range"), `bytes 0-99/${SIZE}`);
    assertEquals(res.headers.get("content-length"), "100");
    assertEquals(await bytes(res), data.slice(0, 100));
  });
});

Deno.test("serveFile - middle range returns exactly those bytes", async () => {
  await withVideo(async (file, data) => {
    const res = await serveFile(get("/x", { range: "bytes=4000-4999" }), file);
    assertEquals(res.status, 206);
    assertEquals(res.headers.get("content-range"), `bytes 4000-4999/${SIZE}`);
    assertEquals(await bytes(res), data.slice(4000, 5000));
  });
});

Deno.test("serveFile - open-ended range runs to the end", async () => {
  await withVideo(async (file, data) => {
    const res = await serveFile(get("/x", { range: "bytes=9990-" }), file);
    assertEquals(res.status, 206);
    assertEquals(res.headers.get("content-range"), `bytes 9990-9999/${SIZE}`);
    assertEquals(await bytes(res), data.slice(9990));
  });
});

Deno.test("serveFile - suffix range returns the last n bytes", async () => {
  await withVideo(async (file, data) => {
    const res = await serveFile(get("/x", { range: "bytes=-500" }), file);
    assertEquals(res.status, 206);
    assertEquals(res.headers.get("content-range"), `bytes 9500-9999/${SIZE}`);
    assertEquals(res.headers.get("content-length"), "500");
    assertEquals(await bytes(res), data.slice(SIZE - 500));
  });
});

Deno.test("serveFile - range end past the size is clamped", async () => {
  await withVideo(async (file, data) => {
    const res = await serveFile(
      get("/x", { range: "bytes=9000-999999" }),
      file,
    );
    assertEquals(res.status, 206);
    assertEquals(res.headers.get("content-range"), `bytes 9000-9999/${SIZE}`);
    assertEquals(await bytes(res), data.slice(9000));
  });
});

Deno.test("serveFile - range starting beyond the size is 416", async () => {
  await withVideo(async (file) => {
    const res = await serveFile(get("/x", { range: "bytes=999999-" }), file);
    assertEquals(res.status, 416);
    assertEquals(res.headers.get("content-range"), `bytes */${SIZE}`);
    assertEquals(await res.text(), "");
  });
});

Deno.test("serveFile - malformed ranges are 416", async () => {
  await withVideo(async (file) => {
    for (
      const range of ["bytes=abc", "bytes=5-2", "bytes=-", "bytes=-0", "bytes"]
    ) {
      const res = await serveFile(get("/x", { range }), file);
      assertEquals(res.status, 416, range);
      assertEquals(res.headers.get("content-range"), `bytes */${SIZE}`);
      await res.body?.cancel();
    }
  });
});

Deno.test("serveFile - multiple ranges and other units get the full 200", async () => {
  await withVideo(async (file, data) => {
    for (const range of ["bytes=0-1,5-9", "items=0-5"]) {
      const res = await serveFile(get("/x", { range }), file);
      assertEquals(res.status, 200, range);
      assertEquals(await bytes(res), data);
    }
  });
});

Deno.test("serveFile - If-Range with a stale ETag ignores the Range", async () => {
  await withVideo(async (file, data) => {
    const etag =
      (await serveFile(new Request("http://x", { method: "HEAD" }), file))
        .headers.get("etag")!;
    const match = await serveFile(
      get("/x", { range: "bytes=0-9", "if-range": etag }),
      file,
    );
    assertEquals(match.status, 206);
    assertEquals(await bytes(match), data.slice(0, 10));
    const stale = await serveFile(
      get("/x", { range: "bytes=0-9", "if-range": '"old-etag"' }),
      file,
    );
    assertEquals(stale.status, 200);
    assertEquals(await bytes(stale), data);
  });
});

Deno.test("serveFile - If-None-Match (list, weak, *) returns 304 with no body", async () => {
  await withVideo(async (file) => {
    const first = await serveFile(get("/x"), file);
    const etag = first.headers.get("etag")!;
    await first.body?.cancel();
    for (const inm of [etag, `"nope", W/${etag}`, "*"]) {
      const res = await serveFile(get("/x", { "if-none-match": inm }), file);
      assertEquals(res.status, 304, inm);
      assertEquals(res.body, null);
      assertEquals(res.headers.get("etag"), etag);
    }
    const miss = await serveFile(
      get("/x", { "if-none-match": '"nope"' }),
      file,
    );
    assertEquals(miss.status, 200);
    await miss.body?.cancel();
  });
});

Deno.test("serveFile - If-Modified-Since applies only without If-None-Match", async () => {
  await withVideo(async (file) => {
    const future = new Date(Date.now() + 60_000).toUTCString();
    const res = await serveFile(
      get("/x", { "if-modified-since": future }),
      file,
    );
    assertEquals(res.status, 304);
    const both = await serveFile(
      get("/x", { "if-modified-since": future, "if-none-match": '"other"' }),
      file,
    );
    assertEquals(both.status, 200);
    await both.body?.cancel();
    const past = new Date(0).toUTCString();
    const old = await serveFile(get("/x", { "if-modified-since": past }), file);
    assertEquals(old.status, 200);
    await old.body?.cancel();
  });
});

Deno.test("serveFile - HEAD has the headers with Content-Length and no body", async () => {
  await withVideo(async (file) => {
    const res = await serveFile(
      new Request("http://x/", { method: "HEAD" }),
      file,
    );
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-length"), String(SIZE));
    assertEquals(res.headers.get("content-type"), "video/iso.segment");
    assertEquals(res.body, null);
  });
});

Deno.test("serveFile - other methods are 405 with Allow", async () => {
  await withVideo(async (file) => {
    const res = await serveFile(
      new Request("http://x/", { method: "POST", body: "x" }),
      file,
    );
    assertEquals(res.status, 405);
    assertEquals(res.headers.get("allow"), "GET, HEAD");
    await res.body?.cancel();
  });
});

Deno.test("serveFile - missing file and directory are 404 Not found", async () => {
  await withTempDir(async (dir) => {
    for (const p of [`${dir}/missing.m4s`, dir]) {
      const res = await serveFile(get("/x"), p);
      assertEquals(res.status, 404);
      assertEquals(await res.text(), "Not found");
    }
  });
});

Deno.test("serveFile - empty file is a 200 with length 0, any range 416", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/empty.mp4`, new Uint8Array(0));
    const res = await serveFile(get("/x"), `${dir}/empty.mp4`);
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-length"), "0");
    assertEquals((await bytes(res)).length, 0);
    const ranged = await serveFile(
      get("/x", { range: "bytes=0-" }),
      `${dir}/empty.mp4`,
    );
    assertEquals(ranged.status, 416);
    assertEquals(ranged.headers.get("content-range"), "bytes */0");
  });
});

Deno.test("serveFile - content types follow the app's overrides", () => {
  assertEquals(
    contentTypeFor("a/master.m3u8"),
    "application/vnd.apple.mpegurl",
  );
  assertEquals(contentTypeFor("manifest.mpd"), "application/dash+xml");
  assertEquals(contentTypeFor("init-0.m4s"), "video/iso.segment");
  assertEquals(contentTypeFor("thumbs.vtt"), "text/vtt; charset=utf-8");
  assertEquals(contentTypeFor("app.js"), "text/javascript; charset=utf-8");
  assertEquals(contentTypeFor("app.MJS"), "text/javascript; charset=utf-8");
  assertEquals(contentTypeFor("style.css"), "text/css; charset=utf-8");
  assertEquals(contentTypeFor("data.json"), "application/json; charset=utf-8");
  assertEquals(contentTypeFor("poster.jpg"), "image/jpeg");
  assertEquals(contentTypeFor("icon.svg"), "image/svg+xml");
  assertEquals(contentTypeFor("noext"), "application/octet-stream");
});

Deno.test("parseRange - spans, ignored and unsatisfiable forms", () => {
  assertEquals(parseRange("bytes=0-0", 10), { start: 0, end: 0 });
  assertEquals(parseRange("Bytes = 2 - 4", 10), { start: 2, end: 4 });
  assertEquals(parseRange("bytes=-20", 10), { start: 0, end: 9 });
  assertEquals(parseRange("bytes=0-1, 3-4", 10), null);
  assertEquals(parseRange("bytes=10-", 10), "unsatisfiable");
  assertEquals(parseRange("bytes=1.5-2", 10), "unsatisfiable");
});

Deno.test("serveFile - a 20 MB file is streamed with the right length", async () => {
  await withTempDir(async (dir) => {
    const size = 20 * 1024 * 1024 + 7;
    const data = pattern(size);
    const file = `${dir}/big.mp4`;
    await Deno.writeFile(file, data);
    const res = await serveFile(get("/x"), file);
    assertEquals(res.headers.get("content-length"), String(size));
    let total = 0;
    let chunks = 0;
    let ok = true;
    for await (const chunk of res.body!) {
      for (let i = 0; i < chunk.length; i += 4099) {
        if (chunk[i] !== (total + i) % 251) ok = false;
      }
      total += chunk.length;
      chunks++;
    }
    assertEquals(total, size);
    assert(ok, "bytes in order");
    assert(chunks > 1, "body arrives in several chunks");
  });
});

// --- compression ---------------------------------------------------------------------

async function withBundle(
  fn: (file: string, source: string) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const source = text();
    const file = `${dir}/app.js`;
    await Deno.writeTextFile(file, source);
    await fn(file, source);
  });
}

Deno.test("serveFile - br and gzip both decode back to the original", async () => {
  await withBundle(async (file, source) => {
    const br = await serveFile(
      get("/x", { "accept-encoding": "gzip, deflate, br" }),
      file,
    );
    assertEquals(br.headers.get("content-encoding"), "br");
    assertEquals(br.headers.get("vary"), "Accept-Encoding");
    const brBody = await bytes(br);
    assertEquals(br.headers.get("content-length"), String(brBody.length));
    assert(brBody.length < source.length / 4);
    assertEquals(
      new TextDecoder().decode(zlib.brotliDecompressSync(brBody)),
      source,
    );

    const gz = await serveFile(get("/x", { "accept-encoding": "gzip" }), file);
    assertEquals(gz.headers.get("content-encoding"), "gzip");
    assertEquals(
      new TextDecoder().decode(zlib.gunzipSync(await bytes(gz))),
      source,
    );
  });
});

Deno.test("serveFile - compressed ETags differ per encoding and revalidate", async () => {
  await withBundle(async (file) => {
    const tags = [];
    for (const ae of ["", "gzip", "br"]) {
      const res = await serveFile(get("/x", { "accept-encoding": ae }), file);
      tags.push(res.headers.get("etag")!);
      await res.body?.cancel();
    }
    assertEquals(new Set(tags).size, 3);
    assert(tags[2].endsWith('-br"'));
    const again = await serveFile(
      get("/x", { "accept-encoding": "br", "if-none-match": tags[2] }),
      file,
    );
    assertEquals(again.status, 304);
    assertEquals(again.headers.get("vary"), "Accept-Encoding");
  });
});

Deno.test("serveFile - repeated requests reuse the cached compressed bytes", async () => {
  await withBundle(async (file) => {
    const a = await bytes(
      await serveFile(get("/x", { "accept-encoding": "br" }), file),
    );
    const b = await bytes(
      await serveFile(get("/x", { "accept-encoding": "br" }), file),
    );
    assertEquals(a, b);
    // A new version of the file must not be served from the cache.
    await Deno.writeTextFile(file, text(300));
    const c = await serveFile(get("/x", { "accept-encoding": "br" }), file);
    assertEquals(
      new TextDecoder().decode(zlib.brotliDecompressSync(await bytes(c))),
      text(300),
    );
  });
});

Deno.test("serveFile - no compression for Range requests", async () => {
  await withBundle(async (file, source) => {
    const res = await serveFile(
      get("/x", { "accept-encoding": "br, gzip", range: "bytes=0-9" }),
      file,
    );
    assertEquals(res.status, 206);
    assertEquals(res.headers.get("content-encoding"), null);
    assertEquals(await res.text(), source.slice(0, 10));
  });
});

Deno.test("serveFile - no compression for media", async () => {
  await withVideo(async (file) => {
    const res = await serveFile(
      get("/x", { "accept-encoding": "br, gzip" }),
      file,
    );
    assertEquals(res.headers.get("content-encoding"), null);
    assertEquals(res.headers.get("vary"), null);
    assertEquals(res.headers.get("content-length"), String(SIZE));
    await res.body?.cancel();
  });
});

Deno.test("serveFile - HEAD of a compressible file reports the compressed length", async () => {
  await withBundle(async (file) => {
    const head = await serveFile(
      new Request("http://x/", {
        method: "HEAD",
        headers: { "accept-encoding": "gzip" },
      }),
      file,
    );
    assertEquals(head.body, null);
    const full = await serveFile(
      get("/x", { "accept-encoding": "gzip" }),
      file,
    );
    assertEquals(
      head.headers.get("content-length"),
      String((await bytes(full)).length),
    );
  });
});

Deno.test("serveFile - Range through a real Deno.serve", async () => {
  await withVideo(async (file, data) => {
    const ac = new AbortController();
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen() {} },
      (req) => serveFile(req, file),
    );
    try {
      const url = `http://127.0.0.1:${server.addr.port}/seg.m4s`;
      const res = await fetch(url, { headers: { range: "bytes=100-199" } });
      assertEquals(res.status, 206);
      assertEquals(res.headers.get("content-range"), `bytes 100-199/${SIZE}`);
      assertEquals(res.headers.get("content-length"), "100");
      assertEquals(await bytes(res), data.slice(100, 200));
      const bad = await fetch(url, { headers: { range: "bytes=999999-" } });
      assertEquals(bad.status, 416);
      await bad.body?.cancel();
    } finally {
      ac.abort();
      await server.finished;
    }
  });
});
