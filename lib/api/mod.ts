/**
 * The delivery layer's library: Video JSON, domain error → HTTP, the API guards, SSE of
 * video changes, stream serving, health and metrics, and the request state routes see.
 *
 * @module
 */
export { errorResponse, statusOf, toErrorResponse } from "./errors.ts";
export { DomainError, type ErrorCode } from "./errors.ts";
export { readJsonObject } from "./json.ts";
export { presentVideo, type Rendition, type Video } from "./present.ts";
export {
  type EventDeps,
  eventDeps,
  libraryEvents,
  videoEvents,
} from "./events.ts";
export { serveStream } from "./streams.ts";
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
