/**
 * Durable jobs end to end: delete during processing, retry of a failed video, and a server
 * killed with SIGKILL mid-transcode that finishes the video after a restart.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "../_server.ts";
import { makeClip } from "../media/_clips.ts";
import { listFiles, pgrep, uploadMultipart, waitFor } from "./_api.ts";

const tmp = await Deno.makeTempDir({ prefix: "reel-jobs-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(tmp, { recursive: true }),
);
/** Long enough (at 720p, 4 rungs' worth of work) that a test can act mid-transcode. */
const slowClip = makeClip(tmp, {
  width: 1280,
  height: 720,
  seconds: 24,
  name: "slow.mp4",
});

async function ffmpegPidsFor(id: string): Promise<number[]> {
  return (await pgrep(id)).filter((pid) => pid !== Deno.pid);
}

Deno.test("jobs - deleting a video while it transcodes kills ffmpeg and removes every file", async () => {
  await using s = await startServer();
  const up = await uploadMultipart(s, await slowClip, "slow.mp4");
  const id = up.body.id as string;
  await waitFor(s, id, (v) => v.status === "processing" && v.progress > 0);
  assert.ok(
    (await ffmpegPidsFor(id)).length > 0,
    "ffmpeg is running for this video",
  );

  const del = await fetch(`${s.url}/api/videos/${id}`, { method: "DELETE" });
  assert.equal(del.status, 204);
  const gone = await fetch(`${s.url}/api/videos/${id}`);
  assert.equal(gone.status, 404);
  await gone.body?.cancel();
  // ffmpeg is killed at once; give the worker a moment to clean its temp folder.
  for (let i = 0; i < 50 && (await ffmpegPidsFor(id)).length; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(await ffmpegPidsFor(id), [], "no ffmpeg left");
  await new Promise((r) => setTimeout(r, 300));
  const left = [
    ...await listFiles(join(s.dataDir, "streams")),
    ...await listFiles(join(s.dataDir, "uploads")),
  ];
  assert.deepEqual(left, []);
});

Deno.test("jobs - a failed video says why, and retry requeues it from the kept original", async () => {
  // An ffmpeg that crashes until a marker file exists, then runs the real one.
  const bin = join(tmp, "flaky-ffmpeg");
  const marker = join(tmp, "ffmpeg-works");
  await Deno.writeTextFile(
    bin,
    `#!/bin/sh\nif [ -f "${marker}" ]; then exec ffmpeg "$@"; fi\n` +
      `echo "Simulated encoder crash" >&2\nexit 1\n`,
  );
  await Deno.chmod(bin, 0o755);
  await using s = await startServer({
    env: { FFMPEG_PATH: bin, JOB_MAX_ATTEMPTS: "2" },
  });
  const clip = await makeClip(tmp, { width: 320, height: 180, seconds: 2 });
  const up = await uploadMultipart(s, clip, "flaky.mp4");
  const id = up.body.id as string;

  const { last } = await waitFor(s, id, undefined, 60_000);
  assert.equal(last.status, "failed");
  assert.match(last.error ?? "", /Simulated encoder crash/);
  assert.ok(
    s.output().includes('"msg":"job.error"'),
    "the first attempt was retried",
  );
  const notFailed = await fetch(
    `${s.url}/api/videos/${crypto.randomUUID()}/retry`,
    {
      method: "POST",
    },
  );
  assert.equal(notFailed.status, 404);
  await notFailed.body?.cancel();

  await Deno.writeTextFile(marker, "");
  const retry = await fetch(`${s.url}/api/videos/${id}/retry`, {
    method: "POST",
  });
  assert.equal(retry.status, 202);
  assert.equal((await retry.json()).status, "queued");
  const again = await waitFor(s, id);
  assert.equal(again.last.status, "ready");
  assert.equal(again.last.error, null);

  const twice = await fetch(`${s.url}/api/videos/${id}/retry`, {
    method: "POST",
  });
  assert.equal(twice.status, 409);
  assert.equal((await twice.json()).error.code, "not_failed");
});

Deno.test("jobs - kill -9 mid-transcode: after a restart the orphan ffmpeg is gone and the video gets ready", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "reel-crash-" });
  try {
    let id: string;
    {
      const s = await startServer({ dataDir });
      const up = await uploadMultipart(s, await slowClip, "crash.mp4");
      id = up.body.id as string;
      await waitFor(
        s,
        id,
        (v) => v.status === "processing" && v.progress > 0.05,
      );
      await s.kill9();
    }
    const orphans = await ffmpegPidsFor(id);
    // (ffmpeg runs in its own process group, so it outlives the killed server.)
    await using s2 = await startServer({ dataDir });
    for (let i = 0; i < 30 && orphans.some((p) => isAlive(p)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(
      !orphans.some((p) => isAlive(p)),
      "the old ffmpeg was killed on restart",
    );
    assert.ok(s2.output().includes('"msg":"job.recovered"'));
    const { last } = await waitFor(s2, id, undefined, 180_000);
    assert.equal(last.status, "ready", last.error ?? "");
    assert.equal(last.renditions.length, 3);
    const streams = await listFiles(join(dataDir, "streams"));
    assert.ok(
      streams.every((f) => f.startsWith(`${id}/`)),
      "no temp folders left",
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}
