/**
 * The composition root of the web process: builds its parts once (stores, blob store,
 * lifecycle, intake, service, feed, worker when `TRANSCODE_CONCURRENCY` > 0) and hands them
 * to routes on `ctx.state.web` through {@link WebApp.provide}, an app-level middleware.
 *
 * @module
 */
import type { Config } from "./config.ts";
import {
  buildParts,
  closeParts,
  type Parts,
  type PartsOptions,
  startJobs,
} from "./parts.ts";
import {
  HttpStats,
  type State,
  streamAccessCache,
  toErrorResponse,
  type WebDeps,
} from "../api/mod.ts";
import type { Middleware } from "../fresh/mod.ts";
import { probe } from "../media/mod.ts";
import { freeDiskBytes } from "../storage/mod.ts";
import {
  CaptionService,
  Intake,
  PlaybackSigner,
  VideoService,
} from "../videos/mod.ts";
import { signingSecret } from "./secret.ts";
import { log } from "../core/log.ts";

/** The web process. */
export interface WebApp {
  deps: WebDeps;
  parts: Parts;
  /** Sets `ctx.state.web` for every request. */
  provide: Middleware<State>;
  /** Ends every SSE stream (so the server can finish its open requests). */
  endStreams(): void;
  /** Ends SSE streams, stops the worker and the tus sweeper, closes the stores. */
  close(): Promise<void>;
}

/** Where the tus endpoint is mounted (its route file is `routes/api/uploads/`). */
export const TUS_PATH = "/api/uploads";

/** Builds the web process and starts its worker (unless `TRANSCODE_CONCURRENCY=0`). */
export async function buildWeb(
  config: Config,
  opts: Partial<PartsOptions> = {},
): Promise<WebApp> {
  // Before anything is opened: a missing secret in a cluster fails start-up by itself.
  const signer = new PlaybackSigner(await signingSecret(config));
  const parts = await buildParts(config, {
    ...opts,
    runJobs: opts.runJobs ?? config.transcodeConcurrency > 0,
  });
  const { stores, blobs, feed, lifecycle, dirs } = parts;
  const freeBytes = () => freeDiskBytes(dirs.root);
  const intake = new Intake({
    lifecycle,
    blobs,
    counters: stores.counters,
    probe: (path) =>
      probe(path, {
        ffprobePath: config.ffprobePath,
        limits: {
          maxWidth: config.maxInputWidth,
          maxHeight: config.maxInputHeight,
          maxFps: config.maxInputFps,
          maxDurationSec: config.maxDurationSec,
        },
      }),
    incomingDir: dirs.incoming,
    tusDir: dirs.tus,
    tusPath: TUS_PATH,
    freeBytes,
    maxUploadBytes: config.maxUploadBytes,
    minFreeBytes: config.minFreeDiskBytes,
    tusExpiryHours: config.tusExpiryHours,
    errorResponse: toErrorResponse,
    tusS3: config.s3Bucket
      ? {
        bucket: config.s3Bucket,
        endpoint: config.s3Endpoint,
        region: config.s3Region,
        prefix: config.s3Prefix,
      }
      : undefined,
    tusLock: config.s3Bucket && stores.lock
      ? (name, signal) => stores.lock!(name, signal)
      : undefined,
  });
  const access = streamAccessCache((id) => stores.videos.get(id));
  const videos = new VideoService({
    videos: stores.videos,
    lifecycle,
    blobs,
    cancel: (id) => parts.worker?.cancelVideo(id),
    changed: (id) => access.forget(id),
  });
  const captions = new CaptionService({
    captions: stores.captions,
    blobs,
    videos,
    lifecycle,
    changed: (id) => access.forget(id),
  });
  const closing = new AbortController();
  const deps: WebDeps = {
    settings: {
      publicUrl: config.publicUrl,
      apiToken: config.apiToken,
      maxUploadBytes: config.maxUploadBytes,
      corsOrigins: config.corsOrigins,
      rateLimitUploads: config.rateLimitUploads,
      rateLimitWrites: config.rateLimitWrites,
      embedOrigins: config.embedOrigins,
    },
    videos,
    captions,
    intake,
    webhooks: parts.webhooks,
    feed,
    blobs,
    signer,
    streamAccess: access.get,
    health: {
      ffmpegPath: config.ffmpegPath,
      minFreeBytes: config.minFreeDiskBytes,
      ping: () => stores.ping(),
      pingStorage: parts.pingBlobs,
      // The transcode queue (webhook deliveries have their own kind and log).
      depth: () => stores.jobs.depth("transcode"),
      freeBytes,
    },
    metrics: {
      counters: stores.counters,
      videos: stores.videos,
      jobs: stores.jobs,
      http: new HttpStats(),
    },
    closing: closing.signal,
  };

  const sweep = () =>
    intake.tus.cleanupExpired().then(
      (n) => n && log.info("tus.expired", { removed: n }),
      (err) => log.warn("tus.cleanup_failed", { error: String(err) }),
    );
  void sweep();
  const sweeper = setInterval(sweep, 15 * 60_000);
  Deno.unrefTimer(sweeper);
  await startJobs(parts);

  return {
    deps,
    parts,
    provide: function provideWeb(ctx) {
      ctx.state.web = deps;
      return ctx.next();
    },
    endStreams: () => closing.abort(),
    async close() {
      closing.abort();
      clearInterval(sweeper);
      intake.close();
      await closeParts(parts);
    },
  };
}
