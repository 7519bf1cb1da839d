/**
 * What routes get on `ctx.state`: the request id, and the web process's parts (built once by
 * the composition root, `lib/app/web.ts`, and set by an app-level middleware). Also the
 * app's `define` helpers, typed with this state (Fresh 2 convention).
 *
 * @module
 */
import { createDefine } from "../fresh/mod.ts";
import type { BlobStore } from "../storage/port.ts";
import type {
  CaptionService,
  ChangeFeed,
  Intake,
  PlaybackSigner,
  VideoService,
} from "../videos/mod.ts";
import type { StreamAccess } from "./streams.ts";
import type { WebhookService } from "../webhooks/mod.ts";
import type { HealthDeps } from "./health.ts";
import type { MetricsDeps } from "./metrics.ts";

/** The settings the delivery layer reads (a subset of the process configuration). */
export interface ApiSettings {
  /** Absolute base for URLs in JSON, or null for site-relative ones. */
  publicUrl: string | null;
  /** When set, every write needs it (or a session). */
  apiToken: string | null;
  maxUploadBytes: number;
  /** Origins allowed to GET/HEAD `/stream`. */
  corsOrigins: string[];
  /** Per client per minute; 0 turns a limit off. */
  rateLimitUploads: number;
  rateLimitWrites: number;
  /** Origins allowed to frame `/embed/…`; `["*"]`: any. */
  embedOrigins: string[];
}

/** The web process's parts, as routes use them. */
export interface WebDeps {
  settings: ApiSettings;
  videos: VideoService;
  /** Captions of a video: add/replace, list, delete. */
  captions: CaptionService;
  intake: Intake;
  webhooks: WebhookService;
  feed: ChangeFeed;
  blobs: BlobStore;
  /** Signs and checks playback links of private videos. */
  signer: PlaybackSigner;
  /** A video's visibility and whether it still grows, cached briefly for stream requests. */
  streamAccess(id: string): Promise<StreamAccess | null>;
  health: HealthDeps;
  metrics: MetricsDeps;
  /** Aborted when the process shuts down (ends SSE streams so shutdown can finish). */
  closing: AbortSignal;
}

/** Per-request state. */
export interface State {
  /** Echoed as `X-Request-Id` and in the request log line. */
  requestId: string;
  /** Set by the composition root's middleware before any route middleware runs. */
  web: WebDeps;
}

/** Typing helpers for routes: `define.handlers`, `define.page`, `define.middleware`. */
export const define = createDefine<State>();
