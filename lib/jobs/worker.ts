/**
 * The transcode worker: claims jobs from the queue, runs one ffmpeg per video, keeps the
 * lease alive while it runs, publishes progress, and retries or fails with a reason.
 * On start it recovers jobs whose holder on this machine is gone and kills their ffmpeg.
 */
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { ClaimedJob, JobQueue } from "../store/jobs.ts";
import type { VideoStore } from "../store/videos.ts";
import type { Counters } from "../store/counters.ts";
import {
  isProcessAlive,
  killProcessGroup,
  type MediaInfo,
  transcode,
} from "../media/mod.ts";
import {
  type DataPaths,
  removeAll,
  removeTempOutputs,
} from "../videos/paths.ts";
import { findOriginal } from "../videos/originals.ts";
import { log } from "../log.ts";

/** What the worker needs. */
export interface WorkerDeps {
  config: Config;
  paths: DataPaths;
  videos: VideoStore;
  jobs: JobQueue;
  counters: Counters;
  /** Called after the worker writes a change (so local SSE clients hear it at once). */
  onChange?: () => void;
  /** Base of the retry backoff (attempt n waits base * 2^(n-1)); default 5 s. */
  retryBaseMs?: number;
  /** How often to look for due jobs when idle; default 1 s. */
  pollMs?: number;
}

type StopReason = "cancelled" | "shutdown" | "lost";

interface Running {
  controller: AbortController;
  reason: StopReason | null;
  done: Promise<void>;
}

/** A failure reason a person can act on, without server paths. */
function readableError(err: unknown, root: string): string {
  const raw = err instanceof Error ? err.message : String(err);
  if (/No space left on device|ENOSPC|os error 28/i.test(raw)) {
    return "The server ran out of disk space while writing this video. Free some space, then press Retry.";
  }
  return raw.replaceAll(root, "DATA_DIR");
}

/** This machine's name, used in job holders to tell our own dead holders from others'. */
function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

/** Runs transcode jobs with bounded concurrency. */
export class TranscodeWorker {
  #deps: WorkerDeps;
  #running = new Map<string, Running>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = true;
  readonly host: string = hostName();
  readonly holder: string;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    this.holder = `${this.host}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
  }

  /** Number of jobs this worker is running. */
  get active(): number {
    return this.#running.size;
  }

  /** Recovers orphaned jobs, then starts claiming. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.recover();
    this.#timer = setInterval(() => this.wake(), this.#deps.pollMs ?? 1000);
    this.wake();
  }

  /**
   * Requeues at once the running jobs held by processes of this machine that are gone, and
   * kills any ffmpeg they left behind (it would otherwise go on writing into a temp folder).
   */
  recover(): number {
    let n = 0;
    for (const job of this.#deps.jobs.running(`${this.host}:`)) {
      const holderPid = Number(job.holder.split(":")[1]);
      if (holderPid === Deno.pid && job.holder === this.holder) continue;
      if (holderPid !== Deno.pid && isProcessAlive(holderPid)) continue;
      if (job.pid && isProcessAlive(job.pid)) {
        killProcessGroup(job.pid, { expect: "ffmpeg" });
      }
      this.#deps.jobs.reclaim(job.videoId, job.holder);
      log.info("job.recovered", {
        videoId: job.videoId,
        deadHolder: job.holder,
      });
      n++;
    }
    return n;
  }

  /** Claims and starts due jobs while there is room. */
  wake(): void {
    if (this.#stopped) return;
    const { config, jobs } = this.#deps;
    while (this.#running.size < config.transcodeConcurrency) {
      let job: ClaimedJob | null;
      try {
        job = jobs.claim(this.holder, config.jobLeaseSec * 1000);
      } catch (err) {
        log.error("job.claim_failed", { error: String(err) });
        return;
      }
      if (!job) return;
      const controller = new AbortController();
      const entry: Running = {
        controller,
        reason: null,
        done: Promise.resolve(),
      };
      this.#running.set(job.videoId, entry);
      entry.done = this.#run(job, entry).finally(() => {
        this.#running.delete(job.videoId);
        this.wake();
      });
    }
  }

  /** Stops a running job of this worker (the video was deleted). */
  cancel(videoId: string): void {
    const r = this.#running.get(videoId);
    if (!r) return;
    r.reason = "cancelled";
    r.controller.abort();
  }

  /** Stops claiming, kills running ffmpeg and hands those jobs back to the queue. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const all = [...this.#running.values()];
    for (const r of all) {
      r.reason ??= "shutdown";
      r.controller.abort();
    }
    await Promise.allSettled(all.map((r) => r.done));
  }

  async #run(job: ClaimedJob, entry: Running): Promise<void> {
    const { config, paths, videos, jobs } = this.#deps;
    const id = job.videoId;
    const started = performance.now();
    const video = videos.get(id);
    if (!video) {
      jobs.drop(id);
      return;
    }
    if (job.attempts > config.jobMaxAttempts) {
      this.#fail(
        id,
        job,
        "Transcoding was interrupted too many times; press Retry to try again.",
      );
      return;
    }
    videos.update(id, { status: "processing", progress: 0, error: null });
    this.#changed();
    log.info("job.start", { videoId: id, attempt: job.attempts });

    const renewMs = Math.min(config.jobLeaseSec * 1000 / 3, 2000);
    const lease = setInterval(() => {
      let held = false;
      try {
        held = jobs.renew(id, job.holder, config.jobLeaseSec * 1000);
      } catch {
        return; // busy database: try again next tick; the lease has slack
      }
      if (!held && !entry.controller.signal.aborted) {
        entry.reason ??= "lost";
        entry.controller.abort();
      }
    }, renewMs);

    let lastWrite = 0;
    let lastProgress = 0;
    const outDir = join(paths.streams, id);
    try {
      await removeTempOutputs(paths, id);
      const input = await findOriginal(paths, id);
      if (!input) {
        throw new Error(
          "The uploaded original is missing, so it cannot be transcoded.",
        );
      }
      const result = await transcode({
        input,
        info: video.media as MediaInfo,
        outDir,
        ffmpegPath: config.ffmpegPath,
        ffprobePath: config.ffprobePath,
        signal: entry.controller.signal,
        onSpawn: (pid) => jobs.setPid(id, job.holder, pid),
        onProgress: (p) => {
          const now = Date.now();
          if (now - lastWrite < 500 || p - lastProgress < 0.005) return;
          lastWrite = now;
          lastProgress = p;
          videos.update(id, { progress: Math.min(p, 0.99) });
          this.#changed();
        },
      });
      clearInterval(lease);
      const done = videos.update(id, {
        status: "ready",
        progress: 1,
        error: null,
        renditions: result.renditions,
      });
      jobs.complete(id, job.holder);
      if (!done) {
        await removeAll(outDir); // deleted while finishing
        return;
      }
      if (!config.keepOriginals) await removeAll(join(paths.uploads, id));
      this.#changed();
      const seconds = (performance.now() - started) / 1000;
      this.#deps.counters.add("transcodes_total");
      this.#deps.counters.add("transcode_seconds_total", seconds);
      this.#deps.counters.add(
        "transcoded_video_seconds_total",
        result.durationSec,
      );
      log.info("job.done", {
        videoId: id,
        seconds: Math.round(seconds * 10) / 10,
        durationSec: video.durationSec,
        renditions: result.renditions.length,
      });
    } catch (err) {
      clearInterval(lease);
      const reason = entry.reason;
      if (reason === "shutdown") {
        jobs.release(id, job.holder);
        log.info("job.released", { videoId: id });
      } else if (
        reason === "cancelled" || reason === "lost" || !videos.get(id)
      ) {
        if (!videos.get(id)) await removeAll(outDir);
        log.info("job.stopped", { videoId: id, reason: reason ?? "deleted" });
      } else {
        const message = readableError(err, paths.root);
        this.#deps.counters.add("ffmpeg_failures_total");
        log.warn("job.error", {
          videoId: id,
          attempt: job.attempts,
          error: message,
        });
        if (job.attempts >= config.jobMaxAttempts) {
          this.#fail(id, job, message);
        } else {
          const base = this.#deps.retryBaseMs ?? 5000;
          const delay = Math.min(base * 2 ** (job.attempts - 1), 5 * 60_000);
          jobs.retryLater(id, job.holder, message, delay);
          videos.update(id, { status: "queued", progress: 0, error: null });
          this.#changed();
        }
      }
    } finally {
      clearInterval(lease);
    }
  }

  #fail(id: string, job: ClaimedJob, message: string): void {
    this.#deps.jobs.drop(id);
    this.#deps.videos.update(id, {
      status: "failed",
      progress: 0,
      error: message,
    });
    log.warn("job.failed", {
      videoId: id,
      attempts: job.attempts,
      error: message,
    });
    this.#changed();
  }

  #changed(): void {
    this.#deps.onChange?.();
  }
}
