/**
 * The blob-store contract: what every {@link BlobStore} backend must do, as tests. A backend
 * test file calls `blobContract("<name>", open)`; `open` gives a fresh, empty store (and a
 * `close` that releases it) for each test. See docs/architecture.md, "Ports".
 *
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { BlobStore } from "../../lib/storage/port.ts";
import { contentTypeFor } from "../../lib/http/serve_file.ts";

/** A fresh store for one test. */
export type OpenBlobStore = () => Promise<{
  blobs: BlobStore;
  close(): Promise<void>;
}>;

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Bytes of a stream. */
export async function bytesOf(
  body: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** Hex SHA-256 of a stream, without holding it whole. */
export async function sha256Of(
  body: ReadableStream<Uint8Array>,
): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of body) h.update(chunk);
  return h.digest("hex");
}

/** `n` random bytes (getRandomValues gives at most 64 KiB a call). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  }
  return out;
}

/** A stream of the given chunks. */
export function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(ctrl) {
      for (const c of chunks) ctrl.enqueue(c);
      ctrl.close();
    },
  });
}

/** Registers the contract's tests for one backend. */
export function blobContract(
  name: string,
  open: OpenBlobStore,
  /** Extra test options (sanitizers off for backends with pooled connections). */
  testOptions: Pick<Deno.TestDefinition, "sanitizeOps" | "sanitizeResources"> =
    {},
): void {
  const test = (
    title: string,
    fn: (blobs: BlobStore, tmp: string) => Promise<void>,
  ) =>
    Deno.test({
      name: `blob contract (${name}) - ${title}`,
      ...testOptions,
      async fn() {
        const tmp = await Deno.makeTempDir({ prefix: "reel-blob-test-" });
        const { blobs, close } = await open();
        try {
          await fn(blobs, tmp);
        } finally {
          await close();
          await Deno.remove(tmp, { recursive: true }).catch(() => {});
        }
      },
    });

  const fileWith = async (tmp: string, name: string, data: Uint8Array) => {
    const path = join(tmp, name);
    await Deno.writeFile(path, data);
    return path;
  };
  const text = async (blobs: BlobStore, key: string) => {
    const got = await blobs.get(key);
    assert.ok(got, `${key} exists`);
    return dec.decode(await bytesOf(got.body));
  };

  test("putFile, then get whole and with a range", async (blobs, tmp) => {
    const data = enc.encode("0123456789abcdefghij");
    const src = await fileWith(tmp, "src.bin", data);
    await blobs.putFile("uploads/v1/original.mp4", src);
    assert.ok(await exists(src), "without move the source stays");

    const whole = await blobs.get("uploads/v1/original.mp4");
    assert.ok(whole);
    assert.equal(whole.size, 20);
    assert.deepEqual(await bytesOf(whole.body), data);

    const part = await blobs.get("uploads/v1/original.mp4", {
      start: 5,
      end: 9,
    });
    assert.ok(part);
    assert.equal(part.size, 20, "size is the object's, not the range's");
    assert.equal(dec.decode(await bytesOf(part.body)), "56789");

    const tail = await blobs.get("uploads/v1/original.mp4", {
      start: 15,
      end: 100,
    });
    assert.ok(tail);
    assert.equal(dec.decode(await bytesOf(tail.body)), "fghij");
  });

  test("putFile with move consumes the source", async (blobs, tmp) => {
    const src = await fileWith(tmp, "move.bin", enc.encode("moved"));
    await blobs.putFile("uploads/v2/original.webm", src, { move: true });
    assert.equal(await exists(src), false);
    assert.equal(await text(blobs, "uploads/v2/original.webm"), "moved");
  });

  test("putStream stores the whole stream", async (blobs) => {
    await blobs.putStream(
      "uploads/v3/original.mkv",
      streamOf(enc.encode("hello, "), enc.encode("stream")),
    );
    assert.equal(await text(blobs, "uploads/v3/original.mkv"), "hello, stream");
    const info = await blobs.stat("uploads/v3/original.mkv");
    assert.equal(info?.size, 13);
  });

  test("stat gives key, size and mtime", async (blobs, tmp) => {
    const src = await fileWith(tmp, "s.bin", new Uint8Array(1234));
    const before = Date.now();
    await blobs.putFile("streams/v4/poster.jpg", src);
    const info = await blobs.stat("streams/v4/poster.jpg");
    assert.ok(info);
    assert.equal(info.key, "streams/v4/poster.jpg");
    assert.equal(info.size, 1234);
    if (info.mtime) {
      assert.ok(Math.abs(info.mtime.getTime() - before) < 120_000);
    }
  });

  test("get and stat of a missing key are null", async (blobs) => {
    assert.equal(await blobs.get("uploads/none/original.mp4"), null);
    assert.equal(
      await blobs.get("uploads/none/original.mp4", { start: 0, end: 1 }),
      null,
    );
    assert.equal(await blobs.stat("uploads/none/original.mp4"), null);
  });

  test("list by prefix: only that prefix, sorted by key", async (blobs) => {
    for (const key of ["a/2", "b/4", "a/1", "ab/3", "a/sub/5"]) {
      await blobs.putStream(key, streamOf(enc.encode(key)));
    }
    const keys = async (prefix: string) =>
      (await blobs.list(prefix)).map((b) => b.key);
    assert.deepEqual(await keys("a/"), ["a/1", "a/2", "a/sub/5"]);
    // A prefix that is not a folder boundary matches names too.
    assert.deepEqual(await keys("a"), ["a/1", "a/2", "a/sub/5", "ab/3"]);
    assert.deepEqual(await keys("a/s"), ["a/sub/5"]);
    assert.deepEqual(await keys("zz/"), []);
    const listed = await blobs.list("b/");
    assert.equal(listed.length, 1);
    assert.equal(listed[0].size, 3);
  });

  test("deletePrefix removes only that prefix", async (blobs) => {
    for (const key of ["s/v1/a.m4s", "s/v1/x/b.m4s", "s/v10/c.m4s", "s/v2/d"]) {
      await blobs.putStream(key, streamOf(enc.encode("x")));
    }
    await blobs.deletePrefix("s/v1/");
    assert.deepEqual(
      (await blobs.list("s/")).map((b) => b.key),
      ["s/v10/c.m4s", "s/v2/d"],
    );
    await blobs.deletePrefix("s/none/"); // nothing there is fine
    await blobs.deletePrefix("s/v");
    assert.deepEqual(await blobs.list("s/"), []);
  });

  test("publishDir replaces the prefix's set and consumes the folder", async (
    blobs,
    tmp,
  ) => {
    // An earlier publish: a stale segment and an old playlist.
    await blobs.putStream(
      "streams/v5/old/chunk-1.m4s",
      streamOf(enc.encode("stale")),
    );
    await blobs.putStream(
      "streams/v5/master.m3u8",
      streamOf(enc.encode("old")),
    );
    await blobs.putStream("streams/v50/keep.m4s", streamOf(enc.encode("k")));

    const out = join(tmp, "out");
    await Deno.mkdir(join(out, "720p"), { recursive: true });
    await Deno.writeTextFile(
      join(out, "master.m3u8"),
      "#EXTM3U\n720p/index.m3u8\n",
    );
    await Deno.writeTextFile(
      join(out, "720p", "index.m3u8"),
      "#EXTM3U\nchunk-1.m4s\n",
    );
    await Deno.writeTextFile(join(out, "720p", "chunk-1.m4s"), "seg1");
    await Deno.writeTextFile(join(out, "manifest.mpd"), "<MPD/>");
    await Deno.writeFile(join(out, "poster.jpg"), new Uint8Array(10));

    await blobs.publishDir(out, "streams/v5/");
    assert.deepEqual((await blobs.list("streams/v5/")).map((b) => b.key), [
      "streams/v5/720p/chunk-1.m4s",
      "streams/v5/720p/index.m3u8",
      "streams/v5/manifest.mpd",
      "streams/v5/master.m3u8",
      "streams/v5/poster.jpg",
    ]);
    assert.equal(
      await text(blobs, "streams/v5/master.m3u8"),
      "#EXTM3U\n720p/index.m3u8\n",
    );
    assert.equal(await text(blobs, "streams/v5/720p/chunk-1.m4s"), "seg1");
    assert.equal(await exists(out), false, "the folder is consumed");
    assert.equal(await text(blobs, "streams/v50/keep.m4s"), "k");

    // Publishing where nothing was before.
    const first = join(tmp, "first");
    await Deno.mkdir(first);
    await Deno.writeTextFile(join(first, "master.m3u8"), "#EXTM3U\n");
    await blobs.publishDir(first, "streams/v6/");
    assert.deepEqual((await blobs.list("streams/v6/")).map((b) => b.key), [
      "streams/v6/master.m3u8",
    ]);
  });

  test("localPath gives a readable file with the same bytes", async (
    blobs,
    tmp,
  ) => {
    const data = randomBytes(300_000);
    await blobs.putFile(
      "uploads/v7/original.mp4",
      await fileWith(tmp, "o", data),
    );
    const scratch = join(tmp, "work", "v7");
    const path = await blobs.localPath("uploads/v7/original.mp4", scratch);
    assert.ok(path);
    assert.deepEqual(await Deno.readFile(path), data);
    assert.equal(
      await blobs.localPath("uploads/none/original.mp4", scratch),
      null,
    );
  });

  // -------------------------------------------------------------------------------------
  // serve

  const FILES: Record<string, string> = {
    "master.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n720p/index.m3u8\n",
    "720p/chunk-00001.m4s": "0123456789".repeat(10),
    "manifest.mpd": "<MPD></MPD>",
    "poster.jpg": "\xff\xd8\xff not really a jpeg",
    "thumbs.vtt": "WEBVTT\n",
  };
  const PREFIX = "streams/v8/";
  const withStream = async (blobs: BlobStore) => {
    for (const [rel, body] of Object.entries(FILES)) {
      await blobs.putStream(PREFIX + rel, streamOf(enc.encode(body)));
    }
  };
  const get = (path: string, headers: HeadersInit = {}, method = "GET") =>
    new Request(`http://reel.test/streams/v8${path}`, { method, headers });

  test("serve: 200 with the right content type and options", async (blobs) => {
    await withStream(blobs);
    for (const [rel, body] of Object.entries(FILES)) {
      const res = await blobs.serve(get(`/${rel}`), PREFIX, `/${rel}`, {
        cacheControl: "public, max-age=60",
        headers: new Headers({ "access-control-allow-origin": "*" }),
      });
      assert.ok(res, rel);
      assert.equal(res.status, 200, rel);
      assert.equal(res.headers.get("content-type"), contentTypeFor(rel), rel);
      assert.equal(
        res.headers.get("content-length"),
        String(enc.encode(body).length),
      );
      assert.equal(res.headers.get("accept-ranges"), "bytes");
      assert.equal(res.headers.get("cache-control"), "public, max-age=60");
      assert.equal(res.headers.get("access-control-allow-origin"), "*");
      assert.ok(res.headers.get("etag"), "has an ETag");
      assert.ok(res.headers.get("last-modified"), "has Last-Modified");
      assert.equal(await res.text(), body, rel);
    }
    assert.equal(
      contentTypeFor("a.m3u8"),
      "application/vnd.apple.mpegurl",
      "local and remote share the table",
    );
  });

  test("serve: Range gives 206 with Content-Range", async (blobs) => {
    await withStream(blobs);
    const path = "/720p/chunk-00001.m4s";
    const res = await blobs.serve(
      get(path, { range: "bytes=10-19" }),
      PREFIX,
      path,
    );
    assert.ok(res);
    assert.equal(res.status, 206);
    assert.equal(res.headers.get("content-range"), "bytes 10-19/100");
    assert.equal(res.headers.get("content-length"), "10");
    assert.equal(res.headers.get("content-type"), "video/iso.segment");
    assert.equal(await res.text(), "0123456789");

    const suffix = await blobs.serve(
      get(path, { range: "bytes=-5" }),
      PREFIX,
      path,
    );
    assert.equal(suffix?.status, 206);
    assert.equal(suffix?.headers.get("content-range"), "bytes 95-99/100");
    assert.equal(await suffix?.text(), "56789");

    const open = await blobs.serve(
      get(path, { range: "bytes=98-" }),
      PREFIX,
      path,
    );
    assert.equal(open?.status, 206);
    assert.equal(open?.headers.get("content-range"), "bytes 98-99/100");
    assert.equal(await open?.text(), "89");

    // Several ranges: the whole file (allowed by RFC 9110), as on disk.
    const multi = await blobs.serve(
      get(path, { range: "bytes=0-1,5-6" }),
      PREFIX,
      path,
    );
    assert.equal(multi?.status, 200);
    assert.equal((await multi?.text())?.length, 100);
  });

  test("serve: an unsatisfiable or malformed range gives 416", async (blobs) => {
    await withStream(blobs);
    const path = "/720p/chunk-00001.m4s";
    for (const range of ["bytes=500-600", "bytes=abc", "bytes=9-3"]) {
      const res = await blobs.serve(get(path, { range }), PREFIX, path);
      assert.ok(res, range);
      assert.equal(res.status, 416, range);
      assert.equal(res.headers.get("content-range"), "bytes */100", range);
      await res.body?.cancel();
    }
  });

  test("serve: If-None-Match with the ETag gives 304", async (blobs) => {
    await withStream(blobs);
    const path = "/master.m3u8";
    const first = await blobs.serve(get(path), PREFIX, path);
    assert.ok(first);
    await first.body?.cancel();
    const etag = first.headers.get("etag")!;
    const lastModified = first.headers.get("last-modified")!;

    const res = await blobs.serve(
      get(path, { "if-none-match": etag }),
      PREFIX,
      path,
      { cacheControl: "no-cache" },
    );
    assert.ok(res);
    assert.equal(res.status, 304);
    assert.equal(res.body, null);
    assert.equal(res.headers.get("etag"), etag);
    assert.equal(res.headers.get("cache-control"), "no-cache");

    const changed = await blobs.serve(
      get(path, { "if-none-match": '"something-else"' }),
      PREFIX,
      path,
    );
    assert.equal(changed?.status, 200);
    await changed?.body?.cancel();

    const since = await blobs.serve(
      get(path, { "if-modified-since": lastModified }),
      PREFIX,
      path,
    );
    assert.equal(since?.status, 304);

    const old = await blobs.serve(
      get(path, { "if-modified-since": new Date(0).toUTCString() }),
      PREFIX,
      path,
    );
    assert.equal(old?.status, 200);
    await old?.body?.cancel();
  });

  test("serve: HEAD has the headers and no body", async (blobs) => {
    await withStream(blobs);
    const path = "/720p/chunk-00001.m4s";
    const res = await blobs.serve(get(path, {}, "HEAD"), PREFIX, path);
    assert.ok(res);
    assert.equal(res.status, 200);
    assert.equal(res.body, null);
    assert.equal(res.headers.get("content-length"), "100");
    assert.equal(res.headers.get("content-type"), "video/iso.segment");
    assert.ok(res.headers.get("etag"));

    const etag = res.headers.get("etag")!;
    const cached = await blobs.serve(
      get(path, { "if-none-match": etag }, "HEAD"),
      PREFIX,
      path,
    );
    assert.equal(cached?.status, 304);
  });

  test("serve: traversal, odd paths and missing files are null", async (blobs) => {
    await withStream(blobs);
    // Something outside the prefix that a traversal would reach.
    await blobs.putStream("streams/secret.txt", streamOf(enc.encode("no")));
    await blobs.putStream("streams/v8x/a.m4s", streamOf(enc.encode("no")));
    for (
      const raw of [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/720p/../../secret.txt",
        "/..%2Fsecret.txt",
        "/720p%2Fchunk-00001.m4s",
        "/720p%5Cchunk-00001.m4s",
        "/master.m3u8%00",
        "/%E0%A4%A",
        "",
        "/",
        "/./master.m3u8/..",
        "/missing.m4s",
        "/720p/missing.m4s",
      ]
    ) {
      const res = await blobs.serve(get(raw), PREFIX, raw);
      assert.equal(res, null, JSON.stringify(raw));
    }
    const ok = await blobs.serve(get("/master.m3u8"), PREFIX, "master.m3u8");
    assert.equal(ok?.status, 200, "a path without its leading slash is fine");
    await ok?.body?.cancel();
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
