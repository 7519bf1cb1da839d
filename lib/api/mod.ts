/**
 * The delivery layer's library: Video JSON, domain error → HTTP, the API guards, SSE of
 * video changes, stream serving, health and metrics, and the request state routes see.
 *
 * @module
 */
export { errorResponse, statusOf, toErrorResponse } from "./errors.ts";
export { DomainError, type ErrorCode } from "./errors.ts";
export { readJsonObject } from "./json.ts";
export {
  type Caption,
  presentCaption,
  presentVideo,
  type Rendition,
  streamBase,
  type StreamSigner,
  type Video,
} from "./present.ts";
export { type Viewer, viewerFor, viewerOf } from "./viewer.ts";
export {
  embedSize,
  type HeadTag,
  type PageHead,
  videoHead,
} from "./page_meta.ts";
export { oembed, type OEmbedDeps } from "./oembed.ts";
export {
  type EventDeps,
  eventDeps,
  libraryEvents,
  videoEvents,
} from "./events.ts";
export {
  serveStream,
  type StreamAccess,
  streamAccessCache,
} from "./streams.ts";
export { type Check, health, type HealthDeps, readiness } from "./health.ts";
export {
  httpMetrics,
  HttpStats,
  type MetricsDeps,
  renderMetrics,
} from "./metrics.ts";
export {
  isWrite,
  rateLimit,
  type RateLimitPaths,
  requireToken,
  sameOrigin,
} from "./guards.ts";
export { jsonErrors } from "./middleware.ts";
export {
  type Delivery,
  presentDelivery,
  presentWebhook,
  type Webhook,
} from "./webhooks.ts";
export { type ApiSettings, define, type State, type WebDeps } from "./state.ts";
