/// The video use cases and the worker in-process, with the contract-tested SQLite stores, the
/// local blob store and a fake transcoder: every lifecycle transition without ffmpeg.
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeClip } from "../media/_clips.ts";
import { listFiles } from "../integration/_api.ts";
import { formBody } from "../uploads/_helpers.ts";
import { fakeTranscode, inProcessApp, until } from "../app/_app.ts";

let clip: Uint8Array<ArrayBuffer> | null = null;
async function upload(
  app: Awaited<ReturnType<typeof inProcessApp>>,
): Promise<string> {
  if (!clip) {
    const dir = await Deno.makeTempDir();
    clip = await Deno.readFile(await makeClip(dir, { seconds: 1 }));
    await Deno.remove(dir, { recursive: true });
  }
  const { body, contentType } = formBody([
    { name: "file", filename: "clip.mp4", data: clip, type: "video/mp4" },
  ]);
  const res = await app.fetch("/api/videos", {
    method: "POST",
    body,
    headers: { "content-type": contentType },
  });
  assert.equal(res.status, 202);
  return (await res.json()).id;
}

const video = async (
  app: Awaited<ReturnType<typeof inProcessApp>>,
  id: string,
) => (await app.web.parts.stores.videos.get(id))!;

Deno.test("transcode job - an upload is queued, processed and published as ready", async () => {
  const transcode = fakeTranscode();
  await using app = await inProcessApp({ transcode });
  const id = await upload(app);
  const done = await until(async () => {
    const v = await video(app, id);
    return v.status === "ready" && v;
  });
  assert.equal(done.progress, 1);
  assert.deepEqual(done.renditions, [
    { width: 320, height: 180, bitrate: 100_000, ready: true },
  ]);
  assert.deepEqual(await listFiles(join(app.dataDir, "streams", id)), [
    "chunk-0-00001.m4s",
    "master.m3u8",
  ]);
  assert.deepEqual(
    await listFiles(join(app.dataDir, "work")),
    [],
    "scratch cleaned",
  );
  const stream = await app.fetch(`/stream/${id}/master.m3u8`);
  assert.equal(await stream.text(), "#EXTM3U\n");
  assert.deepEqual(await app.web.parts.stores.jobs.depth(), {
    queued: 0,
    processing: 0,
  });
});

Deno.test("transcode job - a failing attempt is retried with backoff, then succeeds", async () => {
  let failures = 2;
  const transcode = fakeTranscode({ fail: () => failures-- > 0 });
  await using app = await inProcessApp({ transcode });
  const id = await upload(app);
  await until(async () => (await video(app, id)).status === "ready");
  assert.equal(transcode.calls, 3);
  const counters = await app.web.parts.stores.counters.all();
  assert.equal(counters.ffmpeg_failures_total, 2);
  assert.equal(counters.transcodes_total, 1);
});

Deno.test("transcode job - out of attempts the video fails with the reason; retry requeues it", async () => {
  let broken = true;
  const transcode = fakeTranscode({ fail: () => broken });
  await using app = await inProcessApp({
    transcode,
    env: { JOB_MAX_ATTEMPTS: "2" },
  });
  const id = await upload(app);
  const failed = await until(async () => {
    const v = await video(app, id);
    return v.status === "failed" && v;
  });
  assert.match(failed.error ?? "", /fake failure/);
  assert.equal(transcode.calls, 2);
  broken = false;
  const res = await app.fetch(`/api/videos/${id}/retry`, { method: "POST" });
  assert.equal(res.status, 202);
  assert.equal((await res.json()).status, "queued");
  await until(async () => (await video(app, id)).status === "ready");
  const again = await app.fetch(`/api/videos/${id}/retry`, { method: "POST" });
  assert.equal(again.status, 409);
  assert.equal((await again.json()).error.code, "not_failed");
});

Deno.test("transcode job - deleting a video while it transcodes stops the job and removes everything", async () => {
  let release!: () => void;
  const hold = new Promise<void>((r) => release = r);
  const transcode = fakeTranscode({ hold });
  await using app = await inProcessApp({ transcode });
  const id = await upload(app);
  await until(async () => (await video(app, id)).status === "processing");
  const res = await app.fetch(`/api/videos/${id}`, { method: "DELETE" });
  assert.equal(res.status, 204);
  release();
  await until(() => app.web.parts.worker!.active === 0);
  assert.equal(await app.web.parts.stores.videos.get(id), null);
  for (const dir of ["streams", "uploads", "work", "incoming"]) {
    assert.deepEqual(await listFiles(join(app.dataDir, dir)), [], dir);
  }
  assert.deepEqual(await app.web.parts.stores.jobs.depth(), {
    queued: 0,
    processing: 0,
  });
});

Deno.test("transcode job - a queued video that lost its job gets one back at start-up", async () => {
  const transcode = fakeTranscode();
  await using app = await inProcessApp({
    transcode,
    env: { TRANSCODE_CONCURRENCY: "0" },
  });
  const id = await upload(app);
  const { jobs, videos } = app.web.parts.stores;
  await jobs.dropForVideo(id);
  assert.deepEqual(await videos.withoutJob(["queued"], "transcode"), [id]);
  assert.equal(await app.web.parts.lifecycle.recover(), 1);
  assert.deepEqual(await jobs.depth("transcode"), { queued: 1, processing: 0 });
  assert.equal((await video(app, id)).status, "queued");
});
