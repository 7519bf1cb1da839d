/// The migration's steps on two embedded installs (SQLite + disk → SQLite + disk), in
/// process: what a second run, an interrupted run and a target that moved on look like.
/// The same steps against PostgreSQL + S3 are in tests/cluster/migrate_test.ts.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  filesStep,
  formatReport,
  migrateBetween,
  type MigrationSide,
} from "../../lib/app/migrate.ts";
import { openSqliteStores } from "../../lib/store/mod.ts";
import { LocalBlobStore } from "../../lib/storage/mod.ts";

function newVideo(id: string) {
  return {
    id,
    title: `Video ${id}`,
    sourceName: `${id}.mp4`,
    sizeBytes: 4,
    durationSec: 1,
    width: 2,
    height: 2,
    media: { probe: id },
  };
}

async function install(dir: string): Promise<MigrationSide & AsyncDisposable> {
  await Deno.mkdir(dir, { recursive: true });
  const stores = openSqliteStores(dir);
  return {
    stores,
    blobs: new LocalBlobStore(dir),
    [Symbol.asyncDispose]: () => stores.close(),
  };
}

const put = (side: MigrationSide, key: string, text: string) =>
  side.blobs.putStream(key, new Blob([text]).stream());

const counts = (r: Awaited<ReturnType<typeof migrateBetween>>, step: string) =>
  r.steps.find((s) => s.name === step)!.tally.counts;

Deno.test("migrate - copies once, completes an interrupted run, never reverts the target", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "reel-migrate-unit-" });
  try {
    await using from = await install(join(tmp, "from"));
    await using to = await install(join(tmp, "to"));
    const scratchDir = join(tmp, "scratch");

    // Source: a ready video with files, one interrupted mid-transcode, counters.
    await from.stores.videos.create(
      newVideo("r"),
      new Date("2025-01-02T03:04:05Z"),
    );
    const renditions = [{ width: 2, height: 2, bitrate: 1000, ready: true }];
    await from.stores.videos.update("r", {
      status: "ready",
      playable: true,
      progress: 1,
      renditions,
    });
    await put(from, "uploads/r/original.mp4", "orig");
    await put(from, "streams/r/chunk-0-00001.m4s", "segment");
    await put(from, "streams/r/master.m3u8", "#EXTM3U\n");
    await from.stores.videos.create(newVideo("p"));
    await from.stores.videos.update("p", {
      status: "processing",
      progress: 0.4,
    });
    await put(from, "uploads/p/original.mp4", "orig");
    await from.stores.counters.add("uploads_total", 2);

    // An earlier run stopped after creating "r" in the target, before its state.
    await to.stores.videos.create(
      newVideo("r"),
      new Date("2025-01-02T03:04:05Z"),
    );

    const first = await migrateBetween(from, to, { scratchDir });
    assert.ok(first.ok, formatReport(first).join("\n"));
    assert.deepEqual(counts(first, "files"), { copied: 4, "already there": 0 });
    assert.deepEqual(counts(first, "videos"), {
      copied: 2,
      "already there": 0,
    });
    assert.deepEqual(counts(first, "transcode jobs"), {
      queued: 1,
      "already there": 0,
    });
    const r = (await to.stores.videos.get("r"))!;
    assert.equal(r.status, "ready");
    assert.deepEqual(r.renditions, renditions);
    assert.equal(r.createdAt, "2025-01-02T03:04:05.000Z");
    const p = (await to.stores.videos.get("p"))!;
    assert.equal(p.status, "queued", "an unfinished video starts again");
    assert.equal(p.progress, 0);
    assert.equal((await to.stores.counters.all()).uploads_total, 2);
    const [newer, older] = await to.stores.videos.list(10);
    assert.deepEqual([older.id, newer.id], ["r", "p"], "library order kept");

    // Second run: nothing copied, counters not added twice.
    const second = await migrateBetween(from, to, { scratchDir });
    assert.ok(second.ok);
    assert.deepEqual(counts(second, "files"), {
      copied: 0,
      "already there": 4,
    });
    assert.deepEqual(counts(second, "videos"), {
      copied: 0,
      "already there": 2,
    });
    assert.deepEqual(counts(second, "counters"), {
      raised: 0,
      "already there": 1,
    });
    assert.equal((await to.stores.counters.all()).uploads_total, 2);
    assert.equal((await to.stores.jobs.depth("transcode")).queued, 1);

    // The target moved on (the cluster finished "p"); a file was cut short.
    await to.stores.jobs.dropForVideo("p");
    await to.stores.videos.update("p", { status: "ready", progress: 1 });
    await put(to, "streams/r/chunk-0-00001.m4s", "seg");
    const third = await migrateBetween(from, to, { scratchDir });
    assert.ok(third.ok, formatReport(third).join("\n"));
    assert.deepEqual(counts(third, "files"), { copied: 1, "already there": 3 });
    assert.equal(
      (await to.stores.videos.get("p"))!.status,
      "ready",
      "not reverted",
    );
    assert.deepEqual(counts(third, "transcode jobs"), {
      queued: 0,
      "already there": 1,
    });
    const seg = await to.blobs.get("streams/r/chunk-0-00001.m4s");
    assert.equal(await new Response(seg!.body).text(), "segment");

    // Verification names what differs.
    await to.blobs.deletePrefix("streams/r/master.m3u8");
    const broken = await migrateBetween(from, to, {
      scratchDir,
      // Verify only, copying nothing.
      steps: [{ ...filesStep, copy: () => Promise.resolve({ counts: {} }) }],
    });
    assert.equal(broken.ok, false);
    assert.match(
      formatReport(broken).join("\n"),
      /Video r: 1 of 3 files missing .*first: streams\/r\/master\.m3u8/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("migrate - keeps visibility, captions (records and files) and webhooks with their secrets", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "reel-migrate-unit-" });
  try {
    await using from = await install(join(tmp, "from"));
    await using to = await install(join(tmp, "to"));
    await from.stores.videos.create({
      ...newVideo("s"),
      visibility: "private",
    });
    await from.stores.videos.update("s", { status: "ready", playable: true });
    await from.stores.captions.put("s", { lang: "en", label: "English" });
    await put(
      from,
      "captions/s/en.vtt",
      "WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n",
    );
    await from.stores.webhooks.create({
      id: "hook-1",
      url: "https://example.org/hook",
      events: ["video.ready"],
      secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
    });
    const report = await migrateBetween(from, to, {
      scratchDir: join(tmp, "scratch"),
    });
    assert.ok(report.ok, formatReport(report).join("\n"));
    assert.equal((await to.stores.videos.get("s"))?.visibility, "private");
    assert.deepEqual(
      (await to.stores.captions.list("s")).map((c) => [c.lang, c.label]),
      [["en", "English"]],
    );
    assert.equal(
      (await to.blobs.stat("captions/s/en.vtt"))?.size,
      (await from.blobs.stat("captions/s/en.vtt"))?.size,
    );
    const hook = await to.stores.webhooks.get("hook-1");
    assert.equal(hook?.secret, "whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0");
    const again = await migrateBetween(from, to, {
      scratchDir: join(tmp, "scratch"),
    });
    assert.equal(counts(again, "captions").copied, 0);
    assert.equal(counts(again, "webhooks").copied, 0);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
