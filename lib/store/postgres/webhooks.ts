/**
 * PostgreSQL {@link WebhookStore}: registered hooks (`webhooks`, events as `text[]`) and
 * their delivery log (`webhook_deliveries`, pruned to the newest entries per hook).
 *
 * @module
 */
import type {
  DeliveryRecord,
  NewWebhook,
  VideoEventType,
  WebhookRecord,
  WebhookStore,
} from "../ports.ts";
import { DELIVERY_LOG_KEEP } from "../events.ts";
import { pgText, type Sql } from "./db.ts";

interface HookRow {
  id: string;
  url: string;
  events: VideoEventType[];
  secret: string;
  created_at: Date;
}

interface DeliveryRow {
  seq: number;
  webhook_id: string;
  message_id: string;
  event: string;
  attempt: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  at: Date;
}

function hook(r: HookRow): WebhookRecord {
  return {
    id: r.id,
    url: r.url,
    events: r.events,
    secret: r.secret,
    createdAt: r.created_at.toISOString(),
  };
}

/** The `webhooks` and `webhook_deliveries` tables. */
export class PgWebhookStore implements WebhookStore {
  #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  async create(h: NewWebhook, now = new Date()): Promise<WebhookRecord> {
    const [row] = await this.#sql<HookRow[]>`
      INSERT INTO webhooks (id, url, events, secret, created_at)
      VALUES (${h.id}, ${h.url}, ${h.events}::text[], ${h.secret}, ${now})
      RETURNING *`;
    return hook(row);
  }

  async get(id: string): Promise<WebhookRecord | null> {
    const [row] = await this.#sql<HookRow[]>`
      SELECT * FROM webhooks WHERE id = ${id}`;
    return row ? hook(row) : null;
  }

  async list(): Promise<WebhookRecord[]> {
    const rows = await this.#sql<
      HookRow[]
    >`SELECT * FROM webhooks ORDER BY seq`;
    return rows.map(hook);
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.#sql`DELETE FROM webhooks WHERE id = ${id}`;
    return r.count > 0;
  }

  async subscribers(
    type: VideoEventType,
    at: string,
  ): Promise<WebhookRecord[]> {
    const rows = await this.#sql<HookRow[]>`
      SELECT * FROM webhooks WHERE ${type} = ANY(events) AND created_at <= ${at}
      ORDER BY seq`;
    return rows.map(hook);
  }

  async logDelivery(d: Omit<DeliveryRecord, "seq">): Promise<void> {
    const r = await this.#sql`
      INSERT INTO webhook_deliveries (webhook_id, message_id, event, attempt, status_code,
        duration_ms, error, at)
      SELECT ${d.webhookId}, ${d.messageId}, ${d.event}, ${d.attempt}, ${d.statusCode},
        ${Math.round(d.durationMs)}, ${pgText(d.error)}, ${d.at}
      WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ${d.webhookId})`;
    if (r.count > 0) {
      await this.#sql`
        DELETE FROM webhook_deliveries WHERE webhook_id = ${d.webhookId} AND seq <= (
          SELECT seq FROM webhook_deliveries WHERE webhook_id = ${d.webhookId}
          ORDER BY seq DESC LIMIT 1 OFFSET ${DELIVERY_LOG_KEEP})`;
    }
  }

  async deliveries(
    webhookId: string,
    limit: number,
  ): Promise<DeliveryRecord[]> {
    const rows = await this.#sql<DeliveryRow[]>`
      SELECT * FROM webhook_deliveries WHERE webhook_id = ${webhookId}
      ORDER BY seq DESC LIMIT ${limit}`;
    return rows.map((r) => ({
      seq: r.seq,
      webhookId: r.webhook_id,
      messageId: r.message_id,
      event: r.event,
      attempt: r.attempt,
      statusCode: r.status_code,
      durationMs: r.duration_ms,
      error: r.error,
      at: r.at.toISOString(),
    }));
  }
}
