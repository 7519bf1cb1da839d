/**
 * Play in seconds, item 5: progressive transcodes and durable jobs together, with a real
 * server and real ffmpeg. kill -9 during the first rendition or during the rest of the
 * ladder (the job restarts from scratch and the video ends ready, never offering a playlist
 * that names a missing segment), DELETE in both phases (every ffmpeg stops, nothing is left),
 * and a failure of the rest after the first rendition was published (failed, nothing
 * offered, retry then succeeds).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, type TestServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import type { Video } from "../../lib/api/present.ts";
import { isProcessAlive } from "../../lib/media/process.ts";
import {
  getVideo,
  listFiles,
  pgrep,
  uploadMultipart,
  waitFor,
} from "./_api.ts";

const tmp = await Deno.makeTempDir({ prefix: "reel-progressive-jobs-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(tmp, { recursive: true }),
);
const SECONDS = 10;
/** Noisy 1080p60 at 12 Mb/s (not copyable): its ladder takes longer than it plays. */
const clip = (async () => {
  const path = join(tmp, "noisy.mp4");
  const lavfi = `testsrc2=size=1920x1080:rate=60:d=${SECONDS}`;
  const tone = `sine=frequency=330:sample_rate=48000:d=${SECONDS}`;
  await ffmpeg([
    ...`-f lavfi -i ${lavfi} -f lavfi -i ${tone}`.split(" "),
    ...`-vf noise=alls=14:allf=t -c:v libx264 -preset ultrafast`.split(" "),
    ...`-b:v 12M -maxrate 12M -bufsize 24M -pix_fmt yuv420p`.split(" "),
    ...["-c:a", "aac"],
    path,
  ]);
  return path;
})();
/** Generous: the machine may be shared with other encodes. */
const TIMEOUT_MS = 240_000;
/** The ladder of a 1080p source: 1080, 720, 480, 360. */
const RUNGS = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** ffmpeg (or wrapper) processes working on this video: its id is in their arguments. */
const ffmpegOf = async (id: string) =>
  (await pgrep(id)).filter((p) => p !== Deno.pid);
/** Running (a zombie waiting for its parent to reap it is not). */
const alive = (pid: number) => isProcessAlive(pid);

const finished = (v: Video) => v.status === "ready" || v.status === "failed";
/** Video JSON with `playable` and per-rendition `ready`. */
const get = async (s: TestServer, id: string) =>
  await getVideo(s, id) as unknown as Video;
const until = async (
  s: TestServer,
  id: string,
  /** Also stops once the video is ready or failed. */
  when: (v: Video) => boolean = () => false,
) =>
  await waitFor(s, id, (json) => {
    const v = json as unknown as Video;
    return finished(v) || when(v);
  }, TIMEOUT_MS) as unknown as {
    last: Video;
    seen: Video[];
  };

async function upload(s: TestServer): Promise<string> {
  const up = await uploadMultipart(s, await clip, "noisy.mp4");
  assert.equal(up.status, 202, JSON.stringify(up.body));
  return up.body.id as string;
}

/** URIs a playlist names: variant and media playlists, init segments, segments. */
function uris(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (!line) continue;
    if (!line.startsWith("#")) out.push(line);
    else out.push(...[...line.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]));
  }
  return out;
}

/**
 * Reads the published master and the media playlists it lists, and HEADs every segment they
 * name: all must exist. Returns the number of media playlists (0: nothing published).
 */
async function checkPublished(s: TestServer, id: string): Promise<number> {
  const base = `${s.url}/stream/${id}/`;
  const master = await fetch(base + "master.m3u8");
  if (master.status === 404) {
    await master.body?.cancel();
    return 0;
  }
  assert.equal(master.status, 200);
  const playlists = uris(await master.text());
  assert.ok(playlists.length > 0, "the master lists playlists");
  for (const name of playlists) {
    const res = await fetch(base + name);
    assert.equal(res.status, 200, `${name} listed by the master`);
    for (const seg of uris(await res.text())) {
      const head = await fetch(base + seg, { method: "HEAD" });
      await head.body?.cancel();
      assert.equal(head.status, 200, `${seg} listed by ${name}`);
    }
  }
  return playlists.length;
}

/** Checks what is published every 300 ms until the video is ready or failed. */
async function watchUntilDone(
  s: TestServer,
  id: string,
): Promise<{ last: Video; rounds: number }> {
  const end = Date.now() + TIMEOUT_MS;
  let rounds = 0;
  while (Date.now() < end) {
    const v = await get(s, id);
    if (finished(v)) return { last: v, rounds };
    if (await checkPublished(s, id) > 0) rounds++;
    await sleep(300);
  }
  throw new Error(`video ${id} did not finish`);
}

/** Ready with the full ladder, every rendition ready, the final playlists whole. */
async function assertReady(s: TestServer, id: string, v: Video) {
  assert.equal(v.status, "ready", v.error ?? "");
  assert.equal(v.playable, true);
  assert.equal(v.renditions.length, RUNGS);
  assert.ok(v.renditions.every((r) => r.ready && (r.bitrate ?? 0) > 0));
  assert.ok(v.hlsUrl && v.dashUrl);
  // master: one playlist per rung plus the audio.
  assert.equal(await checkPublished(s, id), RUNGS + 1);
  const streams = await listFiles(join(s.dataDir, "streams"));
  assert.ok(streams.every((f) => f.startsWith(`${id}/`)), "no temp folders");
  assert.deepEqual(await listFiles(join(s.dataDir, "work")), []);
}

/**
 * kill -9 once `when` holds, then restart on the same DATA_DIR: the dead server's ffmpeg is
 * killed, nothing is offered until the new attempt publishes, the re-run never publishes a
 * playlist naming a missing segment, and the video ends ready.
 */
async function killAndRecover(when: (v: Video) => boolean) {
  const dataDir = await Deno.makeTempDir({ prefix: "reel-progressive-crash-" });
  try {
    const s = await startServer({ dataDir });
    let id: string;
    try {
      id = await upload(s);
      const { last } = await until(
        s,
        id,
        (v) => v.status === "processing" && when(v),
      );
      assert.equal(last.status, "processing", "killed mid-transcode");
      await checkPublished(s, id);
    } finally {
      await s.kill9();
    }
    const orphans = await ffmpegOf(id);
    assert.ok(orphans.length > 0, "ffmpeg outlived the killed server");

    await using s2 = await startServer({ dataDir });
    const after = await get(s2, id);
    assert.equal(after.playable, false, "nothing offered after the restart");
    assert.equal(after.hlsUrl, null);
    assert.equal(after.posterUrl, null);
    for (let i = 0; i < 30 && orphans.some(alive); i++) await sleep(100);
    assert.deepEqual(orphans.filter(alive), [], "the old ffmpeg was killed");
    assert.match(s2.output(), /"msg":"job\.recovered"/);
    assert.match(s2.output(), /"msg":"job\.start"[^\n]*"attempt":2/);

    const { last, rounds } = await watchUntilDone(s2, id);
    assert.ok(rounds > 0, "the re-run published while processing");
    await assertReady(s2, id, last);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

/**
 * DELETE once `when` holds: 204, every ffmpeg of the job stops, the record is gone and no
 * file of the video is left (nor comes back from a publish that was in flight).
 */
async function deleteWhile(when: (v: Video) => boolean) {
  await using s = await startServer();
  const id = await upload(s);
  const { last } = await until(
    s,
    id,
    (v) => v.status === "processing" && when(v),
  );
  assert.equal(last.status, "processing");
  const pids = await ffmpegOf(id);
  assert.ok(pids.length > 0, "ffmpeg runs for this video");

  const del = await fetch(`${s.url}/api/videos/${id}`, { method: "DELETE" });
  assert.equal(del.status, 204);
  await del.body?.cancel();
  for (let i = 0; i < 50 && (await ffmpegOf(id)).length; i++) await sleep(100);
  assert.deepEqual(await ffmpegOf(id), [], "no ffmpeg of the job left");
  assert.deepEqual(pids.filter(alive), []);

  const leftovers = async () =>
    (await Promise.all(
      ["streams", "uploads", "work"].map((d) =>
        listFiles(join(s.dataDir, d, id))
      ),
    )).flat();
  for (let i = 0; i < 30 && (await leftovers()).length; i++) await sleep(100);
  assert.deepEqual(await leftovers(), []);
  await sleep(1000); // nothing published late
  assert.deepEqual(await leftovers(), []);
  for (const d of ["streams", "uploads", "work"]) {
    assert.ok(
      !(await listFiles(join(s.dataDir, d))).some((f) => f.includes(id)),
      `nothing of the video under ${d}/`,
    );
  }
  const gone = await fetch(`${s.url}/api/videos/${id}`);
  assert.equal(gone.status, 404);
  await gone.body?.cancel();
}

/** Not yet playable, or just: the first rendition is still being written. */
const firstRendition = (v: Video) =>
  v.progress > 0 && !v.renditions.some((r) => r.ready);
const restOfLadder = (v: Video) =>
  v.playable && v.renditions.some((r) => r.ready) &&
  !v.renditions.every((r) => r.ready);

Deno.test("progressive jobs - kill -9 during the first rendition: the job restarts and the video ends ready", async () => {
  await killAndRecover(firstRendition);
});

Deno.test("progressive jobs - kill -9 during the rest of the ladder: nothing half-written is offered, the video ends ready", async () => {
  await killAndRecover(restOfLadder);
});

Deno.test("progressive jobs - DELETE during the first rendition stops every ffmpeg and leaves nothing", async () => {
  await deleteWhile(firstRendition);
});

Deno.test("progressive jobs - DELETE during the rest of the ladder stops every ffmpeg and leaves nothing", async () => {
  await deleteWhile(restOfLadder);
});

Deno.test("progressive jobs - the rest of the ladder fails after the first rendition was published: failed, nothing offered, retry ends ready", async () => {
  // Runs the real ffmpeg, except the first run of the rest of the ladder (its output folder
  // is `…/rest/`): that one fails a second after the first rendition was published (a
  // playlist was staged in the sibling `publish/` folder).
  const bin = join(tmp, "rest-fails-once");
  const counter = join(tmp, "rest-runs");
  await Deno.writeTextFile(
    bin,
    `#!/bin/sh
out=""
for a in "$@"; do case "$a" in */rest/manifest.mpd) out="\${a%/rest/manifest.mpd}";; esac; done
if [ -z "$out" ] || [ -f "${counter}" ]; then exec ffmpeg "$@"; fi
touch "${counter}"
ffmpeg "$@" & pid=$!
while ! ls "$out"/publish/*.m3u8 >/dev/null 2>&1 && kill -0 $pid 2>/dev/null; do sleep 0.1; done
sleep 1
kill -9 $pid 2>/dev/null; wait $pid
echo "Simulated failure of the rest of the ladder" >&2
exit 1
`,
  );
  await Deno.chmod(bin, 0o755);
  await using s = await startServer({
    env: { FFMPEG_PATH: bin, JOB_MAX_ATTEMPTS: "1" },
  });
  const id = await upload(s);
  const { last, seen } = await until(s, id);
  assert.ok(seen.some((v) => v.playable), "the first rendition was published");
  assert.equal(last.status, "failed");
  assert.match(last.error ?? "", /Simulated failure of the rest/);
  assert.equal(last.playable, false);
  assert.equal(last.hlsUrl, null);
  assert.equal(last.posterUrl, null);
  await sleep(1000); // nothing published late either
  assert.equal((await get(s, id)).playable, false);
  assert.deepEqual(await listFiles(join(s.dataDir, "streams", id)), []);
  assert.deepEqual(await listFiles(join(s.dataDir, "work", id)), []);
  assert.equal(await checkPublished(s, id), 0);
  assert.deepEqual(await ffmpegOf(id), []);

  const retry = await fetch(`${s.url}/api/videos/${id}/retry`, {
    method: "POST",
  });
  assert.equal(retry.status, 202);
  assert.equal((await retry.json()).status, "queued");
  const again = await watchUntilDone(s, id);
  assert.ok(again.rounds > 0, "the retry published while processing");
  await assertReady(s, id, again.last);
  assert.equal(again.last.error, null);
});
