/**
 * The HTTP API end to end: a real server on a free port, a temp DATA_DIR, real ffmpeg on
 * clips generated here.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "../_server.ts";
import { makeClip } from "../media/_clips.ts";
import { getVideo, listFiles, uploadMultipart, waitFor } from "./_api.ts";

const tmp = await Deno.makeTempDir({ prefix: "reel-api-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(tmp, { recursive: true }),
);

Deno.test("api - a 720p upload becomes ready with a 720/480/360 ladder shared by HLS and DASH", async () => {
  await using s = await startServer();
  const clip = await makeClip(tmp, { width: 1280, height: 720, seconds: 4 });
  const up = await uploadMultipart(s, clip, "Ünïcode clip.mp4");
  assert.equal(up.status, 202);
  const id = up.body.id as string;
  assert.equal(up.headers.get("location"), `/api/videos/${id}`);
  assert.equal(up.body.status, "queued");
  assert.equal(up.body.sourceName, "Ünïcode clip.mp4");
  assert.equal(up.body.title, "Ünïcode clip");
  assert.equal(up.body.hlsUrl, null);

  const { last, seen } = await waitFor(s, id);
  assert.equal(last.status, "ready", last.error ?? "");
  assert.deepEqual(last.renditions.map((r) => r.height), [720, 480, 360]);
  assert.ok(
    seen.some((v) => v.status === "processing"),
    "went through processing",
  );
  const progress = seen.map((v) => v.progress);
  assert.deepEqual(
    progress,
    [...progress].sort((a, b) => a - b),
    "progress never goes back",
  );

  const master = await (await fetch(`${s.url}${last.hlsUrl}`)).text();
  const variants = master.split("\n").filter((l) =>
    l.startsWith("#EXT-X-STREAM-INF")
  );
  assert.equal(variants.length, 3);
  for (const v of variants) {
    assert.match(v, /BANDWIDTH=\d+.*RESOLUTION=\d+x\d+.*CODECS="/);
  }
  const mpdRes = await fetch(`${s.url}${last.dashUrl}`);
  assert.equal(mpdRes.headers.get("content-type"), "application/dash+xml");
  const mpd = await mpdRes.text();
  assert.equal(
    (mpd.match(/<Representation [^>]*mimeType="video/g) ?? []).length ||
      (mpd.match(/height="\d+"/g) ?? []).length,
    3,
  );

  // Both manifests reference the same segment files.
  const files = await listFiles(join(s.dataDir, "streams", id));
  const segments = files.filter((f) => f.endsWith(".m4s"));
  assert.ok(segments.length > 0);
  assert.match(mpd, /init-\$RepresentationID\$\.m4s|init-0\.m4s/);
  const media0 = await (await fetch(`${s.url}/stream/${id}/media_0.m3u8`))
    .text();
  for (const line of media0.split("\n").filter((l) => l.endsWith(".m4s"))) {
    assert.ok(segments.includes(line), `HLS references ${line}, which exists`);
  }
  assert.ok(files.includes("poster.jpg") && files.includes("thumbs.vtt"));
  const poster = await fetch(`${s.url}${last.posterUrl}`);
  assert.equal(poster.headers.get("content-type"), "image/jpeg");
  await poster.body?.cancel();
});

Deno.test("api - stream files: types, caching, Range, CORS and no traversal", async () => {
  await using s = await startServer({
    env: { CORS_ORIGINS: "https://player.example" },
  });
  const clip = await makeClip(tmp, { width: 320, height: 180, seconds: 2 });
  const up = await uploadMultipart(s, clip, "small.mp4");
  const { last } = await waitFor(s, up.body.id as string);
  assert.equal(last.status, "ready");
  const base = `${s.url}/stream/${last.id}`;

  const files = await listFiles(join(s.dataDir, "streams", last.id));
  const seg = files.find((f) => f.startsWith("chunk-"))!;
  const full = await fetch(`${base}/${seg}`, {
    headers: { origin: "https://player.example" },
  });
  const bytes = new Uint8Array(await full.arrayBuffer());
  assert.equal(full.headers.get("content-type"), "video/iso.segment");
  assert.match(full.headers.get("cache-control")!, /immutable/);
  assert.equal(
    full.headers.get("access-control-allow-origin"),
    "https://player.example",
  );
  const part = await fetch(`${base}/${seg}`, {
    headers: { range: "bytes=10-19" },
  });
  assert.equal(part.status, 206);
  assert.deepEqual(
    new Uint8Array(await part.arrayBuffer()),
    bytes.slice(10, 20),
  );

  const pl = await fetch(`${base}/master.m3u8`, {
    headers: { origin: "https://evil.example" },
  });
  assert.equal(pl.headers.get("content-type"), "application/vnd.apple.mpegurl");
  assert.match(pl.headers.get("cache-control")!, /max-age=10/);
  assert.equal(pl.headers.get("access-control-allow-origin"), null);
  await pl.body?.cancel();
  const vtt = await fetch(`${base}/thumbs.vtt`);
  assert.match(vtt.headers.get("content-type")!, /^text\/vtt/);
  assert.match(await vtt.text(), /^WEBVTT/);

  for (
    const bad of [
      "../../app.db",
      "..%2f..%2fapp.db",
      "%2e%2e/%2e%2e/app.db",
      `..%2F${last.id}%2Fmaster.m3u8`,
      "/etc/passwd",
    ]
  ) {
    const r = await fetch(`${base}/${bad}`);
    assert.equal(r.status, 404, bad);
    await r.body?.cancel();
  }
  const badId = await fetch(`${s.url}/stream/not-a-uuid/master.m3u8`);
  assert.equal(badId.status, 404);
  await badId.body?.cancel();
});

Deno.test("api - bad uploads get clear JSON errors and leave nothing behind", async () => {
  await using s = await startServer({
    env: { MAX_UPLOAD_BYTES: String(256 * 1024) },
  });
  const text = join(tmp, "notes.mp4");
  await Deno.writeTextFile(
    text,
    "this is just some text, not a video\n".repeat(50),
  );
  const empty = join(tmp, "empty.mp4");
  await Deno.writeFile(empty, new Uint8Array());
  const big = join(tmp, "big.mp4");
  await Deno.writeFile(big, new Uint8Array(1024 * 1024));

  const cases: [string, string, number, string][] = [
    [text, "notes.mp4", 415, "not_a_video"],
    [empty, "empty.mp4", 400, "empty_file"],
    [big, "big.mp4", 413, "too_large"],
    [text, "notes.txt", 415, "unsupported_type"],
  ];
  for (const [path, name, status, code] of cases) {
    const r = await uploadMultipart(s, path, name);
    assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
    const err = r.body.error as { code: string; message: string };
    assert.equal(err.code, code);
    assert.ok(err.message.length > 10, "a sentence a person can act on");
  }
  // A chunked body (no Content-Length) over the limit is stopped mid-stream.
  const boundary = "----reel";
  const chunks = async function* () {
    const enc = new TextEncoder();
    yield enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.mp4"\r\n` +
        "Content-Type: video/mp4\r\n\r\n",
    );
    for (let i = 0; i < 64; i++) yield new Uint8Array(64 * 1024);
    yield enc.encode(`\r\n--${boundary}--\r\n`);
  };
  const res = await fetch(`${s.url}/api/videos`, {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    body: ReadableStream.from(chunks()),
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).error.code, "too_large");

  const noFile = await fetch(`${s.url}/api/videos`, {
    method: "POST",
    body: new FormData(),
  });
  assert.equal(noFile.status, 400);
  assert.equal((await noFile.json()).error.code, "no_file");

  const list = await (await fetch(`${s.url}/api/videos`)).json();
  assert.deepEqual(list.videos, []);
  for (const dir of ["incoming", "uploads", "streams"]) {
    assert.deepEqual(
      await listFiles(join(s.dataDir, dir)),
      [],
      `${dir} is empty`,
    );
  }
});

Deno.test("api - unknown and malformed ids are 404 JSON; list, rename and paginate", async () => {
  await using s = await startServer();
  for (const id of [crypto.randomUUID(), "nope", "%2e%2e%2fetc"]) {
    const r = await fetch(`${s.url}/api/videos/${id}`);
    assert.equal(r.status, 404);
    assert.equal((await r.json()).error.code, "not_found");
  }
  const del = await fetch(`${s.url}/api/videos/${crypto.randomUUID()}`, {
    method: "DELETE",
  });
  assert.equal(del.status, 404);
  await del.body?.cancel();
  const put = await fetch(`${s.url}/api/videos`, { method: "PUT" });
  assert.equal(put.status, 405);
  assert.match(put.headers.get("allow")!, /POST/);
  assert.equal((await put.json()).error.code, "method_not_allowed");

  const clip = await makeClip(tmp, { width: 160, height: 90, seconds: 1 });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    ids.push((await uploadMultipart(s, clip, `v${i}.mp4`)).body.id as string);
  }
  const page1 = await (await fetch(`${s.url}/api/videos?limit=2`)).json();
  assert.deepEqual(page1.videos.map((v: VideoLike) => v.id), [ids[2], ids[1]]);
  const page2 = await (await fetch(
    `${s.url}/api/videos?limit=2&cursor=${page1.nextCursor}`,
  ))
    .json();
  assert.deepEqual(page2.videos.map((v: VideoLike) => v.id), [ids[0]]);
  assert.equal(page2.nextCursor, null);
  const badLimit = await fetch(`${s.url}/api/videos?limit=1000`);
  assert.equal(badLimit.status, 400);
  await badLimit.body?.cancel();

  const renamed = await fetch(`${s.url}/api/videos/${ids[0]}`, {
    method: "PATCH",
    body: JSON.stringify({ title: "  A better title  " }),
  });
  assert.equal((await renamed.json()).title, "A better title");
  const tooLong = await fetch(`${s.url}/api/videos/${ids[0]}`, {
    method: "PATCH",
    body: JSON.stringify({ title: "x".repeat(201) }),
  });
  assert.equal(tooLong.status, 400);
  await tooLong.body?.cancel();
  for (const id of ids) await waitFor(s, id);
});

interface VideoLike {
  id: string;
}

Deno.test("api - per-video SSE streams progress and ends after ready", async () => {
  await using s = await startServer();
  const clip = await makeClip(tmp, { width: 640, height: 360, seconds: 4 });
  const up = await uploadMultipart(s, clip, "sse.mp4");
  const res = await fetch(`${s.url}/api/videos/${up.body.id}/events`);
  assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
  const text = await res.text(); // the server ends the stream after `ready`
  const events = text.split("\n\n").filter((b) => b.startsWith("event: video"))
    .map((b) => JSON.parse(b.split("\ndata: ")[1]));
  assert.equal(events.at(-1).status, "ready");
  assert.ok(events.length >= 2);
  assert.ok(events.some((e) => e.status === "processing"));
  const v = await getVideo(s, up.body.id as string);
  assert.equal(v.status, "ready");
});
