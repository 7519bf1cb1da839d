/**
 * The parts every process has: the stores, the blob store, the lifecycle, the change feed and
 * (when it runs jobs) the worker with its handlers. `web.ts` and `worker.ts` build on these.
 *
 * @module
 */
import { join } from "node:path";
import type { Config } from "./config.ts";
import { transcode } from "../media/mod.ts";
import type { Stores } from "../store/mod.ts";
import type { BlobStore } from "../storage/mod.ts";
import { openBlobs, openStores } from "./backends.ts";
import { Worker } from "../jobs/worker.ts";
import {
  ChangeFeed,
  Lifecycle,
  type TranscodeFn,
  transcodeJob,
} from "../videos/mod.ts";

/** Local folders of `DATA_DIR` besides the blob store's. */
export interface LocalDirs {
  root: string;
  /** Multipart uploads being received. */
  incoming: string;
  /** tus partial uploads. */
  tus: string;
  /** Worker scratch: originals fetched and ffmpeg output before publishing. */
  work: string;
}

/** What {@link buildParts} returns. */
export interface Parts {
  config: Config;
  dirs: LocalDirs;
  stores: Stores;
  blobs: BlobStore;
  /** Checks the object store answers (S3); null for local disk. */
  pingBlobs: (() => Promise<void>) | null;
  feed: ChangeFeed;
  lifecycle: Lifecycle;
  /** Null when this process runs no jobs. */
  worker: Worker | null;
  /** Stops listening for new jobs (PostgreSQL), once started. */
  unlistenJobs: (() => Promise<void>) | null;
}

/** Overrides for tests: a fake transcoder, faster retries. */
export interface PartsOptions {
  runJobs: boolean;
  transcode?: TranscodeFn;
  retryBaseMs?: number;
  pollMs?: number;
}

/** Opens the stores and builds the shared parts (the worker is not started yet). */
export async function buildParts(
  config: Config,
  opts: PartsOptions,
): Promise<Parts> {
  const root = config.dataDir;
  const dirs: LocalDirs = {
    root,
    incoming: join(root, "incoming"),
    tus: join(root, "tus"),
    work: join(root, "work"),
  };
  for (const d of [dirs.incoming, dirs.tus, dirs.work]) {
    await Deno.mkdir(d, { recursive: true });
  }
  const stores = await openStores(config);
  let storage: Awaited<ReturnType<typeof openBlobs>>;
  try {
    storage = await openBlobs(config);
  } catch (err) {
    await stores.close();
    throw err;
  }
  const { blobs } = storage;
  const feed = new ChangeFeed(stores.changes);
  let worker: Worker | null = null;
  const lifecycle = new Lifecycle(stores.videos, stores.jobs, {
    changed: () => void feed.poke(),
    queued: () => worker?.wake(),
  });
  if (opts.runJobs) {
    worker = new Worker({
      jobs: stores.jobs,
      concurrency: Math.max(1, config.transcodeConcurrency),
      leaseMs: config.jobLeaseSec * 1000,
      maxAttempts: config.jobMaxAttempts,
      retryBaseMs: opts.retryBaseMs,
      pollMs: opts.pollMs,
      handlers: {
        transcode: transcodeJob({
          lifecycle,
          videos: stores.videos,
          blobs,
          counters: stores.counters,
          transcode: opts.transcode ?? transcode,
          scratchDir: dirs.work,
          ffmpegPath: config.ffmpegPath,
          ffprobePath: config.ffprobePath,
          keepOriginals: config.keepOriginals,
          hidePath: root,
        }),
      },
    });
  }
  return {
    config,
    dirs,
    stores,
    blobs,
    pingBlobs: storage.ping,
    feed,
    lifecycle,
    worker,
    unlistenJobs: null,
  };
}

/** Starts the worker (recovering what a crashed process left) and re-queues lost videos. */
export async function startJobs(p: Parts): Promise<void> {
  if (!p.worker) return;
  await p.lifecycle.recover();
  // Jobs of dead holders go back to the queue first, so the sweep keeps only live ones.
  await p.worker.recover();
  await sweepScratch(p);
  await p.worker.start();
  // PostgreSQL tells workers on every machine about new jobs at once (SQLite: polling).
  const worker = p.worker;
  p.unlistenJobs = await p.stores.jobs.listen?.(() => worker.wake()) ?? null;
}

/**
 * Removes scratch folders (`DATA_DIR/work/<video id>`) that no running job on this machine
 * owns: what a worker killed with -9 left behind (recovery has already requeued its jobs).
 */
async function sweepScratch(p: Parts): Promise<void> {
  const host = p.worker!.host;
  const live = new Set(
    (await p.stores.jobs.running(`${host}:`)).map((j) => j.videoId),
  );
  for await (const e of Deno.readDir(p.dirs.work)) {
    if (!live.has(e.name)) {
      await Deno.remove(join(p.dirs.work, e.name), { recursive: true })
        .catch(() => {});
    }
  }
}

/** Stops the worker (handing jobs back), the feed, and closes the stores. */
export async function closeParts(p: Parts): Promise<void> {
  await p.unlistenJobs?.().catch(() => {});
  await p.worker?.stop();
  p.feed.stop();
  await p.stores.close();
}
