/// tus across web nodes on S3 (real PostgreSQL + Swift s3api): an upload begun on node A
/// (one PATCH under S3's 5 MiB part minimum, kept as a `.part` object, one that completes
/// the first part) resumes on node B after A is killed with -9: B's HEAD reports A's
/// offset, B takes the rest, the video becomes ready; a terminated upload leaves no object;
/// a PATCH on B waits while A still receives the same upload; creation-with-upload works;
/// neither node keeps upload bytes on its disk.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, startWorker, type TestServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import { listFiles } from "../integration/_api.ts";
import { createDatabase, startPostgres } from "../store/_postgres.ts";
import { s3Env, startSwift } from "../storage/_swift.ts";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { S3BlobStore } from "../../lib/storage/mod.ts";

const loose = { sanitizeOps: false, sanitizeResources: false } as const;
const MiB = 1024 * 1024;
const b64 = (s: string) => btoa(s);
const tus = { "tus-resumable": "1.0.0" };

async function create(s: TestServer, size: number): Promise<string> {
  const res = await fetch(`${s.url}/api/uploads`, {
    method: "POST",
    headers: {
      ...tus,
      "upload-length": String(size),
      "upload-metadata": `filename ${b64("noisy.mp4")},title ${
        b64("Across nodes")
      }`,
    },
  });
  assert.equal(res.status, 201, await res.text());
  return new URL(res.headers.get("location")!, s.url).pathname;
}

async function patch(
  s: TestServer,
  path: string,
  offset: number,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Response> {
  const res = await fetch(`${s.url}${path}`, {
    method: "PATCH",
    headers: {
      ...tus,
      "upload-offset": String(offset),
      "content-type": "application/offset+octet-stream",
    },
    body: bytes,
  });
  await res.body?.cancel();
  return res;
}

async function offsetOn(s: TestServer, path: string): Promise<number> {
  const res = await fetch(`${s.url}${path}`, { method: "HEAD", headers: tus });
  assert.equal(res.status, 200, `HEAD ${path} on ${s.url}: ${res.status}`);
  return Number(res.headers.get("upload-offset"));
}

async function until<T>(
  fn: () => Promise<T | false>,
  ms = 180_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 250));
  }
}

Deno.test({
  name: "cluster - a tus upload begun on node A resumes and finishes on node B",
  ...loose,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "reel-cluster-tus-" });
    const pg = await startPostgres();
    const swift = await startSwift();
    const db = await createDatabase(pg);
    const bucket = `reel-tus-${crypto.randomUUID().slice(0, 8)}`;
    const env = {
      DATABASE_URL: db.url,
      SIGNING_SECRET: "tus-test-signing-secret-0123456789abcdef",
      ...s3Env(swift, bucket, tmp),
      TRANSCODE_CONCURRENCY: "0",
      // Everything under a prefix, tus objects included.
      S3_PREFIX: "site-a/",
    };
    const nodes: TestServer[] = [];
    const s3Options = {
      bucket,
      endpoint: swift.endpoint,
      region: swift.region,
      credentials: {
        accessKeyId: swift.accessKeyId,
        secretAccessKey: swift.secretAccessKey,
      },
    };
    const s3 = new S3BlobStore({ ...s3Options, prefix: "site-a/" });
    try {
      const path = join(tmp, "noisy.mp4");
      await ffmpeg([
        ..."-f lavfi -i testsrc2=size=640x360:rate=30:duration=4".split(" "),
        ..."-f lavfi -i sine=sample_rate=48000:duration=4".split(" "),
        ..."-vf noise=alls=30:allf=t -c:v libx264 -preset ultrafast -qp 24"
          .split(" "),
        ..."-pix_fmt yuv420p -c:a aac".split(" "),
        path,
      ]);
      const bytes = await Deno.readFile(path);
      assert.ok(bytes.length > 10 * MiB, `${bytes.length} bytes`);

      const a = await startServer({ env });
      const b = await startServer({ env });
      nodes.push(a, b);
      const worker = await startWorker(
        await Deno.makeTempDir({ dir: tmp, prefix: "worker-" }),
        { ...env, TRANSCODE_CONCURRENCY: "1" },
      );
      nodes.push(worker);

      // While A is still receiving an upload, a PATCH of it on B waits for A to let go.
      const contended = await create(a, bytes.length);
      const stalled = new AbortController();
      let pushMore: () => void = () => {};
      const body = new ReadableStream<Uint8Array>({
        start(ctrl) {
          ctrl.enqueue(bytes.slice(0, MiB));
          pushMore = () => ctrl.enqueue(bytes.slice(MiB, 2 * MiB));
        },
      });
      const onA = fetch(`${a.url}${contended}`, {
        method: "PATCH",
        headers: {
          ...tus,
          "upload-offset": "0",
          "content-type": "application/offset+octet-stream",
        },
        body,
        signal: stalled.signal,
      }).catch(() => null);
      await new Promise((r) => setTimeout(r, 1500));
      pushMore();
      let answeredAt = 0;
      const onB = patch(b, contended, 0, bytes.slice(0, MiB)).then((r) => {
        answeredAt = performance.now();
        return r;
      });
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(answeredAt, 0, "B waited while A held the upload");
      const abortedAt = performance.now();
      stalled.abort();
      await onA;
      const waited = await onB;
      assert.ok(answeredAt >= abortedAt, "B answered after A let go");
      assert.ok([204, 409].includes(waited.status), `${waited.status}`);
      const at = await offsetOn(b, contended);
      assert.ok(at === 0 || at === MiB, `offset ${at}`);
      assert.equal(
        (await fetch(`${b.url}${contended}`, {
          method: "DELETE",
          headers: tus,
        }))
          .status,
        204,
      );
      assert.deepEqual(await s3.list("tus/"), []);

      // On A: 3 MiB (under the part minimum: a `.part` object), then 3 MiB more (a part).
      const upload = await create(a, bytes.length);
      let res = await patch(a, upload, 0, bytes.subarray(0, 3 * MiB));
      assert.equal(res.status, 204);
      assert.equal(res.headers.get("upload-offset"), String(3 * MiB));
      const uploadId = upload.split("/").at(-1)!;
      assert.deepEqual(
        (await s3.list("tus/")).map((o) => o.key),
        [`tus/${uploadId}.info`, `tus/${uploadId}.part`],
        "the upload's state is in the bucket",
      );
      assert.equal(await offsetOn(b, upload), 3 * MiB, "B sees A's offset");
      res = await patch(a, upload, 3 * MiB, bytes.subarray(3 * MiB, 6 * MiB));
      assert.equal(res.status, 204);
      assert.equal(res.headers.get("upload-offset"), String(6 * MiB));
      await a.kill9();
      nodes.splice(nodes.indexOf(a), 1);

      // On B: HEAD, then the rest.
      assert.equal(await offsetOn(b, upload), 6 * MiB);
      res = await patch(b, upload, 6 * MiB, bytes.subarray(6 * MiB));
      assert.equal(res.status, 204);
      const id = res.headers.get("x-video-id");
      assert.ok(id, "the final PATCH names the video");
      const video = await until(async () => {
        const v = await (await fetch(`${b.url}/api/videos/${id}`)).json();
        return v.status === "ready" ? v : false;
      });
      assert.equal(video.title, "Across nodes");
      assert.equal(video.sizeBytes, bytes.length);
      const original = (await s3.list(`uploads/${id}/`))[0];
      assert.equal(original?.size, bytes.length, "the original is whole");
      assert.deepEqual(await s3.list("tus/"), [], "no tus object left");
      const gone = await fetch(`${b.url}${upload}`, {
        method: "HEAD",
        headers: tus,
      });
      assert.equal(gone.status, 404);

      // Terminated midway: nothing left in the bucket.
      const second = await create(b, bytes.length);
      res = await patch(b, second, 0, bytes.subarray(0, 6 * MiB));
      assert.equal(res.status, 204);
      res = await patch(b, second, 6 * MiB, bytes.subarray(6 * MiB, 8 * MiB));
      assert.equal(res.status, 204);
      assert.ok((await s3.list("tus/")).length >= 2, "info and part objects");
      const del = await fetch(`${b.url}${second}`, {
        method: "DELETE",
        headers: tus,
      });
      assert.equal(del.status, 204);
      assert.deepEqual(await s3.list("tus/"), [], "terminate leaves nothing");
      const uploads = await s3.client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket }),
      );
      assert.deepEqual(uploads?.Uploads ?? [], [], "no multipart upload open");
      const whole = new S3BlobStore(s3Options);
      const everything = await whole.list("");
      whole.close();
      assert.ok(
        everything.length > 0 &&
          everything.every((o) => o.key.startsWith("site-a/")),
        everything.map((o) => o.key).join(", "),
      );

      // Refused when finished (not a video): the upload is gone from the bucket too.
      const junk = crypto.getRandomValues(new Uint8Array(64 * 1024));
      const third = await create(b, junk.length);
      res = await patch(b, third, 0, junk);
      assert.ok(res.status >= 400 && res.status < 500, `${res.status}`);
      assert.deepEqual(
        await s3.list("tus/"),
        [],
        "a refused upload leaves nothing",
      );

      // The whole file with the creation request (creation-with-upload) on S3.
      const tiny = join(tmp, "tiny.mp4");
      await ffmpeg([
        ..."-f lavfi -i testsrc2=size=160x120:rate=15:duration=1".split(" "),
        ..."-c:v libx264 -preset ultrafast -pix_fmt yuv420p".split(" "),
        tiny,
      ]);
      const tinyBytes = await Deno.readFile(tiny);
      const oneShot = await fetch(`${b.url}/api/uploads`, {
        method: "POST",
        headers: {
          ...tus,
          "upload-length": String(tinyBytes.length),
          "upload-metadata": `filename ${b64("tiny.mp4")}`,
          "content-type": "application/offset+octet-stream",
        },
        body: tinyBytes,
      });
      await oneShot.body?.cancel();
      assert.equal(oneShot.status, 201);
      assert.ok(oneShot.headers.get("x-video-id"), "finished at creation");
      assert.deepEqual(await s3.list("tus/"), [], "nothing left after it");
      const tinyId = oneShot.headers.get("x-video-id");
      await until(async () => {
        const v = await (await fetch(`${b.url}/api/videos/${tinyId}`)).json();
        return v.status === "ready";
      });

      // No node keeps upload bytes on its disk.
      for (const n of nodes) {
        const kept = (await listFiles(n.dataDir)).filter((f) =>
          f.startsWith("tus/") || f.includes("original.")
        );
        assert.deepEqual(kept, [], `${n.dataDir}: ${kept.join(", ")}`);
      }
    } finally {
      s3.close();
      for (const n of nodes) await n[Symbol.asyncDispose]().catch(() => {});
      await db.drop().catch(() => {});
      await swift.stop();
      await pg.stop();
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});
