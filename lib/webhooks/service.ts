/**
 * The webhook use cases behind `/api/webhooks`: register (URL and events validated, the
 * target checked against the SSRF policy, a signing secret made), list, read, delete, the
 * delivery log, and a test event sent through the same queue as real ones.
 *
 * @module
 */
import { DomainError } from "../core/errors.ts";
import { isVideoId, newId } from "../core/ids.ts";
import { log } from "../core/log.ts";
import type {
  DeliveryRecord,
  JobQueue,
  VideoEventType,
  WebhookRecord,
  WebhookStore,
} from "../store/ports.ts";
import { VIDEO_EVENT_TYPES } from "../store/events.ts";
import { checkTarget, type TargetPolicy } from "./targets.ts";
import { newSecret } from "./sign.ts";
import { type DeliveryPayload, WEBHOOK } from "./delivery_job.ts";

/** The type of the event `POST /api/webhooks/:id/test` sends. */
export const TEST_EVENT = "webhook.test";

/** What the service needs. */
export interface WebhookServiceDeps {
  webhooks: WebhookStore;
  jobs: JobQueue;
  policy: TargetPolicy;
  /** A delivery was queued (wake the local delivery worker). */
  queued?: () => void;
}

const allowed = VIDEO_EVENT_TYPES.join(", ");
const bad = (message: string) => new DomainError("bad_request", message);
const notFound = () => new DomainError("not_found", "No webhook has this id.");

/** Parses `events`: a non-empty array of known event types, duplicates dropped. */
export function parseEvents(raw: unknown): VideoEventType[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    throw bad(
      `The webhook needs "events": a non-empty array of event types; allowed: ${allowed}.`,
    );
  }
  const out: VideoEventType[] = [];
  for (const e of raw) {
    if (
      typeof e !== "string" ||
      !(VIDEO_EVENT_TYPES as readonly string[]).includes(e)
    ) {
      throw bad(
        `${JSON.stringify(e)} is not an event type; allowed: ${allowed}.`,
      );
    }
    if (!out.includes(e as VideoEventType)) out.push(e as VideoEventType);
  }
  return out;
}

/** Webhook use cases. */
export class WebhookService {
  #deps: WebhookServiceDeps;

  constructor(deps: WebhookServiceDeps) {
    this.#deps = deps;
  }

  /** Registers a hook from a parsed JSON body `{ url, events }`; the result has the secret. */
  async create(body: Record<string, unknown>): Promise<WebhookRecord> {
    const events = parseEvents(body.events);
    const url = await checkTarget(body.url, this.#deps.policy);
    const hook = await this.#deps.webhooks.create({
      id: newId(),
      url: url.href,
      events,
      secret: newSecret(),
    });
    log.info("webhook.created", { webhookId: hook.id, url: url.origin });
    return hook;
  }

  /** Every hook, oldest first. */
  async list(): Promise<WebhookRecord[]> {
    return await this.#deps.webhooks.list();
  }

  /** One hook, or `not_found` (also for a malformed id). */
  async get(id: string): Promise<WebhookRecord> {
    const hook = isVideoId(id) ? await this.#deps.webhooks.get(id) : null;
    if (!hook) throw notFound();
    return hook;
  }

  /** Removes a hook, its log and the deliveries still queued for it. */
  async remove(id: string): Promise<void> {
    if (!isVideoId(id) || !(await this.#deps.webhooks.delete(id))) {
      throw notFound();
    }
    // Every delivery job's order key starts with its hook's id (see dispatcher.ts).
    await this.#deps.jobs.dropOrdered(`${id}:`);
    log.info("webhook.deleted", { webhookId: id });
  }

  /** A hook's delivery log, newest first (at most `limit`, 1–1000). */
  async deliveries(id: string, limit = 100): Promise<DeliveryRecord[]> {
    await this.get(id);
    return await this.#deps.webhooks.deliveries(id, limit);
  }

  /** Queues a `webhook.test` event to this hook; returns its message id. */
  async test(id: string): Promise<string> {
    const hook = await this.get(id);
    const messageId = crypto.randomUUID();
    const body = JSON.stringify({
      type: TEST_EVENT,
      timestamp: new Date().toISOString(),
      data: { webhookId: hook.id, url: hook.url },
    });
    const payload: DeliveryPayload = {
      webhookId: hook.id,
      messageId,
      type: TEST_EVENT,
      body,
      queuedAt: Date.now(),
    };
    await this.#deps.jobs.enqueue({
      kind: WEBHOOK,
      payload,
      orderKey: `${hook.id}:test`,
    });
    this.#deps.queued?.();
    return messageId;
  }
}
