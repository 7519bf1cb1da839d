/**
 * Webhooks: the use cases (`service.ts`), the SSRF policy (`targets.ts`), Standard Webhooks
 * signing (`sign.ts`), the outbox dispatcher (`dispatcher.ts`), the `webhook` delivery job
 * (`delivery_job.ts`) and its retry schedule (`schedule.ts`). See docs/architecture.md,
 * "Webhooks".
 *
 * @module
 */
export {
  parseEvents,
  TEST_EVENT,
  WebhookService,
  type WebhookServiceDeps,
} from "./service.ts";
export {
  checkTarget,
  isPrivateAddress,
  parseTargetUrl,
  type Resolver,
  systemResolver,
  type TargetPolicy,
} from "./targets.ts";
export { newSecret, signedHeaders } from "./sign.ts";
export { Dispatcher, type DispatcherDeps, eventBody } from "./dispatcher.ts";
export {
  type DeliveryDeps,
  deliveryJob,
  type DeliveryPayload,
  WEBHOOK,
} from "./delivery_job.ts";
export {
  attemptTimes,
  RETRY_BASE_MS,
  RETRY_WINDOW_MS,
  retryDelayMs,
} from "./schedule.ts";
