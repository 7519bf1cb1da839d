/**
 * The `transcode` job: fetch the original into a scratch folder, run the media pipeline
 * there, publish the stream folder through the blob store, and report every step to the
 * lifecycle. The worker loop (`lib/jobs/worker.ts`) decides when it runs and retries.
 *
 * @module
 */
import { join } from "node:path";
import type { Counters, VideoStore } from "../store/ports.ts";
import type { BlobStore } from "../storage/port.ts";
import { removeAll } from "../storage/disk.ts";
import type { JobHandler } from "../jobs/worker.ts";
import type {
  MediaInfo,
  TranscodeOptions,
  TranscodeResult,
} from "../media/mod.ts";
import { log } from "../core/log.ts";
import type { Lifecycle } from "./lifecycle.ts";
import { originalsPrefix, streamPrefix } from "./keys.ts";

/** The media pipeline's entry, replaceable in tests by a fake. */
export type TranscodeFn = (opts: TranscodeOptions) => Promise<TranscodeResult>;

/** What the transcode job needs. */
export interface TranscodeJobDeps {
  lifecycle: Lifecycle;
  videos: VideoStore;
  blobs: BlobStore;
  counters: Counters;
  transcode: TranscodeFn;
  /** Local folder for this process's work (`DATA_DIR/work`); one subfolder per video. */
  scratchDir: string;
  ffmpegPath: string;
  ffprobePath: string;
  /** Keep the original after success (needed for retry). */
  keepOriginals: boolean;
  /** Shown instead of this path in error messages (`DATA_DIR`). */
  hidePath?: string;
}

/** Progress is written at most this often, and only when it moved by at least 0.5 %. */
const PROGRESS_EVERY_MS = 500;

/** A failure reason a person can act on, without server paths. */
export function readableError(err: unknown, hidePath?: string): string {
  const raw = err instanceof Error ? err.message : String(err);
  if (/No space left on device|ENOSPC|os error 28/i.test(raw)) {
    return "The server ran out of disk space while writing this video. Free some space, then press Retry.";
  }
  return hidePath ? raw.replaceAll(hidePath, "DATA_DIR") : raw;
}

function ignoreFailure(p: Promise<unknown>): void {
  p.catch((err) => log.warn("job.write_failed", { error: String(err) }));
}

/** Builds the handler of `transcode` jobs. */
export function transcodeJob(deps: TranscodeJobDeps): JobHandler {
  const { lifecycle, videos, blobs, counters } = deps;
  const workDir = (id: string) => join(deps.scratchDir, id);
  const videoOf = (job: { videoId: string | null }): string => {
    if (!job.videoId) throw new Error("A transcode job needs a video.");
    return job.videoId;
  };

  return {
    interruptedReason:
      "Transcoding was interrupted too many times; press Retry to try again.",

    async run(job, ctx) {
      const id = videoOf(job);
      const started = performance.now();
      const video = await videos.get(id);
      if (!video) return; // deleted before it started: the job simply ends
      await lifecycle.started(id);
      log.info("job.start", { videoId: id, attempt: job.attempts });
      const work = workDir(id);
      await removeAll(work); // what an interrupted attempt left
      // An interrupted attempt may have published part of a rendition; it is not listed
      // any more (started() cleared playable), and now it goes.
      await blobs.deletePrefix(streamPrefix(id));
      try {
        const original = (await blobs.list(originalsPrefix(id)))[0];
        const input = original &&
          await blobs.localPath(original.key, join(work, "in"));
        if (!input) {
          throw new Error(
            "The uploaded original is missing, so it cannot be transcoded.",
          );
        }
        let lastWrite = 0;
        let lastProgress = 0;
        let playable = false;
        const out = join(work, "out");
        const prefix = streamPrefix(id);
        const result = await deps.transcode({
          input,
          info: video.media as MediaInfo,
          outDir: out,
          ffmpegPath: deps.ffmpegPath,
          ffprobePath: deps.ffprobePath,
          signal: ctx.signal,
          onProcesses: (pids) => ignoreFailure(ctx.setPids(pids)),
          onPlan: (sizes) => lifecycle.planned(id, sizes),
          onPublish: async (files) => {
            ctx.signal.throwIfAborted();
            for (const f of files) await blobs.putFile(prefix + f.name, f.path);
            if (!playable && files.some((f) => f.name.endsWith(".m3u8"))) {
              playable = true;
              await lifecycle.playable(id);
              log.info("job.playable", {
                videoId: id,
                seconds: Math.round((performance.now() - started) / 100) / 10,
              });
            }
          },
          onRenditionReady: (index, bitrate) =>
            lifecycle.renditionReady(id, index, bitrate),
          onProgress: (p) => {
            const now = Date.now();
            if (
              now - lastWrite < PROGRESS_EVERY_MS || p - lastProgress < 0.005
            ) {
              return;
            }
            lastWrite = now;
            lastProgress = p;
            // A busy or full database must not end the job: progress is best effort.
            ignoreFailure(lifecycle.progressed(id, p));
          },
        });
        ctx.signal.throwIfAborted();
        await blobs.publishDir(out, prefix);
        const done = await lifecycle.finished(id, result.renditions);
        if (!done) {
          await blobs.deletePrefix(streamPrefix(id)); // deleted while finishing
          return;
        }
        if (!deps.keepOriginals) await blobs.deletePrefix(originalsPrefix(id));
        const seconds = (performance.now() - started) / 1000;
        await counters.add("transcodes_total");
        await counters.add("transcode_seconds_total", seconds);
        await counters.add(
          "transcoded_video_seconds_total",
          result.durationSec,
        );
        log.info("job.done", {
          videoId: id,
          seconds: Math.round(seconds * 10) / 10,
          durationSec: video.durationSec,
          renditions: result.renditions.length,
        });
      } finally {
        await removeAll(work);
      }
    },

    describe: (err) => readableError(err, deps.hidePath),

    async obsolete(job) {
      return !(await videos.get(videoOf(job)));
    },

    async attemptFailed() {
      await counters.add("ffmpeg_failures_total");
    },

    async retrying(job) {
      // What the attempt published is unlisted again (playable is false) and goes.
      await blobs.deletePrefix(streamPrefix(videoOf(job)));
      await lifecycle.retrying(videoOf(job));
    },

    async failed(job, reason) {
      await blobs.deletePrefix(streamPrefix(videoOf(job)));
      await lifecycle.failed(videoOf(job), reason);
    },

    async stopped(job) {
      const id = videoOf(job);
      await removeAll(workDir(id));
      if (!(await videos.get(id))) await blobs.deletePrefix(streamPrefix(id));
    },
  };
}
