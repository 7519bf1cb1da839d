/**
 * The store ports: what the app needs from a database, as async interfaces. Each table is
 * written by exactly one port; a backend implements all of them (`sqlite/` today) and must
 * pass the contract suite in `tests/store/contract.ts`. See docs/architecture.md, "Ports".
 *
 * @module
 */

/** Lifecycle of a video. */
export type VideoStatus = "queued" | "processing" | "ready" | "failed";

/** One rendition of the ladder: planned (`ready: false`, no bitrate yet) or encoded. */
export interface RenditionState {
  width: number;
  height: number;
  /** Measured bits/s of video plus audio; null until the rendition is ready. */
  bitrate: number | null;
  ready: boolean;
}

/** A video as stored. `media` is the probe result kept for the transcoder. */
export interface VideoRecord {
  /** Insertion order, for stable pagination. */
  seq: number;
  id: string;
  title: string;
  status: VideoStatus;
  /** True once one rendition can be played from its start (before `ready`, while encoding). */
  playable: boolean;
  progress: number;
  error: string | null;
  createdAt: string;
  sourceName: string;
  sizeBytes: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  renditions: RenditionState[];
  media: unknown;
  /** Change revision of the last write (see {@link ChangeLog}). */
  rev: number;
}

/** Fields set when a video is created (status `queued`). */
export interface NewVideo {
  id: string;
  title: string;
  sourceName: string;
  sizeBytes: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  media: unknown;
}

/** Fields a change may set. */
export type VideoPatch = Partial<
  Pick<
    VideoRecord,
    | "title"
    | "status"
    | "playable"
    | "progress"
    | "error"
    | "renditions"
    | "durationSec"
    | "width"
    | "height"
  >
>;

/** Video records. Every write bumps the change revision. */
export interface VideoStore {
  /** Inserts a new video in state `queued`. */
  create(v: NewVideo, now?: Date): Promise<VideoRecord>;
  /** One video, or null. */
  get(id: string): Promise<VideoRecord | null>;
  /** Newest first; `beforeSeq` continues after the last item of a previous page. */
  list(limit: number, beforeSeq?: number): Promise<VideoRecord[]>;
  /**
   * Applies a patch; returns the updated record, or null when the video is gone. With
   * `onlyIf`, the patch applies only while the video's status is one of them (else null).
   */
  update(
    id: string,
    patch: VideoPatch,
    onlyIf?: VideoStatus[],
  ): Promise<VideoRecord | null>;
  /** Removes the record; its jobs go with it (cascade). False when it was absent. */
  delete(id: string): Promise<boolean>;
  /** Videos by status (health and metrics). */
  countByStatus(): Promise<Record<VideoStatus, number>>;
  /** Ids of videos in one of `statuses` that have no job of `kind` (recovery). */
  withoutJob(statuses: VideoStatus[], kind: JobKind): Promise<string[]>;
}

/** What a job does; one durable queue serves them all. */
export type JobKind = "transcode" | "webhook";

/** A job to add. */
export interface NewJob {
  kind: JobKind;
  /** The video it belongs to (deleted with it), or null. */
  videoId?: string | null;
  payload?: unknown;
  /** Earliest start (ms since epoch); default now. */
  runAt?: number;
}

/** A job as handed to a worker. */
export interface ClaimedJob {
  id: string;
  kind: JobKind;
  videoId: string | null;
  payload: unknown;
  /** Including this one. */
  attempts: number;
  holder: string;
  /** The error of the previous attempt, if any. */
  lastError: string | null;
}

/** A running job whose holder may be gone (for crash recovery). */
export interface RunningJob {
  id: string;
  kind: JobKind;
  videoId: string | null;
  holder: string;
  /** Child processes recorded by {@link JobQueue.setPids} (each leads its own process group). */
  pids: number[];
  leaseUntil: number;
}

/** Queue depth for one kind or all. */
export interface QueueDepth {
  queued: number;
  processing: number;
}

/**
 * The durable job queue: claimed atomically with a lease so any number of processes share
 * it and each job runs exactly once at a time. Every mutation of a held job names its
 * holder and does nothing when the job is no longer held by it.
 */
export interface JobQueue {
  /** Adds a job; returns its id. */
  enqueue(job: NewJob): Promise<string>;
  /** Claims the next due job of `kinds` (queued and due, or running with an expired lease). */
  claim(
    holder: string,
    leaseMs: number,
    kinds: JobKind[],
    now?: number,
  ): Promise<ClaimedJob | null>;
  /** Extends the lease; false when the job is no longer held by `holder` (deleted, stolen). */
  renew(
    id: string,
    holder: string,
    leaseMs: number,
    now?: number,
  ): Promise<boolean>;
  /** Records the child pids of a running job (replacing earlier ones) so a recovering process can kill them. */
  setPids(id: string, holder: string, pids: number[]): Promise<void>;
  /** Removes a finished job; false when it was no longer held by `holder`. */
  complete(id: string, holder: string): Promise<boolean>;
  /** Puts the job back to run after `delayMs`, recording the error. */
  retryLater(
    id: string,
    holder: string,
    error: string,
    delayMs: number,
    now?: number,
  ): Promise<void>;
  /** Hands a held job back at once without counting the attempt (shutdown). */
  release(id: string, holder: string, now?: number): Promise<void>;
  /** Puts a job whose holder died back at once (the attempt still counts). */
  reclaim(id: string, holder: string, now?: number): Promise<void>;
  /** Removes a job whatever its state. */
  drop(id: string): Promise<void>;
  /** Removes every job of a video (of one kind, when given). */
  dropForVideo(videoId: string, kind?: JobKind): Promise<void>;
  /** Running jobs whose holder starts with `prefix` (this machine's holders). */
  running(prefix?: string): Promise<RunningJob[]>;
  /** Queued and running jobs (of one kind, when given). */
  depth(kind?: JobKind): Promise<QueueDepth>;
  /**
   * Optional push (backends with notifications, e.g. PostgreSQL): calls `onJob` whenever a
   * job may have become claimable (enqueued, retried, released, reclaimed), whichever
   * process did it. Resolves once listening, to the function that stops it. Without it,
   * workers poll.
   */
  listen?(onJob: () => void): Promise<() => Promise<void>>;
}

/** Names of the shared counters. */
export type CounterName =
  | "uploads_total"
  | "upload_bytes_total"
  | "uploads_rejected_total"
  | "ffmpeg_failures_total"
  | "transcodes_total"
  | "transcode_seconds_total"
  | "transcoded_video_seconds_total";

/** Counters shared by every process on the database, so `/metrics` counts all their work. */
export interface Counters {
  /** Adds `by` (default 1). Never throws: a metric must not fail a request. */
  add(name: CounterName, by?: number): Promise<void>;
  /** Every counter. */
  all(): Promise<Partial<Record<CounterName, number>>>;
}

/** What changed after a revision: updated videos and deleted ids, in revision order. */
export interface Changes {
  videos: VideoRecord[];
  deleted: string[];
  /** The revision to ask from next time. */
  rev: number;
}

/** The change feed's source: a revision counter bumped by every video write. */
export interface ChangeLog {
  /** The latest revision. */
  currentRev(): Promise<number>;
  /** Everything that changed after `rev`. */
  changesSince(rev: number): Promise<Changes>;
  /**
   * Optional push (backends with notifications, e.g. PostgreSQL): calls `onChange` after
   * video writes, other processes' included (then read `changesSince`). Resolves once
   * listening, to the function that stops it. Without it, the change feed polls.
   */
  listen?(onChange: () => void): Promise<() => Promise<void>>;
}

/** One backend: every port, plus its health check and shutdown. */
export interface Stores {
  videos: VideoStore;
  jobs: JobQueue;
  counters: Counters;
  changes: ChangeLog;
  /** Resolves when the database answers; rejects with the reason otherwise. */
  ping(): Promise<void>;
  /**
   * Optional (backends shared by several machines, e.g. PostgreSQL): waits until this
   * process holds the lock `name` against every other process, and resolves to its release.
   * A process that dies releases its locks. Rejects when `signal` aborts first. Without it,
   * locks are per process (enough when every process is on one machine).
   */
  lock?(name: string, signal: AbortSignal): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
