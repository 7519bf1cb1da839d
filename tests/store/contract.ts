/**
 * The store contract: what every backend (`lib/store/sqlite/` today, PostgreSQL later) must
 * do, written only against the async ports in `lib/store/ports.ts`. A backend's test file
 * calls {@link storeContract} with a function that opens a fresh, empty database.
 *
 * Times are fixed (`now` arguments, `runAt`) wherever the API takes them, so no case
 * depends on the wall clock.
 *
 * @module
 */
import assert from "node:assert/strict";
import type {
  JobKind,
  JobQueue,
  NewVideo,
  RenditionState,
  Stores,
  VideoEventType,
  VideoRecord,
} from "../../lib/store/ports.ts";
import { VIDEO_EVENT_TYPES as ALL_EVENTS } from "../../lib/store/events.ts";

/** One freshly opened, empty database of the backend under test. */
export interface Backend {
  stores: Stores;
  /** a second, independent connection to the same database */
  reopen(): Promise<Stores>;
  /** Closes `stores` and throws the database away. */
  close(): Promise<void>;
}

/** What each case gets: the stores of a fresh database plus a few helpers. */
interface Fixture extends AsyncDisposable {
  stores: Stores;
  videos: Stores["videos"];
  jobs: Stores["jobs"];
  counters: Stores["counters"];
  changes: Stores["changes"];
  /** Another connection to the same database (closed when the case ends). */
  other(): Promise<Stores>;
  /** Creates a video `id` (created at the epoch unless `at` is given). */
  addVideo(id: string, at?: Date): Promise<VideoRecord>;
  /** Enqueues a job for `videoId`, due at `runAt` (default 0, so due at any fixed `now`). */
  addJob(
    videoId: string | null,
    kind?: JobKind,
    runAt?: number,
  ): Promise<string>;
}

function newVideo(id: string): NewVideo {
  return {
    id,
    title: `Title of ${id}`,
    sourceName: `${id}.mp4`,
    sizeBytes: 1234,
    durationSec: 12.5,
    width: 1920,
    height: 1080,
    media: { streams: [{ codec: "h264" }] },
  };
}

async function fixture(open: () => Promise<Backend>): Promise<Fixture> {
  const backend = await open();
  const { stores } = backend;
  const others: Stores[] = [];
  return {
    stores,
    videos: stores.videos,
    jobs: stores.jobs,
    counters: stores.counters,
    changes: stores.changes,
    async other() {
      const s = await backend.reopen();
      others.push(s);
      return s;
    },
    addVideo: (id, at = new Date(0)) => stores.videos.create(newVideo(id), at),
    addJob: (videoId, kind = "transcode", runAt = 0) =>
      stores.jobs.enqueue({ kind, videoId, runAt }),
    async [Symbol.asyncDispose]() {
      for (const s of others) await s.close();
      await backend.close();
    },
  };
}

/** Claims and completes jobs until none is left; returns the ids it completed. */
async function drain(
  jobs: JobQueue,
  holder: string,
  now: number,
): Promise<string[]> {
  const done: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const job = await jobs.claim(holder, 60_000, ["transcode"], now);
    if (!job) return done;
    assert.equal(job.holder, holder);
    assert.equal(await jobs.complete(job.id, holder), true, "still held");
    done.push(job.id);
  }
  throw new Error(`${holder} never ran out of jobs`);
}

const ids = (videos: VideoRecord[]) => videos.map((v) => v.id);

/** Registers the contract's cases for `backend`; `open` gives a fresh, empty database. */
export function storeContract(
  backend: string,
  open: () => Promise<Backend>,
): void {
  function test(name: string, fn: (s: Fixture) => Promise<void>): void {
    Deno.test(`store contract (${backend}) - ${name}`, async () => {
      await using s = await fixture(open);
      await fn(s);
    });
  }

  // ---------------------------------------------------------------- jobs: claim and lease

  test("a queued job is claimed once, then not again while leased", async (s) => {
    await s.addVideo("a");
    await s.addJob("a");
    const first = await s.jobs.claim("h1", 30_000, ["transcode"], 1000);
    assert.equal(first?.videoId, "a");
    assert.equal(first?.kind, "transcode");
    assert.equal(first?.holder, "h1");
    assert.equal(first?.attempts, 1);
    assert.equal(first?.lastError, null);
    assert.equal(await s.jobs.claim("h2", 30_000, ["transcode"], 2000), null);
  });

  test("a job is not claimed before its runAt", async (s) => {
    await s.addJob(null, "transcode", 5000);
    assert.equal(await s.jobs.claim("h1", 1000, ["transcode"], 4999), null);
    assert.ok(await s.jobs.claim("h1", 1000, ["transcode"], 5000));
  });

  test("jobs are claimed in due order (runAt), not enqueue order", async (s) => {
    const late = await s.addJob(null, "transcode", 300);
    const early = await s.addJob(null, "transcode", 100);
    const middle = await s.addJob(null, "transcode", 200);
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const job = await s.jobs.claim("h1", 60_000, ["transcode"], 1000);
      assert.ok(job);
      order.push(job.id);
    }
    assert.deepEqual(order, [early, middle, late]);
  });

  test("an expired lease lets another holder take the job", async (s) => {
    await s.addVideo("a");
    const id = await s.addJob("a");
    await s.jobs.claim("h1", 1000, ["transcode"], 0);
    const stolen = await s.jobs.claim("h2", 1000, ["transcode"], 5000);
    assert.equal(stolen?.id, id);
    assert.equal(stolen?.holder, "h2");
    assert.equal(stolen?.attempts, 2);
    assert.equal(
      await s.jobs.renew(id, "h1", 1000, 5001),
      false,
      "old holder lost the lease",
    );
    assert.equal(await s.jobs.renew(id, "h2", 1000, 5001), true);
  });

  test("renew extends the lease so nobody else takes the job", async (s) => {
    const id = await s.addJob(null);
    await s.jobs.claim("h1", 1000, ["transcode"], 0);
    assert.equal(await s.jobs.renew(id, "h1", 1000, 900), true);
    assert.equal(
      await s.jobs.claim("h2", 1000, ["transcode"], 1500),
      null,
      "the lease now runs until 1900",
    );
    assert.equal(
      (await s.jobs.claim("h2", 1000, ["transcode"], 2500))?.holder,
      "h2",
    );
  });

  test("retryLater waits for the backoff before the job is due again", async (s) => {
    await s.addVideo("a");
    await s.addJob("a");
    const job = await s.jobs.claim("h1", 1000, ["transcode"], 0);
    assert.ok(job);
    await s.jobs.retryLater(job.id, "h1", "boom", 10_000, 100);
    assert.deepEqual(await s.jobs.depth(), { queued: 1, processing: 0 });
    assert.equal(await s.jobs.claim("h1", 1000, ["transcode"], 5000), null);
    assert.equal(
      (await s.jobs.claim("h1", 1000, ["transcode"], 10_100))?.attempts,
      2,
    );
  });

  test("the error given to retryLater is reported on the next claim", async (s) => {
    const id = await s.addJob(null);
    const first = await s.jobs.claim("h1", 1000, ["transcode"], 0);
    assert.equal(first?.lastError, null, "no previous attempt");
    await s.jobs.retryLater(id, "h1", "ffmpeg exited with 1", 0, 10);
    const second = await s.jobs.claim("h2", 1000, ["transcode"], 20);
    assert.equal(second?.id, id);
    assert.equal(second?.lastError, "ffmpeg exited with 1");
  });

  test("release hands a job back at once without counting the attempt", async (s) => {
    await s.addVideo("a");
    const id = await s.addJob("a");
    await s.jobs.claim("h1", 60_000, ["transcode"], 0);
    await s.jobs.release(id, "h1", 10);
    assert.deepEqual(await s.jobs.depth(), { queued: 1, processing: 0 });
    assert.equal(
      (await s.jobs.claim("h2", 60_000, ["transcode"], 20))?.attempts,
      1,
    );
  });

  test("reclaim hands a dead holder's job back at once, counting the attempt", async (s) => {
    const id = await s.addJob(null);
    await s.jobs.claim("h1", 60_000, ["transcode"], 0);
    await s.jobs.reclaim(id, "h1", 10);
    assert.deepEqual(await s.jobs.depth(), { queued: 1, processing: 0 });
    const again = await s.jobs.claim("h2", 60_000, ["transcode"], 20);
    assert.equal(again?.id, id, "claimable long before the old lease ends");
    assert.equal(again?.attempts, 2);
  });

  test("complete removes the job for its holder and returns false for anyone else", async (s) => {
    const id = await s.addJob(null);
    await s.jobs.claim("h1", 60_000, ["transcode"], 0);
    assert.equal(await s.jobs.complete(id, "h2"), false);
    assert.deepEqual(await s.jobs.depth(), { queued: 0, processing: 1 });
    assert.equal(await s.jobs.complete(id, "h1"), true);
    assert.deepEqual(await s.jobs.depth(), { queued: 0, processing: 0 });
    assert.equal(
      await s.jobs.claim("h1", 60_000, ["transcode"], 100_000),
      null,
    );
    assert.equal(await s.jobs.complete(id, "h1"), false, "already gone");
  });

  test("retryLater, release, reclaim and renew by a non-holder leave the job alone", async (s) => {
    const id = await s.addJob(null);
    await s.jobs.claim("h1", 60_000, ["transcode"], 0);
    await s.jobs.retryLater(id, "h2", "not mine", 0, 10);
    await s.jobs.release(id, "h2", 10);
    await s.jobs.reclaim(id, "h2", 10);
    assert.equal(await s.jobs.renew(id, "h2", 60_000, 10), false);
    assert.deepEqual(await s.jobs.depth(), { queued: 0, processing: 1 });
    assert.equal(await s.jobs.claim("h3", 60_000, ["transcode"], 20), null);
    const [running] = await s.jobs.running();
    assert.equal(running.holder, "h1");
    assert.equal(running.leaseUntil, 60_000, "lease not extended by h2");
  });

  // ---------------------------------------------------------------- jobs: concurrency

  test("two connections to one database never claim the same job", async (s) => {
    for (let i = 0; i < 20; i++) {
      await s.addVideo(`v${i}`);
      await s.addJob(`v${i}`);
    }
    const other = await s.other();
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      for (const [q, h] of [[s.jobs, "a"], [other.jobs, "b"]] as const) {
        const job = await q.claim(h, 60_000, ["transcode"], 1000);
        if (job) {
          assert.ok(job.videoId);
          assert.ok(!seen.has(job.videoId), `claimed twice: ${job.videoId}`);
          seen.add(job.videoId);
        }
      }
    }
    assert.equal(seen.size, 20);
  });

  test("two concurrent claimers complete every job exactly once", async (s) => {
    const enqueued: string[] = [];
    for (let i = 0; i < 30; i++) {
      enqueued.push(
        await s.jobs.enqueue({ kind: "transcode", payload: { i }, runAt: i }),
      );
    }
    const [one, two] = [await s.other(), await s.other()];
    const [byOne, byTwo] = await Promise.all([
      drain(one.jobs, "one", 1000),
      drain(two.jobs, "two", 1000),
    ]);
    const completed = [...byOne, ...byTwo];
    assert.equal(new Set(completed).size, completed.length, "none twice");
    assert.deepEqual(completed.toSorted(), enqueued.toSorted(), "none missed");
    assert.deepEqual(await s.jobs.depth(), { queued: 0, processing: 0 });
  });

  // ---------------------------------------------------------------- jobs: kinds and data

  test("claim hands out only jobs of the requested kinds; a video may have several jobs", async (s) => {
    await s.addVideo("a");
    const webhook = await s.addJob("a", "webhook");
    const transcode = await s.addJob("a", "transcode", 1);
    const first = await s.jobs.claim("t", 60_000, ["transcode"], 1000);
    assert.equal(first?.id, transcode, "the earlier webhook job is skipped");
    assert.equal(
      await s.jobs.claim("t", 60_000, ["transcode"], 1000),
      null,
      "no webhook job for a transcode-only claimer",
    );
    const second = await s.jobs.claim("w", 60_000, ["webhook"], 1000);
    assert.equal(second?.id, webhook);
    assert.equal(second?.kind, "webhook");
    assert.equal(second?.videoId, "a");
  });

  test("a claimer of several kinds gets jobs of any of them", async (s) => {
    const webhook = await s.addJob(null, "webhook", 1);
    const transcode = await s.addJob(null, "transcode", 2);
    const kinds: JobKind[] = ["transcode", "webhook"];
    assert.equal((await s.jobs.claim("h", 60_000, kinds, 1000))?.id, webhook);
    assert.equal((await s.jobs.claim("h", 60_000, kinds, 1000))?.id, transcode);
  });

  test("a job with no video is claimed and completed like any other", async (s) => {
    const id = await s.jobs.enqueue({
      kind: "webhook",
      videoId: null,
      runAt: 0,
    });
    const job = await s.jobs.claim("h", 60_000, ["webhook"], 1000);
    assert.equal(job?.id, id);
    assert.equal(job?.videoId, null);
    assert.equal(await s.jobs.complete(id, "h"), true);
    assert.deepEqual(await s.jobs.depth(), { queued: 0, processing: 0 });
  });

  test("a job's payload round-trips as JSON; no payload reads as null", async (s) => {
    const payload = {
      url: "https://example.com/hook",
      event: "video.ready",
      attempt: 3,
      ratio: 0.25,
      ok: true,
      none: null,
      tags: ["a", "ü", "😀"],
      nested: { deep: [1, { x: "y" }] },
    };
    const withPayload = await s.jobs.enqueue({
      kind: "webhook",
      payload,
      runAt: 0,
    });
    const without = await s.jobs.enqueue({ kind: "webhook", runAt: 1 });
    const first = await s.jobs.claim("h", 60_000, ["webhook"], 1000);
    assert.equal(first?.id, withPayload);
    assert.deepEqual(first?.payload, payload);
    const second = await s.jobs.claim("h", 60_000, ["webhook"], 1000);
    assert.equal(second?.id, without);
    assert.equal(second?.payload, null);
  });

  // ---------------------------------------------------------------- jobs: inspection

  test("running(prefix) lists only running jobs whose holder starts with the prefix", async (s) => {
    await s.addVideo("a");
    await s.addVideo("b");
    await s.addVideo("c");
    const mine1 = await s.addJob("a", "transcode", 1);
    const mine2 = await s.addJob("b", "webhook", 2);
    const theirs = await s.addJob("c", "transcode", 3);
    await s.addJob("c", "transcode", 4); // stays queued
    const kinds: JobKind[] = ["transcode", "webhook"];
    await s.jobs.claim("host1:10:aaaa", 60_000, kinds, 1000);
    await s.jobs.claim("host1:11:bbbb", 30_000, kinds, 1000);
    await s.jobs.claim("host2:10:cccc", 60_000, kinds, 1000);
    await s.jobs.setPids(mine1, "host1:10:aaaa", [4242, 4243]);
    await s.jobs.setPids(mine2, "someone-else", [999]); // not the holder: ignored

    const mine = (await s.jobs.running("host1:"))
      .toSorted((x, y) => x.holder.localeCompare(y.holder));
    assert.deepEqual(mine, [
      {
        id: mine1,
        kind: "transcode",
        videoId: "a",
        holder: "host1:10:aaaa",
        pids: [4242, 4243],
        leaseUntil: 61_000,
      },
      {
        id: mine2,
        kind: "webhook",
        videoId: "b",
        holder: "host1:11:bbbb",
        pids: [],
        leaseUntil: 31_000,
      },
    ]);
    assert.deepEqual(
      (await s.jobs.running()).map((j) => j.id).toSorted(),
      [mine1, mine2, theirs].toSorted(),
      "no prefix: every running job, but no queued one",
    );
    assert.deepEqual(await s.jobs.running("host3:"), []);

    await s.jobs.setPids(mine1, "host1:10:aaaa", []);
    const [cleared] = await s.jobs.running("host1:10:");
    assert.deepEqual(cleared.pids, []);
  });

  test("depth counts queued and running jobs, of one kind when given", async (s) => {
    assert.deepEqual(await s.jobs.depth(), { queued: 0, processing: 0 });
    await s.addJob(null, "transcode", 1);
    await s.addJob(null, "transcode", 2);
    await s.addJob(null, "transcode", 3);
    await s.addJob(null, "webhook", 4);
    await s.jobs.claim("h", 60_000, ["transcode"], 1000);
    assert.deepEqual(await s.jobs.depth(), { queued: 3, processing: 1 });
    assert.deepEqual(await s.jobs.depth("transcode"), {
      queued: 2,
      processing: 1,
    });
    assert.deepEqual(await s.jobs.depth("webhook"), {
      queued: 1,
      processing: 0,
    });
  });

  // ---------------------------------------------------------------- jobs: removal

  test("drop removes a job whatever its state", async (s) => {
    const queued = await s.addJob(null, "transcode", 1);
    const running = await s.addJob(null, "transcode", 0);
    await s.jobs.claim("h", 60_000, ["transcode"], 1000);
    await s.jobs.drop(running);
    await s.jobs.drop(queued);
    assert.deepEqual(await s.jobs.depth(), { queued: 0, processing: 0 });
    assert.equal(await s.jobs.renew(running, "h", 60_000, 2000), false);
    assert.equal(await s.jobs.complete(running, "h"), false);
  });

  test("dropForVideo drops that video's jobs, only of the kind when given", async (s) => {
    await s.addVideo("a");
    await s.addVideo("b");
    await s.addJob("a", "transcode");
    await s.addJob("a", "webhook");
    await s.addJob("a", "webhook");
    await s.addJob("b", "transcode");
    await s.jobs.dropForVideo("a", "webhook");
    assert.deepEqual(await s.jobs.depth("webhook"), {
      queued: 0,
      processing: 0,
    });
    assert.deepEqual(await s.jobs.depth("transcode"), {
      queued: 2,
      processing: 0,
    });
    await s.jobs.dropForVideo("a");
    assert.deepEqual(await s.jobs.depth(), { queued: 1, processing: 0 });
    const left = await s.jobs.claim("h", 60_000, ["transcode"], 1000);
    assert.equal(left?.videoId, "b", "other videos keep their jobs");
  });

  test("deleting a video removes all its jobs; a second delete returns false", async (s) => {
    await s.addVideo("a");
    await s.addVideo("b");
    await s.addJob("a", "transcode");
    await s.addJob("a", "webhook");
    await s.addJob("b", "transcode");
    await s.jobs.claim("h", 60_000, ["webhook"], 1000); // a running job goes too
    assert.equal(await s.videos.delete("a"), true);
    assert.equal(await s.videos.get("a"), null);
    assert.deepEqual(await s.jobs.depth(), { queued: 1, processing: 0 });
    assert.deepEqual(await s.jobs.running(), []);
    assert.equal(await s.videos.delete("a"), false);
    assert.equal(await s.videos.delete("never-existed"), false);
  });

  // ---------------------------------------------------------------- videos

  test("a created video is queued, carries its fields and reads back the same", async (s) => {
    const at = new Date("2024-05-06T07:08:09.010Z");
    const created = await s.addVideo("a", at);
    assert.deepEqual(
      { ...created, seq: 0, rev: 0 },
      {
        ...newVideo("a"),
        seq: 0,
        rev: 0,
        status: "queued",
        playable: false,
        visibility: "public",
        progress: 0,
        error: null,
        createdAt: at.toISOString(),
        renditions: [],
        captions: [],
      },
    );
    assert.deepEqual(await s.videos.get("a"), created);
  });

  test("playable and per-rendition state round-trip through update", async (s) => {
    await s.addVideo("a");
    const renditions = [
      { width: 640, height: 360, bitrate: null, ready: false },
      { width: 320, height: 180, bitrate: 250_000, ready: true },
    ];
    const v = await s.videos.update("a", { playable: true, renditions });
    assert.equal(v?.playable, true);
    assert.deepEqual(v?.renditions, renditions);
    assert.deepEqual((await s.videos.get("a"))?.renditions, renditions);
    assert.equal(
      (await s.videos.update("a", { playable: false }))?.playable,
      false,
    );
  });

  test("creating a video does not enqueue a job", async (s) => {
    await s.addVideo("a");
    assert.deepEqual(await s.jobs.depth(), { queued: 0, processing: 0 });
  });

  test("get and update of a missing id return null and change nothing", async (s) => {
    await s.addVideo("a");
    const rev = await s.changes.currentRev();
    assert.equal(await s.videos.get("missing"), null);
    assert.equal(await s.videos.update("missing", { progress: 0.5 }), null);
    assert.equal(await s.changes.currentRev(), rev);
    assert.deepEqual((await s.changes.changesSince(rev)).videos, []);
  });

  test("update applies a patch and returns the updated record", async (s) => {
    await s.addVideo("a");
    const updated = await s.videos.update("a", {
      title: "Renamed",
      status: "failed",
      progress: 0.75,
      error: "unsupported codec",
      durationSec: 99.5,
      width: 640,
      height: 360,
    });
    assert.equal(updated?.title, "Renamed");
    assert.equal(updated?.status, "failed");
    assert.equal(updated?.progress, 0.75);
    assert.equal(updated?.error, "unsupported codec");
    assert.equal(updated?.durationSec, 99.5);
    assert.equal(updated?.width, 640);
    assert.equal(updated?.height, 360);
    assert.equal(updated?.sourceName, "a.mp4", "untouched fields stay");
    assert.deepEqual(await s.videos.get("a"), updated);
  });

  test("update with onlyIf applies only while the status is one of them", async (s) => {
    await s.addVideo("a");
    const before = await s.videos.get("a");
    const rev = await s.changes.currentRev();
    assert.equal(
      await s.videos.update("a", { status: "ready" }, ["processing"]),
      null,
      "still queued, so not applied",
    );
    assert.deepEqual(await s.videos.get("a"), before, "nothing changed");
    assert.equal(await s.changes.currentRev(), rev, "no revision spent");

    const applied = await s.videos.update(
      "a",
      { status: "processing" },
      ["queued", "processing"],
    );
    assert.equal(applied?.status, "processing");
    assert.equal((await s.videos.get("a"))?.status, "processing");
  });

  test("renditions round-trip with width, height, bitrate and ready", async (s) => {
    await s.addVideo("a");
    const renditions: RenditionState[] = [
      { width: 1920, height: 1080, bitrate: 5_123_456, ready: true },
      { width: 1280, height: 720, bitrate: null, ready: false },
    ];
    const updated = await s.videos.update("a", { renditions });
    assert.deepEqual(updated?.renditions, renditions);
    assert.deepEqual((await s.videos.get("a"))?.renditions, renditions);
  });

  test("withoutJob lists unfinished videos without a job of that kind, in creation order", async (s) => {
    // Created in this order; ids deliberately not alphabetical.
    await s.addVideo("queued-orphan");
    await s.addVideo("queued-with-job");
    await s.addVideo("processing-webhook-only");
    await s.addVideo("ready");
    await s.addVideo("failed");
    await s.addVideo("another-orphan");
    await s.videos.update("processing-webhook-only", { status: "processing" });
    await s.videos.update("ready", { status: "ready" });
    await s.videos.update("failed", { status: "failed" });
    await s.videos.update("another-orphan", { status: "processing" });
    await s.addJob("queued-with-job", "transcode");
    await s.addJob("processing-webhook-only", "webhook");

    assert.deepEqual(
      await s.videos.withoutJob(["queued", "processing"], "transcode"),
      ["queued-orphan", "processing-webhook-only", "another-orphan"],
    );
  });

  test("countByStatus counts all four statuses, zeros included", async (s) => {
    assert.deepEqual(await s.videos.countByStatus(), {
      queued: 0,
      processing: 0,
      ready: 0,
      failed: 0,
    });
    for (const id of ["a", "b", "c", "d"]) await s.addVideo(id);
    await s.videos.update("a", { status: "ready" });
    await s.videos.update("b", { status: "ready" });
    await s.videos.update("c", { status: "failed" });
    assert.deepEqual(await s.videos.countByStatus(), {
      queued: 1,
      processing: 0,
      ready: 2,
      failed: 1,
    });
  });

  test("list pages newest first by cursor", async (s) => {
    for (const id of ["a", "b", "c"]) await s.addVideo(id);
    const first = await s.videos.list(2);
    assert.deepEqual(ids(first), ["c", "b"]);
    assert.deepEqual(ids(await s.videos.list(2, first[1].seq)), ["a"]);
  });

  test("paging through 5 videos 2 at a time gives each once, newest first", async (s) => {
    for (const id of ["v1", "v2", "v3", "v4", "v5"]) await s.addVideo(id);
    const pages: string[][] = [];
    let cursor: number | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await s.videos.list(2, cursor);
      if (page.length === 0) break;
      pages.push(ids(page));
      cursor = page[page.length - 1].seq;
    }
    assert.deepEqual(pages, [["v5", "v4"], ["v3", "v2"], ["v1"]]);
  });

  test("a video is public unless created otherwise; visibility is kept and patched", async (s) => {
    assert.equal((await s.addVideo("a")).visibility, "public");
    const hidden = await s.videos.create(
      { ...newVideo("b"), visibility: "private" },
      new Date(0),
    );
    assert.equal(hidden.visibility, "private");
    assert.equal((await s.videos.get("b"))?.visibility, "private");
    const changed = await s.videos.update("b", { visibility: "unlisted" });
    assert.equal(changed?.visibility, "unlisted");
    assert.equal((await s.videos.get("b"))?.visibility, "unlisted");
  });

  test("list filtered by visibility pages only those videos, newest first", async (s) => {
    const vis = ["public", "private", "public", "unlisted", "public"] as const;
    for (const [i, visibility] of vis.entries()) {
      await s.videos.create(
        { ...newVideo(`v${i + 1}`), visibility },
        new Date(0),
      );
    }
    const first = await s.videos.list(2, undefined, ["public"]);
    assert.deepEqual(ids(first), ["v5", "v3"]);
    assert.deepEqual(ids(await s.videos.list(2, first[1].seq, ["public"])), [
      "v1",
    ]);
    assert.deepEqual(
      ids(await s.videos.list(10, undefined, ["public", "unlisted"])),
      ["v5", "v4", "v3", "v1"],
    );
    assert.deepEqual(ids(await s.videos.list(10, undefined, [])), []);
    assert.equal((await s.videos.list(10)).length, 5);
  });

  // ---------------------------------------------------------------- change log

  test("every video write bumps the revision and stamps the record with it", async (s) => {
    const start = await s.changes.currentRev();
    const created = await s.addVideo("a");
    assert.ok(created.rev > start);
    assert.equal(await s.changes.currentRev(), created.rev);
    const updated = await s.videos.update("a", { progress: 0.1 });
    assert.ok(updated && updated.rev > created.rev);
    assert.equal(await s.changes.currentRev(), updated.rev);
    await s.videos.delete("a");
    assert.ok(await s.changes.currentRev() > updated.rev);
  });

  test("changesSince reports updates and deletions after a revision", async (s) => {
    await s.addVideo("a");
    await s.addVideo("b");
    await s.addJob("a");
    await s.addJob("b");
    const rev = await s.changes.currentRev();
    await s.videos.update("a", { progress: 0.5 });
    await s.videos.delete("b");
    const c = await s.changes.changesSince(rev);
    assert.deepEqual(c.videos.map((v) => [v.id, v.progress]), [["a", 0.5]]);
    assert.deepEqual(c.deleted, ["b"]);
    assert.equal(
      (await s.jobs.depth()).queued,
      1,
      "the deleted video's job is gone",
    );
  });

  test("changesSince lists each changed video once, in the order of its last change", async (s) => {
    for (const id of ["a", "b", "c", "d"]) await s.addVideo(id);
    const rev = await s.changes.currentRev();
    await s.videos.update("a", { progress: 0.1 });
    await s.videos.update("b", { progress: 0.1 });
    await s.videos.update("a", { progress: 0.2 });
    await s.videos.update("c", { progress: 0.1 });
    await s.videos.update("b", { progress: 0.3 });

    const c = await s.changes.changesSince(rev);
    assert.deepEqual(
      c.videos.map((v) => [v.id, v.progress]),
      [["a", 0.2], ["c", 0.1], ["b", 0.3]],
      "d did not change; a, c, b by their last change",
    );
    assert.deepEqual(c.deleted, []);
    assert.equal(c.rev, await s.changes.currentRev());
    assert.equal(c.videos.at(-1)?.rev, c.rev);

    const again = await s.changes.changesSince(c.rev);
    assert.deepEqual(again, { videos: [], deleted: [], rev: c.rev });
  });

  test("a change made on one connection is seen on the other", async (s) => {
    const other = await s.other();
    const rev = await other.changes.currentRev();
    await s.addVideo("a");
    await s.videos.update("a", { status: "processing" });
    await s.addVideo("b");
    await s.videos.delete("b");
    const c = await other.changes.changesSince(rev);
    assert.deepEqual(c.videos.map((v) => [v.id, v.status]), [[
      "a",
      "processing",
    ]]);
    assert.deepEqual(c.deleted, ["b"]);
    assert.equal(c.rev, await s.changes.currentRev());
    assert.equal((await other.videos.get("a"))?.status, "processing");
  });

  // ---------------------------------------------------------------- counters and health

  test("counters accumulate (by 1 unless told) and all() never includes rev", async (s) => {
    await s.counters.add("uploads_total");
    await s.counters.add("uploads_total");
    await s.counters.add("upload_bytes_total", 1000);
    await s.counters.add("upload_bytes_total", 2345);
    await s.counters.add("transcode_seconds_total", 1.25);
    await s.counters.add("transcode_seconds_total", 0.5);
    await s.addVideo("a"); // bumps the change revision, which is no counter

    const all = await s.counters.all();
    assert.equal(all.uploads_total, 2);
    assert.equal(all.upload_bytes_total, 3345);
    assert.equal(all.transcode_seconds_total, 1.75);
    assert.ok(!("rev" in all), "the change revision is not a counter");
  });

  test("counters are shared by every connection to the database", async (s) => {
    const other = await s.other();
    await s.counters.add("transcodes_total");
    await other.counters.add("transcodes_total", 2);
    assert.equal((await s.counters.all()).transcodes_total, 3);
    assert.equal((await other.counters.all()).transcodes_total, 3);
  });

  // ------------------------------------------------- jobs: order keys and dedupe keys

  test("jobs sharing an order key are claimed one at a time, in enqueue order", async (s) => {
    const a1 = await s.jobs.enqueue({
      kind: "webhook",
      orderKey: "k",
      runAt: 0,
    });
    const a2 = await s.jobs.enqueue({
      kind: "webhook",
      orderKey: "k",
      runAt: 0,
    });
    const b1 = await s.jobs.enqueue({
      kind: "webhook",
      orderKey: "j",
      runAt: 0,
    });
    const first = await s.jobs.claim("h", 60_000, ["webhook"], 1000);
    assert.equal(first?.id, a1);
    const second = await s.jobs.claim("h2", 60_000, ["webhook"], 1000);
    assert.equal(second?.id, b1, "another key is not held up");
    assert.equal(await s.jobs.claim("h3", 60_000, ["webhook"], 1000), null);
    // Waiting for a retry still holds the later job back.
    await s.jobs.retryLater(a1, "h", "500", 10_000, 1000);
    assert.equal(await s.jobs.claim("h3", 60_000, ["webhook"], 2000), null);
    const again = await s.jobs.claim("h3", 60_000, ["webhook"], 11_000);
    assert.equal(again?.id, a1);
    assert.equal(await s.jobs.complete(a1, "h3"), true);
    assert.equal(
      (await s.jobs.claim("h4", 60_000, ["webhook"], 11_000))?.id,
      a2,
    );
  });

  test("an order key's later job due earlier still waits for the earlier job", async (s) => {
    const a1 = await s.jobs.enqueue({
      kind: "webhook",
      orderKey: "k",
      runAt: 5000,
    });
    await s.jobs.enqueue({ kind: "webhook", orderKey: "k", runAt: 0 });
    assert.equal(await s.jobs.claim("h", 60_000, ["webhook"], 1000), null);
    assert.equal((await s.jobs.claim("h", 60_000, ["webhook"], 5000))?.id, a1);
  });

  test("enqueueing a dedupe key that exists adds nothing and returns the existing id", async (s) => {
    const id = await s.jobs.enqueue({
      kind: "webhook",
      dedupeKey: "m1",
      runAt: 0,
    });
    const again = await s.jobs.enqueue({
      kind: "webhook",
      dedupeKey: "m1",
      runAt: 0,
    });
    assert.equal(again, id);
    assert.deepEqual(await s.jobs.depth("webhook"), {
      queued: 1,
      processing: 0,
    });
    await s.jobs.enqueue({ kind: "webhook", dedupeKey: "m2", runAt: 0 });
    await s.jobs.enqueue({ kind: "webhook", runAt: 0 });
    await s.jobs.enqueue({ kind: "webhook", runAt: 0 });
    assert.deepEqual(await s.jobs.depth("webhook"), {
      queued: 4,
      processing: 0,
    });
  });

  test("dropOrdered removes the jobs whose order key has the prefix, whatever their state", async (s) => {
    await s.jobs.enqueue({ kind: "webhook", orderKey: "h1:a", runAt: 0 });
    await s.jobs.enqueue({ kind: "webhook", orderKey: "h1:b", runAt: 0 });
    await s.jobs.enqueue({ kind: "webhook", orderKey: "h2:a", runAt: 0 });
    await s.jobs.enqueue({ kind: "webhook", runAt: 0 });
    await s.jobs.claim("h", 60_000, ["webhook"], 1000);
    await s.jobs.dropOrdered("h1:");
    assert.deepEqual(await s.jobs.depth("webhook"), {
      queued: 2,
      processing: 0,
    });
  });

  // ----------------------------------------------------- webhooks and the transition outbox

  const hook = (id: string, events: VideoEventType[] = [...ALL_EVENTS]) => ({
    id,
    url: `https://hooks.example/${id}`,
    events,
    secret: `whsec_${id}`,
  });

  /** Claims and removes every outbox event; returns `type videoId` of each, in order. */
  async function drainEvents(st: Stores, now = 1000): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < 100; i++) {
      const e = await st.events.claimEvent("d", 60_000, now);
      if (!e) return out;
      out.push(`${e.type} ${e.videoId}`);
      assert.equal(await st.events.eventDone(e.seq, "d"), true);
    }
    throw new Error("the outbox never emptied");
  }

  test("webhooks round-trip, list oldest first, and delete", async (s) => {
    const a = await s.stores.webhooks.create(
      hook("a", ["video.ready"]),
      new Date(1000),
    );
    await s.stores.webhooks.create(hook("b"), new Date(2000));
    assert.deepEqual(a, {
      ...hook("a", ["video.ready"]),
      createdAt: new Date(1000).toISOString(),
    });
    assert.deepEqual(await s.stores.webhooks.get("a"), a);
    assert.deepEqual((await s.stores.webhooks.list()).map((h) => h.id), [
      "a",
      "b",
    ]);
    assert.equal(await s.stores.webhooks.delete("a"), true);
    assert.equal(await s.stores.webhooks.delete("a"), false);
    assert.equal(await s.stores.webhooks.get("a"), null);
  });

  test("subscribers are the hooks of that type that existed at the time", async (s) => {
    await s.stores.webhooks.create(hook("a", ["video.ready"]), new Date(1000));
    await s.stores.webhooks.create(hook("b"), new Date(2000));
    await s.stores.webhooks.create(hook("c", ["video.failed"]), new Date(500));
    const at = (ms: number) => new Date(ms).toISOString();
    const subs = async (t: VideoEventType, ms: number) =>
      (await s.stores.webhooks.subscribers(t, at(ms))).map((h) => h.id);
    assert.deepEqual(await subs("video.ready", 3000), ["a", "b"]);
    assert.deepEqual(await subs("video.ready", 1500), ["a"]);
    assert.deepEqual(await subs("video.created", 3000), ["b"]);
    assert.deepEqual(await subs("video.failed", 600), ["c"]);
  });

  test("the delivery log lists a hook's attempts newest first and goes with the hook", async (s) => {
    await s.stores.webhooks.create(hook("a"));
    await s.stores.webhooks.create(hook("b"));
    const entry = (webhookId: string, attempt: number) => ({
      webhookId,
      messageId: "m1",
      event: "video.ready",
      attempt,
      statusCode: attempt < 3 ? 500 : 200,
      durationMs: 12,
      error: attempt < 3 ? "The receiver answered 500." : null,
      at: new Date(attempt * 1000).toISOString(),
    });
    for (const n of [1, 2, 3]) {
      await s.stores.webhooks.logDelivery(entry("a", n));
    }
    await s.stores.webhooks.logDelivery(entry("b", 1));
    await s.stores.webhooks.logDelivery(entry("gone", 1)); // no such hook: ignored
    const log = await s.stores.webhooks.deliveries("a", 10);
    assert.deepEqual(log.map((d) => d.attempt), [3, 2, 1]);
    const { seq: _, ...last } = log[0];
    assert.deepEqual(last, entry("a", 3));
    assert.equal((await s.stores.webhooks.deliveries("a", 2)).length, 2);
    await s.stores.webhooks.delete("a");
    assert.deepEqual(await s.stores.webhooks.deliveries("a", 10), []);
    assert.equal((await s.stores.webhooks.deliveries("b", 10)).length, 1);
  });

  test("no transition is put in the outbox while no webhook subscribes to it", async (s) => {
    await s.addVideo("a");
    await s.videos.update("a", { status: "ready", playable: true });
    assert.equal(await s.stores.events.claimEvent("d", 60_000, 1000), null);
    await s.stores.webhooks.create(hook("h", ["video.failed"]));
    await s.addVideo("b");
    await s.videos.update("b", { status: "ready" });
    assert.deepEqual(await drainEvents(s.stores), []);
    await s.videos.update("b", { status: "failed" });
    assert.deepEqual(await drainEvents(s.stores), ["video.failed b"]);
  });

  test("each transition is in the outbox exactly once, in order, with its snapshot", async (s) => {
    await s.stores.webhooks.create(hook("h"));
    await s.addVideo("a");
    await s.videos.update("a", { status: "processing", progress: 0 });
    await s.videos.update("a", { progress: 0.3 });
    await s.videos.update("a", { playable: true });
    await s.videos.update("a", { playable: true }); // not a transition
    await s.videos.update("a", { status: "ready", progress: 1 });
    await s.videos.update("a", { status: "ready" }); // not a transition
    await s.videos.update("a", { status: "failed" }, ["queued"]); // guarded out
    await s.addVideo("b");
    // One write that makes a video playable and ready is both, playable first.
    await s.videos.update("b", { status: "ready", progress: 1 });
    await s.videos.update("b", { status: "failed", error: "x" });
    await s.videos.delete("a");
    await s.videos.delete("a"); // already gone
    const first = await s.stores.events.claimEvent("d", 60_000, 1000);
    assert.equal(first?.type, "video.created");
    assert.equal(first?.video.id, "a");
    assert.equal(first?.video.status, "queued");
    assert.equal(first?.video.media, null, "no probe output in events");
    assert.match(first!.id, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(first!.at)));
    await s.stores.events.eventDone(first!.seq, "d");
    const ready = await s.stores.events.claimEvent("d", 60_000, 1000);
    assert.equal(ready?.type, "video.playable");
    assert.equal(ready?.video.playable, true);
    assert.equal(ready?.video.status, "processing");
    await s.stores.events.eventDone(ready!.seq, "d");
    assert.deepEqual(await drainEvents(s.stores), [
      "video.ready a",
      "video.created b",
      "video.playable b",
      "video.ready b",
      "video.failed b",
      "video.deleted a",
    ]);
  });

  test("a deleted video's event carries the video as it was", async (s) => {
    await s.stores.webhooks.create(hook("h", ["video.deleted"]));
    await s.addVideo("a");
    await s.videos.update("a", { title: "Last title" });
    await s.videos.delete("a");
    const e = await s.stores.events.claimEvent("d", 60_000, 1000);
    assert.equal(e?.type, "video.deleted");
    assert.equal(e?.video.title, "Last title");
  });

  test("only the head of the outbox is claimed, by one holder at a time until its lease ends", async (s) => {
    await s.stores.webhooks.create(hook("h"));
    await s.addVideo("a");
    await s.addVideo("b");
    const other = await s.other();
    const head = await s.stores.events.claimEvent("d1", 5000, 1000);
    assert.equal(head?.videoId, "a");
    assert.equal(await other.events.claimEvent("d2", 5000, 2000), null);
    const taken = await other.events.claimEvent("d2", 5000, 7000);
    assert.equal(taken?.seq, head?.seq, "after the lease, the same head");
    assert.equal(await s.stores.events.eventDone(head!.seq, "d1"), false);
    assert.equal(await other.events.eventDone(head!.seq, "d2"), true);
    assert.equal(
      (await s.stores.events.claimEvent("d1", 5000, 7000))?.videoId,
      "b",
    );
  });

  test("a transition written on one connection is in the outbox seen by the other", async (s) => {
    await s.stores.webhooks.create(hook("h", ["video.ready"]));
    await s.addVideo("a");
    const other = await s.other();
    await other.videos.update("a", { status: "ready" });
    assert.deepEqual(await drainEvents(s.stores), ["video.ready a"]);
  });

  test("ping resolves while the database answers", async (s) => {
    await s.stores.ping();
    await (await s.other()).ping();
  });
  // ---------------------------------------------------------------- captions

  test("captions: put adds one per language, replaces the same language, lists by tag", async (s) => {
    await s.addVideo("a");
    const at = new Date("2024-01-02T03:04:05.000Z");
    const fr = await s.stores.captions.put(
      "a",
      { lang: "fr", label: null },
      at,
    );
    assert.deepEqual(fr, {
      videoId: "a",
      lang: "fr",
      label: null,
      createdAt: at.toISOString(),
    });
    await s.stores.captions.put("a", { lang: "en-US", label: "English" }, at);
    await s.stores.captions.put("a", { lang: "en", label: "first" }, at);
    const again = await s.stores.captions.put("a", {
      lang: "en",
      label: "SDH",
    });
    assert.equal(again?.label, "SDH");
    const list = await s.stores.captions.list("a");
    assert.deepEqual(list.map((c) => [c.lang, c.label]), [
      ["en", "SDH"],
      ["en-US", "English"],
      ["fr", null],
    ]);
    assert.deepEqual((await s.videos.get("a"))?.captions, [
      { lang: "en", label: "SDH" },
      { lang: "en-US", label: "English" },
      { lang: "fr", label: null },
    ]);
  });

  test("captions: a video's records carry its captions on every read path", async (s) => {
    await s.addVideo("a");
    await s.addVideo("b");
    const rev = await s.changes.currentRev();
    await s.stores.captions.put("a", { lang: "de", label: null });
    const touched = await s.videos.update("a", {});
    assert.deepEqual(touched?.captions, [{ lang: "de", label: null }]);
    assert.ok(
      touched && touched.rev > rev,
      "an empty update bumps the revision",
    );
    const listed = await s.videos.list(10);
    assert.deepEqual(listed.map((v) => [v.id, v.captions.length]), [
      ["b", 0],
      ["a", 1],
    ]);
    const changes = await s.changes.changesSince(rev);
    assert.deepEqual(changes.videos.map((v) => [v.id, v.captions]), [
      ["a", [{ lang: "de", label: null }]],
    ]);
  });

  test("captions: none for a missing video; delete removes one; the video's delete cascades", async (s) => {
    assert.equal(
      await s.stores.captions.put("nope", { lang: "en", label: null }),
      null,
    );
    await s.addVideo("a");
    await s.addVideo("b");
    await s.stores.captions.put("a", { lang: "en", label: null });
    await s.stores.captions.put("a", { lang: "fr", label: null });
    await s.stores.captions.put("b", { lang: "en", label: null });
    assert.equal(await s.stores.captions.delete("a", "fr"), true);
    assert.equal(await s.stores.captions.delete("a", "fr"), false);
    assert.deepEqual((await s.stores.captions.list("a")).map((c) => c.lang), [
      "en",
    ]);
    await s.videos.delete("a");
    assert.deepEqual(await s.stores.captions.list("a"), []);
    await s.addVideo("a"); // the same id again starts with no captions
    assert.deepEqual((await s.videos.get("a"))?.captions, []);
    assert.equal((await s.stores.captions.list("b")).length, 1);
  });
}
