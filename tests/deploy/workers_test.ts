/**
 * Separate transcode workers: one web-only process plus worker processes on one DATA_DIR.
 * Every job runs exactly once; a worker killed mid-job has its job finished by another once
 * the lease expires; progress still reaches clients through the web process.
 */
import assert from "node:assert/strict";
import { startServer, startWorker, type TestServer } from "../_server.ts";
import { makeClip } from "../media/_clips.ts";
import { getVideo, uploadMultipart, waitFor } from "../integration/_api.ts";

const tmp = await Deno.makeTempDir({ prefix: "reel-workers-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(tmp, { recursive: true }),
);

function jobStarts(...procs: TestServer[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of procs) {
    for (
      const m of p.output().matchAll(/"msg":"job\.start","videoId":"([^"]+)"/g)
    ) {
      counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    }
  }
  return counts;
}

Deno.test("workers - a web-only process keeps uploads queued until a worker starts", async () => {
  await using web = await startServer({ env: { TRANSCODE_CONCURRENCY: "0" } });
  const clip = await makeClip(tmp, { width: 160, height: 90, seconds: 1 });
  const up = await uploadMultipart(web, clip, "wait.mp4");
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal((await getVideo(web, up.body.id as string)).status, "queued");
  await using _w = await startWorker(web.dataDir);
  const { last } = await waitFor(web, up.body.id as string);
  assert.equal(last.status, "ready");
});

Deno.test("workers - two workers and a web process: six clips, each transcoded exactly once", async () => {
  const env = { TRANSCODE_CONCURRENCY: "0" };
  await using web = await startServer({ env });
  await using w1 = await startWorker(web.dataDir);
  await using w2 = await startWorker(web.dataDir);
  const clip = await makeClip(tmp, { width: 320, height: 180, seconds: 2 });
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    ids.push((await uploadMultipart(web, clip, `c${i}.mp4`)).body.id as string);
  }

  // The web process's SSE reports progress made by the workers.
  const events = await fetch(`${web.url}/api/videos/${ids[5]}/events`);
  const sse = await events.text();
  assert.match(sse, /"status":"processing"/);
  assert.match(sse, /"status":"ready"/);

  for (const id of ids) {
    assert.equal((await waitFor(web, id)).last.status, "ready");
  }
  const starts = jobStarts(web, w1, w2);
  for (const id of ids) assert.equal(starts.get(id), 1, `job ${id} ran once`);
  const perWorker = [w1, w2].map((w) => jobStarts(w).size);
  assert.equal(perWorker[0] + perWorker[1], 6);
  assert.ok(
    perWorker.every((n) => n > 0),
    `both workers took jobs: ${perWorker}`,
  );
});

Deno.test("workers - a worker killed with kill -9 mid-job: another finishes the job after the lease", async () => {
  const env = { JOB_LEASE_SEC: "3" };
  await using web = await startServer({
    env: { ...env, TRANSCODE_CONCURRENCY: "0" },
  });
  const w1 = await startWorker(web.dataDir, env);
  const clip = await makeClip(tmp, {
    width: 1280,
    height: 720,
    seconds: 12,
    name: "long.mp4",
  });
  const id = (await uploadMultipart(web, clip, "long.mp4")).body.id as string;
  await waitFor(web, id, (v) => v.status === "processing" && v.progress > 0);
  await w1.kill9();
  await using w2 = await startWorker(web.dataDir, env);
  const { last } = await waitFor(web, id, undefined, 180_000);
  assert.equal(last.status, "ready", last.error ?? "");
  assert.equal(jobStarts(w2).get(id), 1, "the second worker took over");
  await w1[Symbol.asyncDispose]();
});

Deno.test("metrics - /metrics is Prometheus text and counts what happened", async () => {
  await using s = await startServer();
  const clip = await makeClip(tmp, { width: 160, height: 90, seconds: 1 });
  const up = await uploadMultipart(s, clip, "m.mp4");
  await waitFor(s, up.body.id as string);
  const text = new TextEncoder().encode("nope");
  const fd = new FormData();
  fd.append("file", new Blob([text]), "bad.mp4");
  (await fetch(`${s.url}/api/videos`, { method: "POST", body: fd })).body
    ?.cancel();
  const res = await fetch(`${s.url}/metrics`);
  assert.match(
    res.headers.get("content-type")!,
    /^text\/plain; version=0\.0\.4/,
  );
  const body = await res.text();
  const samples = parsePrometheus(body);
  assert.equal(samples.get("reel_uploads_total"), 1);
  assert.equal(samples.get("reel_uploads_rejected_total"), 1);
  assert.equal(samples.get("reel_transcodes_total"), 1);
  assert.equal(samples.get('reel_videos{status="ready"}'), 1);
  assert.equal(samples.get("reel_queue_depth"), 0);
  assert.ok(samples.get("reel_transcode_seconds_per_video_second")! > 0);
  assert.ok(
    samples.get(
      'reel_http_requests_total{route="/api/videos",method="POST",status="202"}',
    ) === 1,
  );
  assert.equal(samples.get("reel_ffmpeg_failures_total"), 0);
});

/** A strict-enough parser of the text exposition format: throws on malformed lines. */
function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split("\n")) {
    if (!line) continue;
    const help = line.match(/^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/);
    if (help) {
      if (help[1] === "TYPE") {
        assert.match(help[3], /^(counter|gauge|histogram|summary|untyped)$/);
        typed.add(help[2]);
      }
      continue;
    }
    const m = line.match(
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/,
    );
    assert.ok(m, `malformed sample line: ${line}`);
    assert.ok(typed.has(m[1]), `sample before its TYPE: ${line}`);
    out.set(m[1] + (m[2] ?? ""), Number(m[3]));
  }
  return out;
}
