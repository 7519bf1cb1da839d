/// Blocking playlist reload: a growing media playlist asked for with `_HLS_msn` is answered
/// when it lists that segment (or is finished), straight away once the video is ready, and a
/// bad or far-ahead `_HLS_msn` gets 400. Served by the real stream handler from files on disk.
import assert from "node:assert/strict";
import { join } from "node:path";
import { serveStream, type StreamAccess } from "../../lib/api/streams.ts";
import { awaitSegment, BLOCK_MAX_MS } from "../../lib/api/blocking_reload.ts";
import { LocalBlobStore } from "../../lib/storage/mod.ts";
import { PlaybackSigner } from "../../lib/videos/playback.ts";

const ID = "0b6c1c1e-54a6-4b8e-9a57-0d6f0c5a2f10";

function playlist(segments: number, ended = false): string {
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:4",
    "#EXT-X-MEDIA-SEQUENCE:1",
    "#EXT-X-PLAYLIST-TYPE:EVENT",
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES",
    '#EXT-X-MAP:URI="init-3.m4s"',
  ];
  for (let n = 1; n <= segments; n++) {
    lines.push(
      "#EXTINF:4.000000,",
      `chunk-3-${String(n).padStart(5, "0")}.m4s`,
    );
  }
  if (ended) lines.push("#EXT-X-ENDLIST");
  return lines.join("\n") + "\n";
}

async function setup(growing: boolean) {
  const root = await Deno.makeTempDir({ prefix: "reel-blocking-" });
  const blobs = new LocalBlobStore(root);
  const dir = join(root, "scratch");
  await Deno.mkdir(dir);
  const put = async (text: string) => {
    const path = join(dir, `${crypto.randomUUID()}.m3u8`);
    await Deno.writeTextFile(path, text);
    await blobs.putFile(`streams/${ID}/media_3.m3u8`, path);
  };
  const access: StreamAccess = {
    visibility: "public",
    growing,
    durationSec: 60,
    captions: [],
  };
  const deps = {
    blobs,
    corsOrigins: ["*"],
    signer: new PlaybackSigner("x".repeat(32)),
    access: () => Promise.resolve(access),
  };
  const get = (query: string, init?: RequestInit) =>
    serveStream(
      new Request(`http://reel.test/stream/${ID}/media_3.m3u8${query}`, init),
      deps,
      ID,
      "media_3.m3u8",
    );
  return {
    put,
    get,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

Deno.test("blocking reload - held until the asked-for segment is published", async () => {
  await using s = await setup(true);
  await s.put(playlist(1));
  const t0 = performance.now();
  const pending = s.get("?_HLS_msn=2");
  await new Promise((r) => setTimeout(r, 400));
  await s.put(playlist(2));
  const res = await pending;
  const waited = performance.now() - t0;
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "no-cache");
  const text = await res.text();
  assert.match(text, /chunk-3-00002\.m4s/);
  assert.ok(
    waited >= 380,
    `answered after the publish (${waited.toFixed(0)} ms)`,
  );
  assert.ok(
    waited < 2000,
    `answered soon after the publish (${waited.toFixed(0)} ms)`,
  );

  // Already there: no wait.
  const t1 = performance.now();
  const now = await s.get("?_HLS_msn=2");
  assert.match(await now.text(), /chunk-3-00002\.m4s/);
  assert.ok(performance.now() - t1 < 300);
});

Deno.test("blocking reload - a finished playlist answers at once", async () => {
  await using s = await setup(true);
  await s.put(playlist(3, true));
  const t0 = performance.now();
  const res = await s.get("?_HLS_msn=4");
  assert.equal(res.status, 200);
  assert.match(await res.text(), /#EXT-X-ENDLIST/);
  assert.ok(performance.now() - t0 < 300);
});

Deno.test("blocking reload - bad and far-ahead _HLS_msn get 400, a ready video ignores it", async () => {
  await using s = await setup(true);
  await s.put(playlist(1));
  for (const q of ["?_HLS_msn=abc", "?_HLS_msn=-1", "?_HLS_msn=1.5"]) {
    const res = await s.get(q);
    assert.equal(res.status, 400, q);
    assert.match(await res.text(), /_HLS_msn must be a whole number/);
  }
  const ahead = await s.get("?_HLS_msn=9");
  assert.equal(ahead.status, 400);
  assert.match(await ahead.text(), /more than two segments ahead/);

  await using ready = await setup(false);
  await ready.put(playlist(1));
  const t0 = performance.now();
  const res = await ready.get("?_HLS_msn=2");
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.ok(performance.now() - t0 < 300, "not held once the video is ready");
});

Deno.test("blocking reload - a request the player gives up on stops waiting", async () => {
  await using s = await setup(true);
  await s.put(playlist(1));
  const abort = new AbortController();
  const t0 = performance.now();
  const pending = s.get("?_HLS_msn=2", { signal: abort.signal });
  setTimeout(() => abort.abort(), 200);
  const res = await pending;
  await res.body?.cancel();
  const waited = performance.now() - t0;
  assert.ok(
    waited < 1000,
    `stopped when the request ended (${waited.toFixed(0)} ms)`,
  );
});

Deno.test("blocking reload - held at most maxMs, then the playlist as it is", async () => {
  let reads = 0;
  const t0 = performance.now();
  const text = await awaitSegment(
    () => {
      reads++;
      return Promise.resolve(playlist(1));
    },
    2,
    { maxMs: 400, pollMs: 50 },
  );
  const waited = performance.now() - t0;
  assert.doesNotMatch(text!, /chunk-3-00002/);
  assert.ok(waited >= 390 && waited < 1400, `held ${waited.toFixed(0)} ms`);
  assert.ok(reads >= 4, `read again while waiting (${reads})`);
  // hls.js gives a playlist request 10 s to its first byte: answer well before that.
  assert.ok(BLOCK_MAX_MS <= 8000);
});

Deno.test("blocking reload - many waiting viewers share the playlist reads", async () => {
  const root = await Deno.makeTempDir({ prefix: "reel-blocking-" });
  try {
    let reads = 0;
    class CountingStore extends LocalBlobStore {
      override get(key: string) {
        if (key.endsWith(".m3u8")) reads++;
        return super.get(key);
      }
    }
    const blobs = new CountingStore(root);
    const put = async (text: string) => {
      const path = join(root, `${crypto.randomUUID()}.tmp`);
      await Deno.writeTextFile(path, text);
      await blobs.putFile(`streams/${ID}/media_3.m3u8`, path);
    };
    await put(playlist(1));
    const deps = {
      blobs,
      corsOrigins: [],
      signer: new PlaybackSigner("x".repeat(32)),
      access: () =>
        Promise.resolve<StreamAccess>({
          visibility: "public",
          growing: true,
          durationSec: 60,
          captions: [],
        }),
    };
    const viewers = Array.from({ length: 50 }, () =>
      serveStream(
        new Request(`http://reel.test/stream/${ID}/media_3.m3u8?_HLS_msn=2`),
        deps,
        ID,
        "media_3.m3u8",
      ));
    await new Promise((r) => setTimeout(r, 900));
    await put(playlist(2));
    const answers = await Promise.all(viewers);
    for (const res of answers) assert.match(await res.text(), /chunk-3-00002/);
    // ~1 s of waiting at one read per 100 ms, not 50 viewers × 7 polls.
    assert.ok(reads <= 20, `${reads} playlist reads for 50 waiting viewers`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
