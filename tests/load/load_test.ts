/**
 * `deno task loadtest`: a bounded loopback load test. 20 concurrent uploads and 200
 * concurrent segment readers for a fixed time against one real server (rate limits off).
 * Passes when there are no errors, every video is processed exactly once, and the server's
 * memory stays bounded. Prints a summary.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "../_server.ts";
import { makeClip } from "../media/_clips.ts";
import { listFiles, uploadMultipart, waitFor } from "../integration/_api.ts";

const UPLOADS = 20;
const READERS = 200;
const READ_SECONDS = Number(Deno.env.get("LOAD_SECONDS") ?? 20);
const RSS_LIMIT = 400 * 1024 * 1024;

function rssOf(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0) * 1024;
}

Deno.test("load - 20 concurrent uploads and 200 segment readers: no errors, each video once, memory bounded", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "reel-load-" });
  try {
    await using s = await startServer({
      env: {
        RATE_LIMIT_UPLOADS: "0",
        RATE_LIMIT_WRITES: "0",
        LOG_LEVEL: "info",
      },
    });
    const clip = await makeClip(tmp, { width: 320, height: 180, seconds: 4 });
    // One ready video to read segments from.
    const seed = await uploadMultipart(s, clip, "seed.mp4");
    await waitFor(s, seed.body.id as string);
    const seedDir = join(s.dataDir, "streams", seed.body.id as string);
    const segments = (await listFiles(seedDir)).filter((f) =>
      f.endsWith(".m4s")
    );
    const sizes = new Map(
      segments.map((f) => [f, Deno.statSync(join(seedDir, f)).size]),
    );

    let peakRss = rssOf(s.pid);
    const idleRss = peakRss;
    const sampler = setInterval(() => {
      try {
        peakRss = Math.max(peakRss, rssOf(s.pid));
      } catch { /* exiting */ }
    }, 100);

    const stats = {
      requests: 0,
      bytes: 0,
      errors: 0,
      errorSamples: [] as string[],
    };
    const fail = (msg: string) => {
      stats.errors++;
      if (stats.errorSamples.length < 5) stats.errorSamples.push(msg);
    };
    const deadline = Date.now() + READ_SECONDS * 1000;
    const reader = async (n: number) => {
      let i = n;
      while (Date.now() < deadline) {
        const seg = segments[i++ % segments.length];
        const size = sizes.get(seg)!;
        const ranged = i % 3 === 0 && size > 2;
        const start = ranged ? Math.floor(size / 3) : 0;
        try {
          const res = await fetch(`${s.url}/stream/${seed.body.id}/${seg}`, {
            headers: ranged ? { range: `bytes=${start}-` } : {},
          });
          const body = await res.arrayBuffer();
          stats.requests++;
          stats.bytes += body.byteLength;
          const want = ranged ? 206 : 200;
          if (res.status !== want || body.byteLength !== size - start) {
            fail(`${seg}: ${res.status}, ${body.byteLength} bytes`);
          }
        } catch (err) {
          fail(String(err));
        }
      }
    };
    const t0 = performance.now();
    const uploads = Promise.all(
      Array.from(
        { length: UPLOADS },
        (_, i) => uploadMultipart(s, clip, `load-${i}.mp4`),
      ),
    );
    await Promise.all([
      ...Array.from({ length: READERS }, (_, n) => reader(n)),
      uploads,
    ]);
    const readSec = (performance.now() - t0) / 1000;
    const ups = await uploads;
    for (const u of ups) if (u.status !== 202) fail(`upload: ${u.status}`);
    const ids = ups.map((u) => u.body.id as string);
    const states = await Promise.all(
      ids.map((id) => waitFor(s, id, undefined, 300_000)),
    );
    clearInterval(sampler);
    const totalSec = (performance.now() - t0) / 1000;

    const starts = new Map<string, number>();
    for (
      const m of s.output().matchAll(/"msg":"job\.start","videoId":"([^"]+)"/g)
    ) {
      starts.set(m[1], (starts.get(m[1]) ?? 0) + 1);
    }
    const summary = {
      uploads: UPLOADS,
      ready: states.filter((x) => x.last.status === "ready").length,
      readers: READERS,
      segmentRequests: stats.requests,
      requestsPerSec: Math.round(stats.requests / readSec),
      megabytesRead: Math.round(stats.bytes / 1e6),
      errors: stats.errors,
      idleRssMB: Math.round(idleRss / 1e6),
      peakRssMB: Math.round(peakRss / 1e6),
      seconds: Math.round(totalSec),
    };
    console.log("load summary", JSON.stringify(summary));
    assert.deepEqual(stats.errorSamples, []);
    assert.equal(stats.errors, 0);
    assert.equal(summary.ready, UPLOADS);
    for (const id of ids) {
      assert.equal(starts.get(id), 1, `video ${id} transcoded once`);
    }
    assert.ok(peakRss < RSS_LIMIT, `peak RSS ${summary.peakRssMB} MB`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
