/**
 * Wires the app's parts together once per process: config → database → stores → change
 * feed → video service → worker. Routes reach them through {@link services}.
 */
import type { Config } from "./config.ts";
import { type Db, openDb } from "./store/db.ts";
import { type JobQueue, SqliteJobQueue } from "./store/jobs.ts";
import { VideoStore } from "./store/videos.ts";
import { Counters } from "./store/counters.ts";
import { ChangeFeed } from "./videos/feed.ts";
import { type DataPaths, dataPaths, ensureDataPaths } from "./videos/paths.ts";
import { VideoService } from "./videos/service.ts";
import { TranscodeWorker } from "./jobs/worker.ts";
import { ALLOWED_EXTENSIONS } from "./config.ts";
import { createTusHandler, type TusHandler } from "./uploads/tus.ts";
import { log } from "./log.ts";

/** Everything a request handler may need. */
export interface Services {
  config: Config;
  paths: DataPaths;
  db: Db;
  videos: VideoStore;
  jobs: JobQueue;
  counters: Counters;
  feed: ChangeFeed;
  service: VideoService;
  /** Null in a web-only process (`TRANSCODE_CONCURRENCY=0`). */
  worker: TranscodeWorker | null;
  /** The tus endpoint at `/api/uploads`. */
  tus: TusHandler;
  /** Aborted when the process shuts down (ends SSE streams so shutdown can finish). */
  closing: AbortController;
}

let current: Services | null = null;

/** Opens the database and builds the services; starts the worker when concurrency > 0. */
export async function createServices(
  config: Config,
  opts: { startWorker?: boolean } = {},
): Promise<Services> {
  const paths = dataPaths(config.dataDir);
  await ensureDataPaths(paths);
  const db = openDb(config.dataDir);
  const videos = new VideoStore(db);
  const jobs = new SqliteJobQueue(db);
  const counters = new Counters(db);
  const feed = new ChangeFeed(videos);
  const service = new VideoService(config, paths, videos, jobs, counters);
  const wantWorker = (opts.startWorker ?? true) &&
    config.transcodeConcurrency > 0;
  const worker = wantWorker
    ? new TranscodeWorker({
      config,
      paths,
      videos,
      jobs,
      counters,
      onChange: () => feed.poke(),
    })
    : null;
  service.setHooks({
    changed: () => feed.poke(),
    queued: () => worker?.wake(),
    cancel: (id) => worker?.cancel(id),
  });
  const tus = createTusHandler({
    dir: paths.tus,
    path: "/api/uploads",
    maxBytes: config.maxUploadBytes,
    expiryHours: config.tusExpiryHours,
    allowedExtensions: ALLOWED_EXTENSIONS,
    onUploadFinished: async (upload) => {
      const video = await service.ingest(upload);
      return { headers: { "X-Video-Id": video.id } };
    },
  });
  const sweep = () =>
    tus.cleanupExpired().then(
      (n) => n && log.info("tus.expired", { removed: n }),
      (err) => log.warn("tus.cleanup_failed", { error: String(err) }),
    );
  void sweep();
  const sweeper = setInterval(sweep, 15 * 60_000);
  Deno.unrefTimer(sweeper as unknown as number);
  worker?.start();
  return {
    config,
    paths,
    db,
    videos,
    jobs,
    counters,
    feed,
    service,
    worker,
    tus,
    closing: new AbortController(),
  };
}

/** Makes `s` the process's services. */
export function setServices(s: Services | null): void {
  current = s;
}

/** The process's services; throws when the app has not been started. */
export function services(): Services {
  if (!current) {
    throw new Error("services() called before createServices()/setServices()");
  }
  return current;
}

/** Stops the worker (handing jobs back), stops the feed and closes the database. */
export async function closeServices(s: Services): Promise<void> {
  s.closing.abort();
  s.tus.close();
  await s.worker?.stop();
  s.feed.stop();
  s.db.close();
}
