/**
 * SQLite {@link WebhookStore}: registered hooks (`webhooks`, events as a JSON array) and
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
import type { Db } from "./db.ts";

interface HookRow {
  id: string;
  url: string;
  events: string;
  secret: string;
  created_at: string;
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
  at: string;
}

function hook(r: HookRow): WebhookRecord {
  return {
    id: r.id,
    url: r.url,
    events: JSON.parse(r.events) as VideoEventType[],
    secret: r.secret,
    createdAt: r.created_at,
  };
}

/** The `webhooks` and `webhook_deliveries` tables. */
export class SqliteWebhookStore implements WebhookStore {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  create(h: NewWebhook, now = new Date()): Promise<WebhookRecord> {
    const row = this.#db.prepare(
      `INSERT INTO webhooks (id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?)
       RETURNING *`,
    ).get(
      h.id,
      h.url,
      JSON.stringify(h.events),
      h.secret,
      now.toISOString(),
    ) as unknown as HookRow;
    return Promise.resolve(hook(row));
  }

  get(id: string): Promise<WebhookRecord | null> {
    const row = this.#db.prepare("SELECT * FROM webhooks WHERE id = ?").get(
      id,
    ) as HookRow | undefined;
    return Promise.resolve(row ? hook(row) : null);
  }

  list(): Promise<WebhookRecord[]> {
    const rows = this.#db.prepare("SELECT * FROM webhooks ORDER BY rowid")
      .all() as unknown as HookRow[];
    return Promise.resolve(rows.map(hook));
  }

  delete(id: string): Promise<boolean> {
    const r = this.#db.prepare("DELETE FROM webhooks WHERE id = ?").run(id);
    return Promise.resolve(r.changes > 0);
  }

  subscribers(type: VideoEventType, at: string): Promise<WebhookRecord[]> {
    const rows = this.#db.prepare(
      `SELECT * FROM webhooks w WHERE created_at <= ?
         AND EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value = ?)
       ORDER BY rowid`,
    ).all(at, type) as unknown as HookRow[];
    return Promise.resolve(rows.map(hook));
  }

  logDelivery(d: Omit<DeliveryRecord, "seq">): Promise<void> {
    const r = this.#db.prepare(
      `INSERT INTO webhook_deliveries (webhook_id, message_id, event, attempt, status_code,
         duration_ms, error, at)
       SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?)`,
    ).run(
      d.webhookId,
      d.messageId,
      d.event,
      d.attempt,
      d.statusCode,
      Math.round(d.durationMs),
      d.error,
      d.at,
      d.webhookId,
    );
    if (r.changes > 0) {
      this.#db.prepare(
        `DELETE FROM webhook_deliveries WHERE webhook_id = ? AND seq <= (
           SELECT seq FROM webhook_deliveries WHERE webhook_id = ?
           ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      ).run(d.webhookId, d.webhookId, DELIVERY_LOG_KEEP);
    }
    return Promise.resolve();
  }

  deliveries(webhookId: string, limit: number): Promise<DeliveryRecord[]> {
    const rows = this.#db.prepare(
      `SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY seq DESC LIMIT ?`,
    ).all(webhookId, limit) as unknown as DeliveryRow[];
    return Promise.resolve(rows.map((r) => ({
      seq: r.seq,
      webhookId: r.webhook_id,
      messageId: r.message_id,
      event: r.event,
      attempt: r.attempt,
      statusCode: r.status_code,
      durationMs: r.duration_ms,
      error: r.error,
      at: r.at,
    })));
  }
}
