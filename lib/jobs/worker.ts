/**
 * The worker loop: claims jobs of the kinds it has handlers for, runs them with bounded
 * concurrency, keeps each lease alive while it runs, and retries with exponential backoff
 * or gives up with the handler's reason. On start it recovers jobs whose holder on this
 * machine is gone and kills the child process they left behind.
 *
 * What a job does is its handler's business (`lib/videos/transcode_job.ts` for transcodes);
 * this module knows only the queue.
 *
 * @module
 */
import type { ClaimedJob, JobKind, JobQueue } from "../store/ports.ts";
import { isProcessAlive, killProcessGroup } from "../media/process.ts";
import { log } from "../core/log.ts";

/** Why a running job was stopped from outside. */
export type StopReason = "cancelled" | "shutdown" | "lost";

/** What a handler gets besides the job. */
export interface JobContext {
  /** Aborted when the job is cancelled, its lease is lost or the worker shuts down. */
  signal: AbortSignal;
  /** Records the job's child processes (each its own process group) for crash recovery. */
  setPids(pids: number[]): Promise<void>;
}

/** Runs one kind of job. */
export interface JobHandler {
  /** Does the work; throwing counts as a failed attempt. */
  run(job: ClaimedJob, ctx: JobContext): Promise<void>;
  /** The sentence a person sees for a failed attempt. Default: the error's message. */
  describe?(err: unknown): string;
  /** True when the job's subject is gone (deleted): a failure then is neither retried nor reported. */
  obsolete?(job: ClaimedJob): Promise<boolean>;
  /** An attempt failed (before the retry or give-up decision). */
  attemptFailed?(job: ClaimedJob, reason: string): Promise<void>;
  /** An attempt failed and the job will run again after `delayMs`. */
  retrying?(job: ClaimedJob, reason: string, delayMs: number): Promise<void>;
  /** Out of attempts: the job is dropped. */
  failed?(job: ClaimedJob, reason: string): Promise<void>;
  /** The job stopped without finishing (cancelled, lease lost, obsolete): clean up. */
  stopped?(job: ClaimedJob): Promise<void>;
  /** Said when a job was claimed more often than allowed (its holders kept dying). */
  interruptedReason?: string;
  /**
   * The kind's own retry schedule: the wait before the next attempt after a failed one, or
   * null to give up. Replaces the worker's backoff and `maxAttempts` for this kind.
   */
  retryDelay?(job: ClaimedJob): number | null;
}

/** Options of {@link Worker}. */
export interface WorkerOptions {
  jobs: JobQueue;
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Jobs run at once. */
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  /** Base of the retry backoff (attempt n waits base * 2^(n-1)); default 5 s. */
  retryBaseMs?: number;
  /** Longest backoff; default 5 min. */
  maxDelayMs?: number;
  /** How often to look for due jobs when idle; default 1 s. */
  pollMs?: number;
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  reason: StopReason | null;
  done: Promise<void>;
}

/**
 * Holders of the workers running in this process (a process may run several: transcodes
 * and webhook deliveries), so one's recovery never takes the other's jobs as orphans.
 */
const liveHolders = new Set<string>();

/** This machine's name, used in job holders to tell our own dead holders from others'. */
function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}

/** Runs jobs from the queue. */
export class Worker {
  #opts: WorkerOptions;
  #kinds: JobKind[];
  #running = new Map<string, Running>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = true;
  #claiming = false;
  readonly host: string = hostName();
  readonly holder: string;

  constructor(opts: WorkerOptions) {
    this.#opts = opts;
    this.#kinds = Object.keys(opts.handlers) as JobKind[];
    this.holder = `${this.host}:${Deno.pid}:${crypto.randomUUID().slice(0, 8)}`;
  }

  /** Number of jobs this worker is running. */
  get active(): number {
    return this.#running.size;
  }

  /** Recovers orphaned jobs, then starts claiming. */
  async start(): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    liveHolders.add(this.holder);
    try {
      await this.recover();
    } catch (err) {
      log.error("job.recover_failed", { error: String(err) });
    }
    this.#timer = setInterval(() => this.wake(), this.#opts.pollMs ?? 1000);
    this.wake();
  }

  /**
   * Requeues at once the running jobs held by processes of this machine that are gone, and
   * kills any child they left behind (it would otherwise go on writing).
   */
  async recover(): Promise<number> {
    let n = 0;
    for (const job of await this.#opts.jobs.running(`${this.host}:`)) {
      const holderPid = Number(job.holder.split(":")[1]);
      if (job.holder === this.holder || liveHolders.has(job.holder)) continue;
      if (holderPid !== Deno.pid && isProcessAlive(holderPid)) continue;
      for (const pid of job.pids) {
        if (isProcessAlive(pid)) killProcessGroup(pid, { expect: "ffmpeg" });
      }
      await this.#opts.jobs.reclaim(job.id, job.holder);
      log.info("job.recovered", {
        jobId: job.id,
        kind: job.kind,
        videoId: job.videoId,
        deadHolder: job.holder,
      });
      n++;
    }
    return n;
  }

  /** Claims and starts due jobs while there is room. */
  wake(): void {
    if (this.#stopped || this.#claiming) return;
    this.#claiming = true;
    this.#fill().finally(() => this.#claiming = false);
  }

  /** Stops the running jobs of a video (it was deleted). */
  cancelVideo(videoId: string): void {
    for (const r of this.#running.values()) {
      if (r.job.videoId !== videoId) continue;
      r.reason = "cancelled";
      r.controller.abort();
    }
  }

  /** Stops claiming, aborts running jobs and hands them back to the queue. */
  async stop(): Promise<void> {
    this.#stopped = true;
    liveHolders.delete(this.holder);
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const all = [...this.#running.values()];
    for (const r of all) {
      r.reason ??= "shutdown";
      r.controller.abort();
    }
    await Promise.allSettled(all.map((r) => r.done));
  }

  async #fill(): Promise<void> {
    const { jobs, concurrency, leaseMs } = this.#opts;
    while (!this.#stopped && this.#running.size < concurrency) {
      let job: ClaimedJob | null;
      try {
        job = await jobs.claim(this.holder, leaseMs, this.#kinds);
      } catch (err) {
        log.error("job.claim_failed", { error: String(err) });
        return;
      }
      if (!job) return;
      const claimed = job;
      const entry: Running = {
        job: claimed,
        controller: new AbortController(),
        reason: null,
        done: Promise.resolve(),
      };
      this.#running.set(claimed.id, entry);
      entry.done = this.#run(entry).catch((err) => {
        // The store failed while recording the outcome; the lease will expire and the
        // job runs again.
        log.error("job.outcome_failed", {
          jobId: claimed.id,
          error: String(err),
        });
      }).finally(() => {
        this.#running.delete(claimed.id);
        this.wake();
      });
    }
  }

  async #run(entry: Running): Promise<void> {
    const { jobs, leaseMs, maxAttempts } = this.#opts;
    const { job } = entry;
    const handler = this.#opts.handlers[job.kind]!;
    if (!handler.retryDelay && job.attempts > maxAttempts) {
      await this.#giveUp(
        handler,
        job,
        handler.interruptedReason ??
          "The job was interrupted too many times.",
      );
      return;
    }
    const renewMs = Math.min(leaseMs / 3, 2000);
    const lease = setInterval(async () => {
      let held = false;
      try {
        held = await jobs.renew(job.id, job.holder, leaseMs);
      } catch {
        return; // busy database: try again next tick; the lease has slack
      }
      if (!held && !entry.controller.signal.aborted) {
        entry.reason ??= "lost";
        entry.controller.abort();
      }
    }, renewMs);
    const ctx: JobContext = {
      signal: entry.controller.signal,
      setPids: (pids) => jobs.setPids(job.id, job.holder, pids),
    };
    try {
      await handler.run(job, ctx);
      clearInterval(lease);
      await jobs.complete(job.id, job.holder);
    } catch (err) {
      clearInterval(lease);
      await this.#afterError(handler, entry, err);
    } finally {
      clearInterval(lease);
    }
  }

  async #afterError(
    handler: JobHandler,
    entry: Running,
    err: unknown,
  ): Promise<void> {
    const { jobs, maxAttempts } = this.#opts;
    const { job, reason } = entry;
    if (reason === "shutdown") {
      await jobs.release(job.id, job.holder);
      log.info("job.released", { jobId: job.id, videoId: job.videoId });
      return;
    }
    if (
      reason === "cancelled" || reason === "lost" ||
      await handler.obsolete?.(job)
    ) {
      await handler.stopped?.(job);
      log.info("job.stopped", {
        jobId: job.id,
        videoId: job.videoId,
        reason: reason ?? "obsolete",
      });
      return;
    }
    const message = handler.describe?.(err) ??
      (err instanceof Error ? err.message : String(err));
    log.warn("job.error", {
      jobId: job.id,
      kind: job.kind,
      videoId: job.videoId,
      attempt: job.attempts,
      error: message,
    });
    await handler.attemptFailed?.(job, message);
    const delay = handler.retryDelay
      ? handler.retryDelay(job)
      : job.attempts >= maxAttempts
      ? null
      : Math.min(
        (this.#opts.retryBaseMs ?? 5000) * 2 ** (job.attempts - 1),
        this.#opts.maxDelayMs ?? 5 * 60_000,
      );
    if (delay === null) {
      await this.#giveUp(handler, job, message);
      return;
    }
    await jobs.retryLater(job.id, job.holder, message, delay);
    await handler.retrying?.(job, message, delay);
  }

  async #giveUp(
    handler: JobHandler,
    job: ClaimedJob,
    reason: string,
  ): Promise<void> {
    await this.#opts.jobs.drop(job.id);
    await handler.failed?.(job, reason);
    log.warn("job.failed", {
      jobId: job.id,
      kind: job.kind,
      videoId: job.videoId,
      attempts: job.attempts,
      error: reason,
    });
  }
}
