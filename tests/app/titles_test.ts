/// Titles follow one rule on both upload paths: 150 emoji are 150 characters and kept whole;
/// 201 characters are refused before the file is kept (tus: at creation, before any byte).
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeClip } from "../media/_clips.ts";
import { listFiles } from "../integration/_api.ts";
import { formBody } from "../uploads/_helpers.ts";
import { fakeTranscode, inProcessApp } from "./_app.ts";

const EMOJI_150 = "🎬".repeat(150);
const LONG_201 = "é".repeat(201);

const b64 = (s: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(s)));

async function clipBytes(): Promise<Uint8Array<ArrayBuffer>> {
  const dir = await Deno.makeTempDir();
  try {
    return await Deno.readFile(await makeClip(dir, { seconds: 1 }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function multipart(data: Uint8Array, title: string) {
  const { body, contentType } = formBody([
    { name: "title", value: title },
    { name: "file", filename: "clip.mp4", data, type: "video/mp4" },
  ]);
  return { method: "POST", body, headers: { "content-type": contentType } };
}

function tusCreate(size: number, title: string) {
  return {
    method: "POST",
    headers: {
      "tus-resumable": "1.0.0",
      "upload-length": String(size),
      "upload-metadata": `filename ${b64("clip.mp4")},title ${b64(title)}`,
    },
  };
}

Deno.test("titles - 150 emoji are accepted and kept whole on the multipart path", async () => {
  await using app = await inProcessApp({ transcode: fakeTranscode() });
  const res = await app.fetch(
    "/api/videos",
    multipart(await clipBytes(), EMOJI_150),
  );
  assert.equal(res.status, 202);
  const video = await res.json();
  assert.equal(video.title, EMOJI_150);
  const again = await (await app.fetch(`/api/videos/${video.id}`)).json();
  assert.equal(again.title, EMOJI_150);
});

Deno.test("titles - 150 emoji are accepted and kept whole on the tus path", async () => {
  await using app = await inProcessApp({ transcode: fakeTranscode() });
  const data = await clipBytes();
  const created = await app.fetch(
    "/api/uploads",
    tusCreate(data.byteLength, EMOJI_150),
  );
  assert.equal(created.status, 201);
  const done = await app.fetch(created.headers.get("location")!, {
    method: "PATCH",
    body: data,
    headers: {
      "tus-resumable": "1.0.0",
      "upload-offset": "0",
      "content-type": "application/offset+octet-stream",
    },
  });
  assert.equal(done.status, 204);
  const id = done.headers.get("x-video-id");
  const video = await (await app.fetch(`/api/videos/${id}`)).json();
  assert.equal(video.title, EMOJI_150);
});

Deno.test("titles - 201 characters get 400 bad_request on both paths and nothing is kept", async () => {
  await using app = await inProcessApp({ transcode: fakeTranscode() });
  const data = await clipBytes();
  const viaForm = await app.fetch("/api/videos", multipart(data, LONG_201));
  assert.equal(viaForm.status, 400);
  assert.equal((await viaForm.json()).error.code, "bad_request");

  const viaTus = await app.fetch(
    "/api/uploads",
    tusCreate(data.byteLength, LONG_201),
  );
  assert.equal(viaTus.status, 400, "refused at creation, before any byte");
  assert.equal((await viaTus.json()).error.code, "bad_request");
  assert.equal(viaTus.headers.get("location"), null);

  const list = await (await app.fetch("/api/videos")).json();
  assert.deepEqual(list.videos, []);
  for (const dir of ["incoming", "tus", "uploads", "streams"]) {
    assert.deepEqual(await listFiles(join(app.dataDir, dir)), [], dir);
  }
});

Deno.test("titles - PATCH uses the same rule: 150 emoji pass, 201 characters are refused", async () => {
  await using app = await inProcessApp({ transcode: fakeTranscode() });
  const res = await app.fetch(
    "/api/videos",
    multipart(await clipBytes(), "first"),
  );
  const { id } = await res.json();
  const patch = (title: string) =>
    app.fetch(`/api/videos/${id}`, {
      method: "PATCH",
      body: JSON.stringify({ title }),
      headers: { "content-type": "application/json" },
    });
  assert.equal((await (await patch(EMOJI_150)).json()).title, EMOJI_150);
  const refused = await patch(LONG_201);
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).error.code, "bad_request");
  const now = await (await app.fetch(`/api/videos/${id}`)).json();
  assert.equal(now.title, EMOJI_150, "unchanged");
});
