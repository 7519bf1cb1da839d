import assert from "node:assert/strict";
import { openDb } from "../../lib/store/db.ts";
import { SqliteJobQueue } from "../../lib/store/jobs.ts";
import { VideoStore } from "../../lib/store/videos.ts";

async function setup() {
  const dir = await Deno.makeTempDir();
  const db = openDb(dir);
  const videos = new VideoStore(db);
  const jobs = new SqliteJobQueue(db);
  const add = (id: string) =>
    videos.create({
      id,
      title: id,
      sourceName: `${id}.mp4`,
      sizeBytes: 1,
      durationSec: 1,
      width: 2,
      height: 2,
      media: null,
    }, new Date(0));
  return {
    dir,
    db,
    videos,
    jobs,
    add,
    [Symbol.asyncDispose]: async () => {
      db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("jobs - a queued job is claimed once, then not again while leased", async () => {
  await using s = await setup();
  s.add("a");
  const first = s.jobs.claim("h1", 30_000, 1000);
  assert.equal(first?.videoId, "a");
  assert.equal(first?.attempts, 1);
  assert.equal(s.jobs.claim("h2", 30_000, 2000), null);
});

Deno.test("jobs - an expired lease lets another holder take the job", async () => {
  await using s = await setup();
  s.add("a");
  s.jobs.claim("h1", 1000, 0);
  const stolen = s.jobs.claim("h2", 1000, 5000);
  assert.equal(stolen?.holder, "h2");
  assert.equal(stolen?.attempts, 2);
  assert.equal(
    s.jobs.renew("a", "h1", 1000, 5001),
    false,
    "old holder lost the lease",
  );
  assert.equal(s.jobs.renew("a", "h2", 1000, 5001), true);
});

Deno.test("jobs - retryLater waits for the backoff before the job is due again", async () => {
  await using s = await setup();
  s.add("a");
  s.jobs.claim("h1", 1000, 0);
  s.jobs.retryLater("a", "h1", "boom", 10_000, 100);
  assert.equal(s.jobs.claim("h1", 1000, 5000), null);
  assert.equal(s.jobs.claim("h1", 1000, 10_100)?.attempts, 2);
});

Deno.test("jobs - two connections to one file never claim the same job", async () => {
  await using s = await setup();
  for (let i = 0; i < 20; i++) s.add(`v${i}`);
  const other = new SqliteJobQueue(openDb(s.dir));
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    for (const [q, h] of [[s.jobs, "a"], [other, "b"]] as const) {
      const job = q.claim(h, 60_000);
      if (job) {
        assert.ok(!seen.has(job.videoId), `claimed twice: ${job.videoId}`);
        seen.add(job.videoId);
      }
    }
  }
  assert.equal(seen.size, 20);
});

Deno.test("jobs - release hands a job back at once without counting the attempt", async () => {
  await using s = await setup();
  s.add("a");
  s.jobs.claim("h1", 60_000, 0);
  s.jobs.release("a", "h1", 10);
  assert.deepEqual(s.jobs.depth(), { queued: 1, processing: 0 });
  assert.equal(s.jobs.claim("h2", 60_000, 20)?.attempts, 1);
});

Deno.test("videos - changesSince reports updates and deletions after a revision", async () => {
  await using s = await setup();
  s.add("a");
  s.add("b");
  const rev = s.videos.currentRev();
  s.videos.update("a", { progress: 0.5 });
  s.videos.delete("b");
  const c = s.videos.changesSince(rev);
  assert.deepEqual(c.videos.map((v) => [v.id, v.progress]), [["a", 0.5]]);
  assert.deepEqual(c.deleted, ["b"]);
  assert.equal(s.jobs.depth().queued, 1, "the deleted video's job is gone");
});

Deno.test("videos - list pages newest first by cursor", async () => {
  await using s = await setup();
  for (const id of ["a", "b", "c"]) s.add(id);
  const first = s.videos.list(2);
  assert.deepEqual(first.map((v) => v.id), ["c", "b"]);
  assert.deepEqual(s.videos.list(2, first[1].seq).map((v) => v.id), ["a"]);
});
