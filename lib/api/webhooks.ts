/**
 * Webhook JSON of the API: a hook (its secret only in the answer to its creation) and one
 * entry of its delivery log.
 *
 * @module
 */
import type {
  DeliveryRecord,
  VideoEventType,
  WebhookRecord,
} from "../store/ports.ts";

/** A webhook as the API shows it. */
export interface Webhook {
  id: string;
  url: string;
  events: VideoEventType[];
  createdAt: string;
  /** Only in the `201` answer of `POST /api/webhooks`; never listed again. */
  secret?: string;
}

/** One delivery attempt as the API shows it. */
export interface Delivery {
  /** When the attempt started (ISO 8601). */
  at: string;
  event: string;
  /** The `webhook-id` header (the same on every attempt of one event). */
  messageId: string;
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  ok: boolean;
}

/** A hook's JSON; `withSecret` only when answering its creation. */
export function presentWebhook(h: WebhookRecord, withSecret = false): Webhook {
  const out: Webhook = {
    id: h.id,
    url: h.url,
    events: h.events,
    createdAt: h.createdAt,
  };
  if (withSecret) out.secret = h.secret;
  return out;
}

/** A log entry's JSON. */
export function presentDelivery(d: DeliveryRecord): Delivery {
  return {
    at: d.at,
    event: d.event,
    messageId: d.messageId,
    attempt: d.attempt,
    statusCode: d.statusCode,
    durationMs: d.durationMs,
    error: d.error,
    ok: d.error === null,
  };
}
