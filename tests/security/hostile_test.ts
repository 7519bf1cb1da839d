/**
 * Hostile uploads: files that pretend to be videos but are playlists or scripts pointing at
 * other files or URLs, non-video media, garbage, truncated files and decompression bombs.
 * Each gets a clear 4xx (or a finished video) and leaves nothing stored; nothing is read
 * or fetched on the uploader's behalf.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, type TestServer } from "../_server.ts";
import { ffmpeg, makeAudioOnly, makeClip, makeImage } from "../media/_clips.ts";
import { listFiles, uploadMultipart, waitFor } from "../integration/_api.ts";

const tmp = await Deno.makeTempDir({ prefix: "reel-hostile-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(tmp, { recursive: true }),
);

async function write(name: string, text: string): Promise<string> {
  const p = join(tmp, name);
  await Deno.writeTextFile(p, text);
  return p;
}

async function assertNothingStored(s: TestServer): Promise<void> {
  for (const dir of ["incoming", "uploads", "streams", "tus"]) {
    const files = await listFiles(join(s.dataDir, dir));
    assert.deepEqual(files, [], `${dir} is empty`);
  }
  const list = await (await fetch(`${s.url}/api/videos`)).json();
  assert.deepEqual(list.videos, []);
}

Deno.test("hostile - playlists, MPDs and ffconcat scripts disguised as videos are refused and read nothing", async () => {
  // A canary HTTP server: any request to it means ffmpeg fetched a URL for an uploader.
  let canaryHits = 0;
  const canary = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => {
      canaryHits++;
      return new Response("#EXTM3U\n");
    },
  );
  const canaryUrl = `http://127.0.0.1:${canary.addr.port}`;
  try {
    await using s = await startServer();
    // A real video already on the server: its original must never be readable by others.
    const victim = await makeClip(tmp, { width: 160, height: 90, seconds: 1 });
    const v = await uploadMultipart(s, victim, "victim.mp4");
    await waitFor(s, v.body.id as string);
    const victimOriginal = `${s.dataDir}/uploads/${v.body.id}/original.mp4`;
    const before = await listFiles(s.dataDir);

    const cases: [string, string][] = [
      [
        "hls-passwd.mp4",
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
      ],
      [
        "hls-victim.mkv",
        `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${victimOriginal}\n` +
        `#EXTINF:10,\n../uploads/${v.body.id}/original.mp4\n#EXT-X-ENDLIST\n`,
      ],
      [
        "hls-url.mov",
        `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${canaryUrl}/seg.ts\n#EXT-X-ENDLIST\n`,
      ],
      [
        "dash.mp4",
        `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" ` +
        `mediaPresentationDuration="PT10S"><Period><AdaptationSet><Representation id="1" ` +
        `bandwidth="1000"><BaseURL>${canaryUrl}/v.mp4</BaseURL></Representation>` +
        `</AdaptationSet></Period></MPD>`,
      ],
      [
        "concat.mp4",
        `ffconcat version 1.0\nfile '${victimOriginal}'\nfile '/etc/passwd'\n`,
      ],
      ["concat-url.webm", `ffconcat version 1.0\nfile '${canaryUrl}/x.mp4'\n`],
    ];
    for (const [name, text] of cases) {
      const r = await uploadMultipart(s, await write(name, text), name);
      assert.equal(r.status, 415, `${name}: ${JSON.stringify(r.body)}`);
      const err = r.body.error as { code: string; message: string };
      assert.equal(err.code, "not_a_video");
      assert.doesNotMatch(
        err.message,
        /passwd|uploads\/|127\.0\.0\.1/,
        "no paths echoed",
      );
    }
    assert.equal(
      canaryHits,
      0,
      "the server never fetched a URL from an upload",
    );
    assert.deepEqual(await listFiles(s.dataDir), before, "nothing stored");
    const list = await (await fetch(`${s.url}/api/videos`)).json();
    assert.equal(list.videos.length, 1);
  } finally {
    await canary.shutdown();
  }
});

Deno.test("hostile - audio-only, images, random bytes and truncated files get clear errors", async () => {
  await using s = await startServer();
  const audio = await makeAudioOnly(tmp, "song.mp4");
  const image = await makeImage(tmp, "photo.mp4");
  const random = join(tmp, "random.mkv");
  await Deno.writeFile(
    random,
    crypto.getRandomValues(new Uint8Array(64 * 1024)),
  );
  // moov at the end: cutting the tail removes the index entirely.
  const full = await makeClip(tmp, {
    width: 320,
    height: 180,
    seconds: 2,
    name: "full.mp4",
  });
  const bytes = await Deno.readFile(full);
  const noMoov = join(tmp, "nomoov.mp4");
  await Deno.writeFile(noMoov, bytes.slice(0, Math.floor(bytes.length * 0.6)));

  for (
    const [path, name] of [[audio, "song.mp4"], [image, "photo.mp4"], [
      random,
      "random.mkv",
    ], [
      noMoov,
      "nomoov.mp4",
    ]]
  ) {
    const r = await uploadMultipart(s, path, name);
    assert.equal(r.status, 415, `${name}: ${JSON.stringify(r.body)}`);
    const err = r.body.error as { code: string; message: string };
    assert.equal(err.code, "not_a_video");
    assert.ok(err.message.length > 20);
  }
  await assertNothingStored(s);
});

Deno.test("hostile - an mdat cut short is either refused or finishes; it never stays stuck", async () => {
  await using s = await startServer({ env: { JOB_MAX_ATTEMPTS: "1" } });
  const src = await makeClip(tmp, {
    width: 320,
    height: 180,
    seconds: 4,
    name: "src.mp4",
  });
  const fast = join(tmp, "faststart.mp4");
  await ffmpeg(["-i", src, "-c", "copy", "-movflags", "+faststart", fast]);
  const bytes = await Deno.readFile(fast);
  const cut = join(tmp, "cut.mp4");
  await Deno.writeFile(cut, bytes.slice(0, Math.floor(bytes.length * 0.5)));
  const r = await uploadMultipart(s, cut, "cut.mp4");
  if (r.status === 202) {
    const { last } = await waitFor(s, r.body.id as string, undefined, 60_000);
    assert.ok(["ready", "failed"].includes(last.status));
    if (last.status === "failed") assert.ok((last.error ?? "").length > 0);
  } else {
    assert.equal(r.status, 415);
    await assertNothingStored(s);
  }
});

Deno.test("hostile - input limits stop oversized resolution, frame rate and duration (422)", async () => {
  await using s = await startServer({
    env: {
      MAX_INPUT_WIDTH: "320",
      MAX_INPUT_HEIGHT: "240",
      MAX_INPUT_FPS: "30",
      MAX_DURATION_SEC: "3",
    },
  });
  const wide = await makeClip(tmp, {
    width: 640,
    height: 360,
    seconds: 1,
    name: "wide.mp4",
  });
  const fast = await makeClip(tmp, {
    width: 160,
    height: 90,
    seconds: 1,
    fps: 60,
    name: "60.mp4",
  });
  const long = await makeClip(tmp, {
    width: 160,
    height: 90,
    seconds: 5,
    name: "long.mp4",
  });
  for (
    const [path, pattern] of [
      [wide, /640x360.*MAX_INPUT_WIDTH/],
      [fast, /60.*MAX_INPUT_FPS/],
      [long, /MAX_DURATION_SEC/],
    ] as const
  ) {
    const r = await uploadMultipart(s, path, "big.mp4");
    assert.equal(r.status, 422, JSON.stringify(r.body));
    const err = r.body.error as { code: string; message: string };
    assert.equal(err.code, "input_limits");
    assert.match(err.message, pattern);
  }
  await assertNothingStored(s);
});

Deno.test("hostile - file names and titles are stored safely and shown escaped", async () => {
  await using s = await startServer();
  const clip = await makeClip(tmp, {
    width: 160,
    height: 90,
    seconds: 1,
    name: "n.mp4",
  });
  const names = [
    "../../../etc/evil.mp4",
    "/absolute/path/clip.mp4",
    "C:\\Users\\me\\win.mp4",
    "right-to-left\u202eoverride\u2028line.mp4",
    `${"長い名前".repeat(750)}.mp4`,
  ];
  const ids: string[] = [];
  for (const name of names) {
    const r = await uploadMultipart(s, clip, name);
    assert.equal(
      r.status,
      202,
      `${name.slice(0, 40)}: ${JSON.stringify(r.body)}`,
    );
    const sourceName = r.body.sourceName as string;
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(sourceName, /[/\\\u0000-\u001f\u202e\u2028]/);
    assert.ok(sourceName.length <= 255);
    assert.ok(sourceName.endsWith(".mp4"), sourceName);
    ids.push(r.body.id as string);
  }
  // NUL and control characters inside a multipart header are malformed HTTP: refused
  // plainly (or, if a client encodes them, cleaned), never stored raw.
  for (const name of ["nul\u0000byte.mp4", "bell\u0007esc\u001b.mp4"]) {
    const r = await uploadMultipart(s, clip, name);
    if (r.status === 202) {
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(r.body.sourceName as string, /[\u0000-\u001f]/);
      ids.push(r.body.id as string);
    } else {
      assert.equal(r.status, 400);
      assert.equal((r.body.error as { code: string }).code, "bad_request");
    }
  }
  // Files live only under uuid folders.
  const stored = await listFiles(join(s.dataDir, "uploads"));
  assert.ok(
    stored.every((f) => /^[0-9a-f-]{36}\/original\.mp4$/.test(f)),
    stored.join(","),
  );
  assert.ok(!(await exists(join(s.dataDir, "..", "etc", "evil.mp4"))));

  const evil =
    `<img src=x onerror=alert(1)></script><script>alert(2)</script><!--`;
  const renamed = await fetch(`${s.url}/api/videos/${ids[0]}`, {
    method: "PATCH",
    body: JSON.stringify({ title: evil }),
  });
  assert.equal((await renamed.json()).title, evil, "stored as text, unchanged");
  for (const id of ids) await waitFor(s, id);
  for (const path of ["/", `/player/${ids[0]}`]) {
    const html = await (await fetch(`${s.url}${path}`)).text();
    assert.ok(
      !html.includes("<img src=x"),
      `${path}: no raw HTML from the title`,
    );
    assert.ok(!html.includes("<script>alert"), `${path}: no injected script`);
    assert.ok(
      !html.includes("</script><script>"),
      `${path}: island props cannot break out`,
    );
  }
});

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}
