/// The cluster: real PostgreSQL + real S3 API (OpenStack Swift s3api); two web nodes and two
/// workers, each with its own empty DATA_DIR. An upload to A is seen (status, SSE progress)
/// and played on B; a worker killed mid-job has its job finished by the other, once; a
/// delete through B removes rows and objects; no node keeps an original or a segment.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, startWorker, type TestServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import { listFiles } from "../integration/_api.ts";
import { createDatabase, startPostgres } from "../store/_postgres.ts";
import { s3Env, startSwift } from "../storage/_swift.ts";
import { S3BlobStore } from "../../lib/storage/mod.ts";

const loose = { sanitizeOps: false, sanitizeResources: false } as const;

async function clip(dir: string, name: string, seconds: number, size: string) {
  const path = join(dir, name);
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${size}:rate=30:duration=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=sample_rate=48000:duration=${seconds}`,
    "-vf",
    "noise=alls=10:allf=t",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    path,
  ]);
  return path;
}

async function upload(s: TestServer, path: string): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([await Deno.readFile(path)]), "clip.mp4");
  const res = await fetch(`${s.url}/api/videos`, {
    method: "POST",
    body: form,
  });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json()).id;
}

const get = async (s: TestServer, id: string) =>
  await (await fetch(`${s.url}/api/videos/${id}`)).json();

async function until<T>(
  fn: () => Promise<T | false> | T | false,
  ms = 120_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `video` events of one video's SSE stream on `s`, until it ends. */
async function sseEvents(
  s: TestServer,
  id: string,
): Promise<{ status: string; progress: number }[]> {
  const res = await fetch(`${s.url}/api/videos/${id}/events`);
  const text = await res.text();
  return text.split("\n\n").filter((b) => b.includes("event: video")).map((b) =>
    JSON.parse(b.split("\n").find((l) => l.startsWith("data: "))!.slice(6))
  );
}

Deno.test({
  name:
    "cluster - two web nodes and two workers on PostgreSQL + S3 with no shared disk",
  ...loose,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "reel-cluster-" });
    const pg = await startPostgres();
    const swift = await startSwift();
    const db = await createDatabase(pg);
    const bucket = `reel-cluster-${crypto.randomUUID().slice(0, 8)}`;
    const env = {
      DATABASE_URL: db.url,
      // Every web node signs private playback links with the same key.
      SIGNING_SECRET: "cluster-test-signing-secret-0123456789abcdef",
      ...s3Env(swift, bucket, tmp),
      JOB_LEASE_SEC: "3",
    };
    const nodes: TestServer[] = [];
    try {
      const a = await startServer({
        env: { ...env, TRANSCODE_CONCURRENCY: "0" },
      });
      const b = await startServer({
        env: { ...env, TRANSCODE_CONCURRENCY: "0" },
      });
      nodes.push(a, b);
      const workerDir = () => Deno.makeTempDir({ dir: tmp, prefix: "worker-" });
      const w1 = await startWorker(await workerDir(), env);
      const w2 = await startWorker(await workerDir(), env);
      nodes.push(w1, w2);

      // Upload to A; status and SSE progress on B; playback from B.
      const small = await clip(tmp, "small.mp4", 6, "640x360");
      const t0 = performance.now();
      const id = await upload(a, small);
      const events = await sseEvents(b, id);
      assert.equal(
        events.at(-1)!.status,
        "ready",
        JSON.stringify(events.at(-1)),
      );
      assert.ok(events.length >= 2, `${events.length} SSE events on B`);
      console.log(
        `cluster: upload → ready ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s`,
      );
      const master = await fetch(`${b.url}/stream/${id}/master.m3u8`);
      assert.equal(master.status, 200);
      const text = await master.text();
      assert.match(text, /#EXT-X-STREAM-INF/);
      const media = await (await fetch(`${b.url}/stream/${id}/media_0.m3u8`))
        .text();
      const seg = media.split("\n").find((l) => l.endsWith(".m4s"))!;
      const part = await fetch(`${b.url}/stream/${id}/${seg}`, {
        headers: { range: "bytes=0-99" },
      });
      assert.equal(part.status, 206);
      assert.equal((await part.arrayBuffer()).byteLength, 100);

      // Private on A: B refuses the unsigned path, plays A's signed link (one shared key).
      const hidden = await fetch(`${a.url}/api/videos/${id}`, {
        method: "PATCH",
        body: JSON.stringify({ visibility: "private" }),
      });
      assert.equal(hidden.status, 200);
      await until(async () =>
        (await fetch(`${b.url}/stream/${id}/master.m3u8`)).status === 404
      );
      const grant = await (await fetch(`${a.url}/api/videos/${id}/playback`, {
        method: "POST",
      })).json();
      const signed = await fetch(`${b.url}${grant.hlsUrl}`);
      assert.equal(signed.status, 200);
      assert.match(await signed.text(), /#EXT-X-STREAM-INF/);
      const signedSeg = await fetch(
        `${b.url}${grant.hlsUrl.replace("master.m3u8", seg)}`,
      );
      assert.equal(signedSeg.status, 200);
      await signedSeg.body?.cancel();

      // A worker killed mid-job: the other finishes it after the lease, once.
      const big = await clip(tmp, "big.mp4", 20, "1280x720");
      const id2 = await upload(b, big);
      const holder = await until(() => {
        for (const w of [w1, w2]) {
          if (w.output().includes(`"msg":"job.start","videoId":"${id2}"`)) {
            return w;
          }
        }
        return false;
      });
      await until(async () => (await get(a, id2)).progress > 0.05 || false);
      await holder.kill9();
      const other = holder === w1 ? w2 : w1;
      const done = await until(async () => {
        const v = await get(a, id2);
        return v.status === "ready" ? v : false;
      }, 180_000);
      assert.equal(done.renditions.length, 3); // 720p source: 720/480/360
      const doneLines = (w: TestServer) =>
        w.output().split("\n").filter((l) =>
          l.includes('"msg":"job.done"') && l.includes(id2)
        ).length;
      assert.equal(
        doneLines(other),
        1,
        "finished once by the surviving worker",
      );
      assert.equal(doneLines(holder), 0);

      // Delete through B: rows and objects gone.
      for (const v of [id, id2]) {
        assert.equal(
          (await fetch(`${b.url}/api/videos/${v}`, { method: "DELETE" }))
            .status,
          204,
        );
        assert.equal((await fetch(`${a.url}/api/videos/${v}`)).status, 404);
      }
      const s3 = await S3BlobStore.open({
        bucket,
        endpoint: swift.endpoint,
        region: swift.region,
        credentials: {
          accessKeyId: swift.accessKeyId,
          secretAccessKey: swift.secretAccessKey,
        },
        createBucket: false,
      });
      assert.deepEqual(await s3.list(""), [], "no object left in the bucket");
      s3.close();

      // The killed worker comes back on its disk and sweeps what it left behind.
      const back = await startWorker(holder.dataDir, env);
      nodes.push(back);
      nodes.splice(nodes.indexOf(holder), 1);
      // No node keeps an original or a segment on its own disk.
      for (const n of nodes) {
        const files = await listFiles(n.dataDir);
        const kept = files.filter((f) => /\.m4s$|original\.|\.m3u8$/.test(f));
        assert.deepEqual(kept, [], `${n.dataDir}: ${kept.join(", ")}`);
      }
    } finally {
      for (const n of nodes) await n[Symbol.asyncDispose]().catch(() => {});
      await db.drop().catch(() => {});
      await swift.stop();
      await pg.stop();
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});
