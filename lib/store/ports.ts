/**
 * The store ports: what the app needs from a database, as async interfaces. Each table is
 * written by exactly one port; a backend implements all of them (`sqlite/` today) and must
 * pass the contract suite in `tests/store/contract.ts`. See docs/architecture.md, "Ports".
 *
 * @module
 */

/** Lifecycle of a video. */
export type VideoStatus = "queued" | "processing" | "ready" | "failed";

/**
 * Who may see a video: `public` (listed, for everyone), `unlisted` (not listed; anyone with
 * the link plays it), `private` (only the owner, and holders of a signed playback link).
 */
export type Visibility = "public" | "unlisted" | "private";

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
  visibility: Visibility;
  progress: number;
  error: string | null;
  createdAt: string;
  sourceName: string;
  sizeBytes: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  renditions: RenditionState[];
  /** The video's captions, by language tag (read from {@link CaptionStore}'s table). */
  captions: CaptionInfo[];
  media: unknown;
  /** Change revision of the last write (see {@link ChangeLog}). */
  rev: number;
}

/** Fields set when a video is created (status `queued`). */
export interface NewVideo {
  id: string;
  title: string;
  /** Default `public`. */
  visibility?: Visibility;
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
    | "visibility"
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
  /**
   * Newest first; `beforeSeq` continues after the last item of a previous page; `only`
   * keeps the videos of these visibilities (default: all).
   */
  list(
    limit: number,
    beforeSeq?: number,
    only?: Visibility[],
  ): Promise<VideoRecord[]>;
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

/** One caption of a video as Video JSON lists it. */
export interface CaptionInfo {
  /** Canonical BCP 47 tag (`en`, `pt-BR`); one caption per language. */
  lang: string;
  /** What the owner called it ("English (SDH)"), or null. */
  label: string | null;
}

/** A stored caption. */
export interface CaptionRecord extends CaptionInfo {
  videoId: string;
  createdAt: string;
}

/**
 * Caption metadata (the WebVTT file itself is a blob). Deleted with its video (cascade).
 * Writes do not bump the video's revision: the caller does (see `Lifecycle.captionsChanged`).
 */
export interface CaptionStore {
  /** Adds, or replaces, the caption of `lang`; null when the video does not exist. */
  put(
    videoId: string,
    caption: CaptionInfo,
    now?: Date,
  ): Promise<CaptionRecord | null>;
  /** The captions of a video, by language tag. */
  list(videoId: string): Promise<CaptionRecord[]>;
  /** Removes one; false when it was absent. */
  delete(videoId: string, lang: string): Promise<boolean>;
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
  /**
   * Jobs sharing an order key run one at a time in enqueue order: a job is not claimed
   * while an earlier job with the same key exists (queued, waiting to retry or running).
   */
  orderKey?: string | null;
  /**
   * While a job with this key exists, enqueueing another with the same key adds nothing
   * and returns the existing job's id (an idempotent enqueue).
   */
  dedupeKey?: string | null;
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
  /** Removes every job whose order key starts with `prefix` (a deleted webhook's deliveries). */
  dropOrdered(prefix: string): Promise<void>;
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

/** The webhook event types (the API contract). */
export type VideoEventType =
  | "video.created"
  | "video.playable"
  | "video.ready"
  | "video.failed"
  | "video.deleted";

/**
 * One transition of a video, kept in the outbox (`video_events`). The video store writes it
 * in the same transaction as the transition itself, and only while some webhook subscribes
 * to its type, so each transition is recorded exactly once and never lost.
 */
export interface VideoEvent {
  /** Outbox order: transitions are dispatched in this order. */
  seq: number;
  /** Unique id (a UUID): the `webhook-id` of every delivery of this event. */
  id: string;
  type: VideoEventType;
  videoId: string;
  /** The video as the transition left it (as it was, for `video.deleted`); `media` is null. */
  video: VideoRecord;
  /** When the transition happened (ISO 8601). */
  at: string;
}

/** The outbox of video transitions, drained in order by one dispatcher at a time. */
export interface VideoEvents {
  /**
   * Claims the oldest event for `leaseMs`, or null when there is none or another holder's
   * lease on it is still running (so events are dispatched strictly in order).
   */
  claimEvent(
    holder: string,
    leaseMs: number,
    now?: number,
  ): Promise<VideoEvent | null>;
  /** Removes a dispatched event; false when `holder` no longer holds it. */
  eventDone(seq: number, holder: string): Promise<boolean>;
}

/** A registered webhook. */
export interface WebhookRecord {
  id: string;
  url: string;
  events: VideoEventType[];
  /** Standard Webhooks signing secret (`whsec_…`). */
  secret: string;
  createdAt: string;
}

/** Fields of a new webhook. */
export type NewWebhook = Omit<WebhookRecord, "createdAt">;

/** One delivery attempt as logged. */
export interface DeliveryRecord {
  /** Log order (newest is highest). */
  seq: number;
  webhookId: string;
  /** The message id (`webhook-id`), the same on every attempt of one event. */
  messageId: string;
  /** Event type (`video.ready`, `webhook.test`, …). */
  event: string;
  /** 1 for the first try. */
  attempt: number;
  /** The receiver's HTTP status, or null when there was no answer. */
  statusCode: number | null;
  durationMs: number;
  /** Why the attempt failed (timeout, refused address, non-2xx), or null on success. */
  error: string | null;
  /** When the attempt started (ISO 8601). */
  at: string;
}

/** Registered webhooks and their delivery log (`webhooks`, `webhook_deliveries`). */
export interface WebhookStore {
  create(h: NewWebhook, now?: Date): Promise<WebhookRecord>;
  get(id: string): Promise<WebhookRecord | null>;
  /** Oldest first. */
  list(): Promise<WebhookRecord[]>;
  /** Removes the hook and its delivery log; false when it was absent. */
  delete(id: string): Promise<boolean>;
  /** Hooks subscribed to `type` that existed at `at` (ISO 8601), oldest first. */
  subscribers(type: VideoEventType, at: string): Promise<WebhookRecord[]>;
  /** Appends to a hook's log, keeping its newest `DELIVERY_LOG_KEEP` (events.ts) entries. */
  logDelivery(d: Omit<DeliveryRecord, "seq">): Promise<void>;
  /** A hook's log, newest first. */
  deliveries(webhookId: string, limit: number): Promise<DeliveryRecord[]>;
}

/** One backend: every port, plus its health check and shutdown. */
export interface Stores {
  videos: VideoStore;
  captions: CaptionStore;
  jobs: JobQueue;
  counters: Counters;
  changes: ChangeLog;
  /** The transition outbox (written by the video store with each transition). */
  events: VideoEvents;
  webhooks: WebhookStore;
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
