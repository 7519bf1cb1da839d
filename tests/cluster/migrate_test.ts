/// `deno task migrate` on real backends: an embedded install (SQLite + DATA_DIR) with one
/// video transcoded by the real app and one still queued is moved onto PostgreSQL + Swift
/// s3api; a second run copies nothing, a run after a lost object copies only that one; a
/// node on the cluster backends with an empty DATA_DIR then serves the ready video byte for
/// byte and finishes the queued one. Bad settings exit 1 with one sentence.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, startServer, type TestServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import { createDatabase, startPostgres } from "../store/_postgres.ts";
import { s3Env, startSwift } from "../storage/_swift.ts";
import { LocalBlobStore, S3BlobStore } from "../../lib/storage/mod.ts";
import { openPostgresStores } from "../../lib/store/mod.ts";

const loose = { sanitizeOps: false, sanitizeResources: false } as const;

async function clip(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  await ffmpeg([
    ..."-f lavfi -i testsrc2=size=320x240:rate=30:duration=4".split(" "),
    ..."-f lavfi -i sine=sample_rate=48000:duration=4".split(" "),
    ..."-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac".split(" "),
    path,
  ]);
  return path;
}

async function upload(s: TestServer, path: string, title: string) {
  const form = new FormData();
  form.append("title", title);
  form.append("file", new Blob([await Deno.readFile(path)]), "clip.mp4");
  const res = await fetch(`${s.url}/api/videos`, {
    method: "POST",
    body: form,
  });
  assert.equal(res.status, 202, await res.clone().text());
  return (await res.json()).id as string;
}

async function video(s: TestServer, id: string) {
  const res = await fetch(`${s.url}/api/videos/${id}`);
  assert.equal(res.status, 200, `GET ${id} on ${s.url}`);
  return await res.json();
}

async function until<T>(
  fn: () => Promise<T | false>,
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

async function migrate(env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/cli/migrate.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr).trim(),
  };
}

Deno.test({
  name:
    "migrate - an embedded install moves onto PostgreSQL + S3, idempotently, and plays there",
  ...loose,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "reel-migrate-" });
    const pg = await startPostgres();
    const swift = await startSwift();
    const db = await createDatabase(pg);
    const bucket = `reel-migrate-${crypto.randomUUID().slice(0, 8)}`;
    const s3env = {
      ...s3Env(swift, bucket, tmp),
    };
    const src = join(tmp, "embedded");
    await Deno.mkdir(src);
    const cluster = { ...s3env, DATABASE_URL: db.url, DATA_DIR: src };
    let node: TestServer | null = null;
    let s3: S3BlobStore | null = null;
    try {
      // The embedded install: one video transcoded by the app, one left queued.
      const path = await clip(tmp, "clip.mp4");
      const embedded = await startServer({ dataDir: src, keepData: true });
      const readyId = await upload(embedded, path, "Ready one");
      const before = await until(async () => {
        const v = await video(embedded, readyId);
        return v.status === "ready" ? v : false;
      });
      await embedded.stop();
      const paused = await startServer({
        dataDir: src,
        keepData: true,
        env: { TRANSCODE_CONCURRENCY: "0" },
      });
      const queuedId = await upload(paused, path, "Queued one");
      await paused.stop();
      const local = new LocalBlobStore(src);
      const sourceFiles = [
        ...await local.list("uploads/"),
        ...await local.list("streams/"),
      ].sort((a, b) => a.key < b.key ? -1 : 1);
      assert.ok(sourceFiles.length > 10, `${sourceFiles.length} source files`);

      // First run: everything copied and verified.
      const first = await migrate(cluster);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.match(
        first.stdout,
        new RegExp(`files: ${sourceFiles.length} copied \\(`),
      );
      assert.match(first.stdout, /videos: 2 copied, 0 already there/);
      assert.match(first.stdout, /transcode jobs: 1 queued/);
      assert.match(first.stdout, /Verified:/);
      console.log(first.stdout.trim());

      s3 = await S3BlobStore.open({
        bucket,
        endpoint: swift.endpoint,
        region: swift.region,
        credentials: {
          accessKeyId: swift.accessKeyId,
          secretAccessKey: swift.secretAccessKey,
        },
        createBucket: false,
      });
      const objects = await s3.list("");
      assert.deepEqual(
        objects.map((o) => [o.key, o.size]),
        sourceFiles.map((f) => [f.key, f.size]),
      );

      // Second run: nothing copied, nothing changed.
      const second = await migrate(cluster);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.match(second.stdout, /files: 0 copied, \d+ already there/);
      assert.match(second.stdout, /videos: 0 copied, 2 already there/);
      assert.match(second.stdout, /transcode jobs: 0 queued, 1 already there/);
      assert.match(second.stdout, /counters: 0 raised/);
      assert.deepEqual(await s3.list(""), objects, "no object written again");

      // A run that lost an object (interrupted): only that one is copied again.
      const lost = objects.find((o) => o.key.endsWith(".m4s"))!;
      await s3.deletePrefix(lost.key);
      const third = await migrate(cluster);
      assert.equal(third.code, 0, third.stdout + third.stderr);
      assert.match(third.stdout, /files: 1 copied \(/);

      const stores = await openPostgresStores(db.url);
      try {
        const counters = await stores.counters.all();
        assert.equal(counters.uploads_total, 2);
        assert.equal((await stores.jobs.depth("transcode")).queued, 1);
      } finally {
        await stores.close();
      }

      // A node on the cluster backends with an empty DATA_DIR serves and finishes them.
      node = await startServer({
        env: {
          ...s3env,
          DATABASE_URL: db.url,
          SIGNING_SECRET: "migrate-test-signing-secret-0123456789",
        },
      });
      const after = await video(node, readyId);
      for (
        const k of ["title", "status", "createdAt", "renditions", "hlsUrl"]
      ) {
        assert.deepEqual(after[k], before[k], k);
      }
      const media =
        await (await fetch(`${node.url}/stream/${readyId}/media_0.m3u8`))
          .text();
      const seg = media.split("\n").find((l) => l.endsWith(".m4s"))!;
      const res = await fetch(`${node.url}/stream/${readyId}/${seg}`);
      assert.equal(res.status, 200);
      assert.deepEqual(
        new Uint8Array(await res.arrayBuffer()),
        await Deno.readFile(join(src, "streams", readyId, seg)),
      );
      const done = await until(async () => {
        const v = await video(node!, queuedId);
        return v.status === "ready" ? v : false;
      });
      assert.equal(done.title, "Queued one");

      // Bad settings: one sentence naming the variable, exit 1.
      const none = await migrate({ DATA_DIR: src });
      assert.equal(none.code, 1);
      assert.match(none.stderr, /^Nothing to migrate to: set DATABASE_URL/);
      const empty = await migrate({ ...cluster, DATA_DIR: join(tmp, "nope") });
      assert.equal(empty.code, 1);
      assert.match(empty.stderr, /^DATA_DIR=.* holds no app\.db/);
      const down = await migrate({
        ...cluster,
        DATABASE_URL: "postgres://reel:secret@127.0.0.1:1/reel",
      });
      assert.equal(down.code, 1);
      assert.match(down.stderr, /DATABASE_URL/);
      assert.doesNotMatch(down.stderr, /secret|\n\s+at /);
    } finally {
      s3?.close();
      await node?.[Symbol.asyncDispose]().catch(() => {});
      await db.drop().catch(() => {});
      await swift.stop();
      await pg.stop();
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});
