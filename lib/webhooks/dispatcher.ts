/**
 * Drains the transition outbox into delivery jobs. The video store writes each transition
 * to `video_events` in the same transaction as the transition; the dispatcher of any process
 * claims the oldest event (only the head, so one dispatcher at a time and strictly in
 * order), queues one `webhook` job per subscribed hook and removes the event. A job's order
 * key is hook + video, so a later event of a video never reaches a hook before an earlier
 * one; its dedupe key is event + hook, so re-dispatching after a crash queues nothing twice
 * while the first job waits.
 *
 * @module
 */
import type {
  JobQueue,
  VideoEvent,
  VideoEvents,
  VideoRecord,
  WebhookStore,
} from "../store/ports.ts";
import { log } from "../core/log.ts";
import { type DeliveryPayload, WEBHOOK } from "./delivery_job.ts";

/** What the dispatcher needs. */
export interface DispatcherDeps {
  events: VideoEvents;
  webhooks: WebhookStore;
  jobs: JobQueue;
  /** Video JSON of a record (the API's presentation). */
  present: (v: VideoRecord) => unknown;
  /** This process's name in leases. */
  holder: string;
  /** How long a claimed event is ours; default 30 s. */
  leaseMs?: number;
  /** How often to look when not woken; default 500 ms. */
  pollMs?: number;
  /** Jobs were queued (wake the local delivery worker). */
  queued?: () => void;
}

/** The webhook body of an event: `{ type, timestamp, data: Video }`. */
export function eventBody(e: VideoEvent, present: DispatcherDeps["present"]) {
  return JSON.stringify({
    type: e.type,
    timestamp: e.at,
    data: present(e.video),
  });
}

/** Moves outbox events into delivery jobs. */
export class Dispatcher {
  #deps: DispatcherDeps;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = true;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
  }

  /** Starts polling (and drains at once). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#timer = setInterval(() => this.wake(), this.#deps.pollMs ?? 500);
    this.wake();
  }

  /** Drains the outbox now (a transition was just written). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain().catch((err) => {
      log.warn("webhook.dispatch_failed", { error: String(err) });
    }).finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
    });
  }

  /** Stops; an event being dispatched is finished first. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#running;
  }

  async #drain(): Promise<void> {
    const { events, holder } = this.#deps;
    const leaseMs = this.#deps.leaseMs ?? 30_000;
    while (!this.#stopped) {
      const e = await events.claimEvent(holder, leaseMs);
      if (!e) return;
      const n = await this.#fanOut(e);
      await events.eventDone(e.seq, holder);
      if (n > 0) this.#deps.queued?.();
    }
  }

  async #fanOut(e: VideoEvent): Promise<number> {
    const hooks = await this.#deps.webhooks.subscribers(e.type, e.at);
    if (hooks.length === 0) return 0;
    const body = eventBody(e, this.#deps.present);
    for (const hook of hooks) {
      const payload: DeliveryPayload = {
        webhookId: hook.id,
        messageId: e.id,
        type: e.type,
        body,
        queuedAt: Date.now(),
      };
      await this.#deps.jobs.enqueue({
        kind: WEBHOOK,
        payload,
        orderKey: `${hook.id}:${e.videoId}`,
        dedupeKey: `${e.id}:${hook.id}`,
      });
    }
    return hooks.length;
  }
}
