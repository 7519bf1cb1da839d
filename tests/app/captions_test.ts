/// Captions through the HTTP API, in-process: upload (VTT and SRT, fields in any order),
/// replace, list, delete; every bad file kind refused with nothing kept; captions in the HLS
/// master and the MPD whenever they are served — also when added while the video is still
/// processing and the pipeline publishes its final manifests afterwards.
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeClip } from "../media/_clips.ts";
import { listFiles } from "../integration/_api.ts";
import { type ErrorBody, formBody, type Part } from "../uploads/_helpers.ts";
import { type InProcessApp, inProcessApp, until } from "./_app.ts";
import type { TranscodeFn } from "../../lib/videos/mod.ts";
import type { Caption, Video } from "../../lib/api/mod.ts";

const enc = new TextEncoder();

const SRT = "1\n00:00:01,000 --> 00:00:03,000\nHello <i>there</i>\n\n" +
  "2\n00:00:04,000 --> 00:00:05,500\n<script>alert(1)</script>Bye\n";
const VTT = "WEBVTT\n\n00:00:02.000 --> 00:00:04.000\nBonjour\n";

const PROGRESSIVE_MASTER = "#EXTM3U\n#EXT-X-VERSION:7\n" +
  '#EXT-X-STREAM-INF:BANDWIDTH=100000,RESOLUTION=320x180,CODECS="avc1.4d400d"\nmedia_0.m3u8\n';
const FINAL_MASTER = "#EXTM3U\n#EXT-X-VERSION:7\n" +
  '#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=640x360,CODECS="avc1.4d401e"\nmedia_0.m3u8\n' +
  '#EXT-X-STREAM-INF:BANDWIDTH=100000,RESOLUTION=320x180,CODECS="avc1.4d400d"\nmedia_1.m3u8\n';
const FINAL_MPD =
  '<?xml version="1.0" encoding="utf-8"?>\n<MPD type="static">\n' +
  '\t<Period id="0" start="PT0.0S">\n\t\t<AdaptationSet id="0" contentType="video">\n' +
  "\t\t</AdaptationSet>\n\t</Period>\n</MPD>\n";

/** A transcoder that publishes a one-rendition master, waits for `release`, then finishes. */
function progressiveFake(release: Promise<void>): TranscodeFn {
  return async (opts) => {
    await opts.onPlan?.([{ width: 640, height: 360 }, {
      width: 320,
      height: 180,
    }]);
    const early = await Deno.makeTempDir();
    await Deno.writeTextFile(join(early, "master.m3u8"), PROGRESSIVE_MASTER);
    await opts.onPublish?.([{
      name: "master.m3u8",
      path: join(early, "master.m3u8"),
    }]);
    await release;
    await Deno.mkdir(opts.outDir, { recursive: true });
    await Deno.writeTextFile(join(opts.outDir, "master.m3u8"), FINAL_MASTER);
    await Deno.writeTextFile(join(opts.outDir, "manifest.mpd"), FINAL_MPD);
    await Deno.writeFile(
      join(opts.outDir, "chunk-0-00001.m4s"),
      new Uint8Array(8),
    );
    return {
      renditions: [
        { width: 640, height: 360, bitrate: 300_000 },
        { width: 320, height: 180, bitrate: 100_000 },
      ],
      durationSec: opts.info.durationSec,
      copiedTopRung: false,
      thumbnails: false,
      elapsedSec: 0.01,
      firstPublishSec: 0.01,
    };
  };
}

let clip: Uint8Array<ArrayBuffer> | null = null;
async function clipBytes(): Promise<Uint8Array<ArrayBuffer>> {
  if (clip) return clip;
  const dir = await Deno.makeTempDir();
  try {
    return clip = await Deno.readFile(await makeClip(dir, { seconds: 6 }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function upload(app: InProcessApp): Promise<Video> {
  const { body, contentType } = formBody([
    {
      name: "file",
      filename: "clip.mp4",
      data: await clipBytes(),
      type: "video/mp4",
    },
  ]);
  const res = await app.fetch("/api/videos", {
    method: "POST",
    body,
    headers: { "content-type": contentType },
  });
  assert.equal(res.status, 202, await res.clone().text());
  return await res.json();
}

const video = async (app: InProcessApp, id: string): Promise<Video> =>
  await (await app.fetch(`/api/videos/${id}`)).json();

function caption(
  app: InProcessApp,
  id: string,
  parts: Part[],
  headers: Record<string, string> = {},
): Promise<Response> {
  const { body, contentType } = formBody(parts);
  return app.fetch(`/api/videos/${id}/captions`, {
    method: "POST",
    body,
    headers: { "content-type": contentType, ...headers },
  });
}

const file = (filename: string, text: string | Uint8Array): Part => ({
  name: "file",
  filename,
  data: typeof text === "string" ? enc.encode(text) : text,
});

async function text(app: InProcessApp, path: string): Promise<string> {
  const res = await app.fetch(path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return await res.text();
}

/** Everything kept for captions: blob files and records. */
async function kept(app: InProcessApp, id: string) {
  const dir = join(app.dataDir, "captions");
  const files = await listFiles(dir).catch(() => [] as string[]);
  const list: Caption[] = await (await app.fetch(`/api/videos/${id}/captions`))
    .json();
  return { files, list };
}

Deno.test("captions api - SRT and VTT upload (fields in any order), list, replace, delete", async () => {
  await using app = await inProcessApp({
    transcode: progressiveFake(Promise.resolve()),
  });
  const v = await upload(app);
  await until(async () => (await video(app, v.id)).status === "ready");

  // lang after the file, label first: any order works.
  const res = await caption(app, v.id, [
    { name: "label", value: "English (SDH)" },
    file("talk.srt", SRT),
    { name: "lang", value: "en-us" },
  ]);
  assert.equal(res.status, 201, await res.clone().text());
  assert.deepEqual(await res.json(), {
    lang: "en-US",
    label: "English (SDH)",
    url: `/stream/${v.id}/captions/en-US.vtt`,
  });
  const fr = await caption(app, v.id, [
    { name: "lang", value: "fr" },
    file("fr.VTT", VTT),
  ]);
  assert.equal(fr.status, 201);

  const vtt = await text(app, `/stream/${v.id}/captions/en-US.vtt`);
  assert.equal(
    vtt,
    "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nHello <i>there</i>\n\n" +
      "00:00:04.000 --> 00:00:05.500\nalert(1)Bye\n",
  );
  assert.match(
    (await app.fetch(`/stream/${v.id}/captions/en-US.vtt`)).headers.get(
      "content-type",
    )!,
    /^text\/vtt/,
  );
  assert.deepEqual(
    (await video(app, v.id)).captions.map((c) => [c.lang, c.label]),
    [
      ["en-US", "English (SDH)"],
      ["fr", null],
    ],
  );

  // The same language again replaces file and label.
  const again = await caption(app, v.id, [
    file("new.vtt", "WEBVTT\n\n00:00:00.500 --> 00:00:01.000\nNew\n"),
    { name: "lang", value: "EN-US" },
  ]);
  assert.equal(again.status, 201);
  assert.deepEqual((await kept(app, v.id)).list, [
    { lang: "en-US", label: null, url: `/stream/${v.id}/captions/en-US.vtt` },
    { lang: "fr", label: null, url: `/stream/${v.id}/captions/fr.vtt` },
  ]);
  assert.match(
    await text(app, `/stream/${v.id}/captions/en-US.vtt`),
    /\nNew\n/,
  );

  const del = await app.fetch(`/api/videos/${v.id}/captions/fr`, {
    method: "DELETE",
  });
  assert.equal(del.status, 204);
  assert.equal(
    (await app.fetch(`/stream/${v.id}/captions/fr.vtt`)).status,
    404,
  );
  assert.equal(
    (await app.fetch(`/stream/${v.id}/captions/fr.m3u8`)).status,
    404,
  );
  const gone = await app.fetch(`/api/videos/${v.id}/captions/fr`, {
    method: "DELETE",
  });
  assert.equal(gone.status, 404);
  assert.deepEqual((await kept(app, v.id)).files, [`${v.id}/en-US.vtt`]);

  // Deleting the video removes its captions' files and records.
  assert.equal(
    (await app.fetch(`/api/videos/${v.id}`, { method: "DELETE" })).status,
    204,
  );
  assert.deepEqual(
    await listFiles(join(app.dataDir, "captions")).catch(() => []),
    [],
  );
  assert.equal((await app.fetch(`/api/videos/${v.id}/captions`)).status, 404);
});

Deno.test("captions api - every bad file kind is refused with a sentence and nothing is kept", async () => {
  await using app = await inProcessApp({
    transcode: progressiveFake(Promise.resolve()),
  });
  const v = await upload(app);
  const en = { name: "lang", value: "en" };
  const png = new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    0,
    0,
    0,
    13,
  ]);
  const cases: [string, Part[], number, string][] = [
    ["no file", [en], 400, "no_file"],
    ["empty", [en, file("a.vtt", "")], 400, "empty_file"],
    ["blank lines only", [en, file("a.srt", "\n\n\n")], 400, "empty_file"],
    ["binary", [en, file("a.vtt", png)], 415, "unsupported_type"],
    ["wrong extension", [en, file("a.txt", VTT)], 415, "unsupported_type"],
    ["no WEBVTT header", [en, file("a.vtt", SRT)], 415, "unsupported_type"],
    [
      "no cues",
      [en, file("a.vtt", "WEBVTT\n\nNOTE nothing here\n")],
      400,
      "bad_request",
    ],
    [
      "bad timestamps",
      [en, file("a.srt", "1\n00:00:xx,000 --> 00:00:02,000\nHi\n")],
      400,
      "bad_request",
    ],
    ["no lang", [file("a.srt", SRT)], 400, "bad_request"],
    [
      "bad lang",
      [{ name: "lang", value: "not a language" }, file("a.srt", SRT)],
      400,
      "bad_request",
    ],
    [
      "label with a newline",
      [en, { name: "label", value: "a\nb" }, file("a.srt", SRT)],
      400,
      "bad_request",
    ],
    [
      "too large",
      [en, file("a.vtt", "WEBVTT\n\n" + "x".repeat(1024 * 1024))],
      413,
      "too_large",
    ],
    [
      "far too large (cut while streaming)",
      [en, file("a.vtt", "WEBVTT\n\n" + "x".repeat(5 * 1024 * 1024))],
      413,
      "too_large",
    ],
  ];
  for (const [name, parts, status, code] of cases) {
    const res = await caption(app, v.id, parts);
    const body = await res.json() as ErrorBody;
    assert.equal(res.status, status, `${name}: ${JSON.stringify(body)}`);
    assert.equal(body.error.code, code, name);
    assert.match(body.error.message, /^[A-Z"].+[.)]$/, `${name}: a sentence`);
  }
  const notForm = await app.fetch(`/api/videos/${v.id}/captions`, {
    method: "POST",
    body: VTT,
    headers: { "content-type": "text/vtt" },
  });
  assert.equal(notForm.status, 400);
  const unknown = await caption(app, crypto.randomUUID(), [
    en,
    file("a.srt", SRT),
  ]);
  assert.equal(unknown.status, 404);
  assert.deepEqual(await kept(app, v.id), { files: [], list: [] });
  assert.deepEqual((await video(app, v.id)).captions, []);
});

Deno.test("captions api - writes need the token when API_TOKEN is set", async () => {
  await using app = await inProcessApp({
    env: { API_TOKEN: "s3cret-token-value" },
    transcode: progressiveFake(Promise.resolve()),
  });
  const { body, contentType } = formBody([
    { name: "file", filename: "clip.mp4", data: await clipBytes() },
  ]);
  const auth = { authorization: "Bearer s3cret-token-value" };
  const up = await app.fetch("/api/videos", {
    method: "POST",
    body,
    headers: { "content-type": contentType, ...auth },
  });
  const v: Video = await up.json();
  const parts = [{ name: "lang", value: "en" }, file("a.srt", SRT)];
  assert.equal((await caption(app, v.id, parts)).status, 401);
  assert.equal((await caption(app, v.id, parts, auth)).status, 201);
  const del = await app.fetch(`/api/videos/${v.id}/captions/en`, {
    method: "DELETE",
  });
  assert.equal(del.status, 401);
  assert.equal((await kept(app, v.id)).list.length, 1);
});

Deno.test("captions api - a caption added while processing is in the final master and MPD; delete removes it", async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  await using app = await inProcessApp({
    transcode: progressiveFake(released),
  });
  const v = await upload(app);
  await until(async () => (await video(app, v.id)).playable);

  assert.equal(
    (await caption(app, v.id, [
      { name: "lang", value: "de" },
      file("de.srt", SRT),
    ])).status,
    201,
  );
  const early = await text(app, `/stream/${v.id}/master.m3u8`);
  assert.match(
    early,
    /#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="German",LANGUAGE="de",.*URI="captions\/de.m3u8"/,
  );
  assert.match(
    early,
    /RESOLUTION=320x180,CODECS="avc1.4d400d",SUBTITLES="subs"/,
  );

  release();
  await until(async () => (await video(app, v.id)).status === "ready");
  const master = await text(app, `/stream/${v.id}/master.m3u8`);
  assert.equal(master.match(/SUBTITLES="subs"/g)?.length, 2, master);
  assert.match(master, /TYPE=SUBTITLES.*LANGUAGE="de"/);
  const mpd = await text(app, `/stream/${v.id}/manifest.mpd`);
  assert.match(
    mpd,
    /<AdaptationSet id="caption-de" contentType="text" mimeType="text\/vtt" lang="de">/,
  );
  assert.match(mpd, /<BaseURL>captions\/de.vtt<\/BaseURL>/);
  const playlist = await text(app, `/stream/${v.id}/captions/de.m3u8`);
  assert.match(playlist, /#EXTINF:6\.\d{3},\nde\.vtt\n#EXT-X-ENDLIST/);

  // A caption added after ready shows at once, with a new ETag (no re-transcode).
  const etag = (await app.fetch(`/stream/${v.id}/master.m3u8`)).headers.get(
    "etag",
  )!;
  const cached = await app.fetch(`/stream/${v.id}/master.m3u8`, {
    headers: { "if-none-match": etag },
  });
  assert.equal(cached.status, 304);
  assert.equal(
    (await caption(app, v.id, [
      { name: "lang", value: "ja" },
      file("ja.vtt", VTT),
    ])).status,
    201,
  );
  const later = await app.fetch(`/stream/${v.id}/master.m3u8`, {
    headers: { "if-none-match": etag },
  });
  assert.equal(later.status, 200);
  assert.match(await later.text(), /NAME="Japanese",LANGUAGE="ja"/);

  await app.fetch(`/api/videos/${v.id}/captions/de`, { method: "DELETE" });
  await app.fetch(`/api/videos/${v.id}/captions/ja`, { method: "DELETE" });
  assert.equal(await text(app, `/stream/${v.id}/master.m3u8`), FINAL_MASTER);
  assert.equal(await text(app, `/stream/${v.id}/manifest.mpd`), FINAL_MPD);
});
