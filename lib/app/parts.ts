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
import {
  deliveryJob,
  Dispatcher,
  type TargetPolicy,
  WebhookService,
} from "../webhooks/mod.ts";
import { presentVideo } from "../api/mod.ts";

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
  /** Webhook use cases (register, list, test, log). */
  webhooks: WebhookService;
  /** Webhook deliveries: their own worker and concurrency (null: `WEBHOOK_CONCURRENCY=0`). */
  deliveries: Worker | null;
  /** Turns outbox events into delivery jobs (with {@link deliveries}). */
  dispatcher: Dispatcher | null;
  /** Stops listening for new jobs and changes (PostgreSQL), once started. */
  unlistenJobs: (() => Promise<void>) | null;
}

/** Overrides for tests: a fake transcoder, faster retries. */
export interface PartsOptions {
  runJobs: boolean;
  transcode?: TranscodeFn;
  retryBaseMs?: number;
  pollMs?: number;
  /** Webhook delivery timeout (default 10 s). */
  webhookTimeoutMs?: number;
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
  let deliveries: Worker | null = null;
  let dispatcher: Dispatcher | null = null;
  const lifecycle = new Lifecycle(stores.videos, stores.jobs, {
    changed: () => {
      void feed.poke();
      dispatcher?.wake();
    },
    queued: () => worker?.wake(),
  });
  const policy: TargetPolicy = { allowPrivate: config.webhookAllowPrivate };
  if (config.webhookConcurrency > 0) {
    deliveries = new Worker({
      jobs: stores.jobs,
      concurrency: config.webhookConcurrency,
      leaseMs: config.jobLeaseSec * 1000,
      maxAttempts: config.jobMaxAttempts, // unused: the handler has its own schedule
      pollMs: opts.pollMs,
      handlers: {
        webhook: deliveryJob({
          webhooks: stores.webhooks,
          policy,
          timeoutMs: opts.webhookTimeoutMs,
          retryBaseMs: config.webhookRetryBaseSec * 1000,
        }),
      },
    });
    const deliver = deliveries;
    dispatcher = new Dispatcher({
      events: stores.events,
      webhooks: stores.webhooks,
      jobs: stores.jobs,
      present: (v) => presentVideo(v, config.publicUrl),
      holder: deliver.holder,
      leaseMs: config.jobLeaseSec * 1000,
      pollMs: opts.pollMs ? Math.min(opts.pollMs, 500) : undefined,
      queued: () => deliver.wake(),
    });
  }
  const webhooks = new WebhookService({
    webhooks: stores.webhooks,
    jobs: stores.jobs,
    policy,
    queued: () => deliveries?.wake(),
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
    webhooks,
    deliveries,
    dispatcher,
    unlistenJobs: null,
  };
}

/** Starts the worker (recovering what a crashed process left) and re-queues lost videos. */
export async function startJobs(p: Parts): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  if (p.worker) {
    await p.lifecycle.recover();
    // Jobs of dead holders go back to the queue first, so the sweep keeps only live ones.
    await p.worker.recover();
    await sweepScratch(p);
    await p.worker.start();
    // PostgreSQL tells workers on every machine about new jobs at once (SQLite: polling).
    const worker = p.worker;
    const stop = await p.stores.jobs.listen?.(() => worker.wake());
    if (stop) stops.push(stop);
  }
  if (p.deliveries && p.dispatcher) {
    const { deliveries, dispatcher } = p;
    await deliveries.start();
    dispatcher.start();
    const stopJobs = await p.stores.jobs.listen?.(() => deliveries.wake());
    if (stopJobs) stops.push(stopJobs);
    // Any process's transition: drain the outbox at once (SQLite: the dispatcher polls).
    const stopChanges = await p.stores.changes.listen?.(() =>
      dispatcher.wake()
    );
    if (stopChanges) stops.push(stopChanges);
  }
  p.unlistenJobs = stops.length
    ? async () => {
      for (const stop of stops) await stop();
    }
    : null;
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
  await p.dispatcher?.stop();
  await p.worker?.stop();
  await p.deliveries?.stop();
  p.feed.stop();
  await p.stores.close();
}
