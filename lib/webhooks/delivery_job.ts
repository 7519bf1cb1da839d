/**
 * The `webhook` job handler: one POST of one event to one hook, signed per Standard
 * Webhooks, to a target checked again against the SSRF policy (DNS may have changed since
 * the hook was created), with no redirects followed and a 10 s timeout. Every attempt is
 * logged; a failure throws so the worker retries on {@link retryDelayMs}'s schedule.
 *
 * @module
 */
import type { ClaimedJob, WebhookStore } from "../store/ports.ts";
import type { JobHandler } from "../jobs/worker.ts";
import { isDomainError } from "../core/errors.ts";
import { checkTarget, type TargetPolicy } from "./targets.ts";
import { signedHeaders } from "./sign.ts";
import { RETRY_BASE_MS, RETRY_WINDOW_MS, retryDelayMs } from "./schedule.ts";

/** The job kind of deliveries. */
export const WEBHOOK = "webhook";

/** What a delivery job carries: everything needed to send, fixed when it was queued. */
export interface DeliveryPayload {
  webhookId: string;
  /** `webhook-id`: the event's id, the same on every attempt. */
  messageId: string;
  /** Event type (`video.ready`, `webhook.test`, …). */
  type: string;
  /** The JSON body, exactly as signed. */
  body: string;
  /** When the job was queued (ms since epoch): the retry window starts here. */
  queuedAt: number;
}

/** What the handler needs. */
export interface DeliveryDeps {
  webhooks: WebhookStore;
  policy: TargetPolicy;
  /** Longest wait for the receiver's answer; default 10 s. */
  timeoutMs?: number;
  /** First retry wait; default 30 s. */
  retryBaseMs?: number;
  /** How long an event is retried; default 24 h. */
  retryWindowMs?: number;
}

class DeliveryError extends Error {}

function reason(err: unknown, timeoutMs: number): string {
  if (err instanceof DeliveryError || isDomainError(err)) {
    return (err as Error).message;
  }
  if (err instanceof DOMException && err.name === "TimeoutError") {
    return `The receiver did not answer within ${timeoutMs / 1000} s.`;
  }
  const message = err instanceof Error ? err.message : String(err);
  return `The receiver could not be reached: ${
    message.replace(/\s+/g, " ").slice(0, 300)
  }`;
}

/** The `webhook` job handler. */
export function deliveryJob(deps: DeliveryDeps): JobHandler {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  return {
    async run(job: ClaimedJob, ctx) {
      const p = job.payload as DeliveryPayload;
      const hook = await deps.webhooks.get(p.webhookId);
      if (!hook) return; // deleted: nothing is owed to it any more
      const at = new Date();
      const t0 = performance.now();
      let statusCode: number | null = null;
      let error: string | null = null;
      try {
        const url = await checkTarget(hook.url, deps.policy);
        const res = await fetch(url, {
          method: "POST",
          headers: signedHeaders(hook.secret, p.messageId, p.body, at),
          body: p.body,
          redirect: "manual",
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
        });
        statusCode = res.status;
        await res.body?.cancel().catch(() => {});
        if (res.status < 200 || res.status > 299) {
          throw new DeliveryError(
            res.status >= 300 && res.status < 400
              ? `The receiver answered ${res.status} (a redirect; redirects are not followed).`
              : `The receiver answered ${res.status}.`,
          );
        }
      } catch (err) {
        // Stopped from outside (shutdown, lost lease): not the receiver's failure, not logged.
        if (ctx.signal.aborted) throw err;
        error = reason(err, timeoutMs);
      }
      await deps.webhooks.logDelivery({
        webhookId: hook.id,
        messageId: p.messageId,
        event: p.type,
        attempt: job.attempts,
        statusCode,
        durationMs: performance.now() - t0,
        error,
        at: at.toISOString(),
      });
      if (error !== null) throw new DeliveryError(error);
    },
    retryDelay(job) {
      const p = job.payload as DeliveryPayload;
      return retryDelayMs(
        job.attempts,
        p.queuedAt,
        Date.now(),
        deps.retryBaseMs ?? RETRY_BASE_MS,
        deps.retryWindowMs ?? RETRY_WINDOW_MS,
      );
    },
    async obsolete(job) {
      const p = job.payload as DeliveryPayload;
      return (await deps.webhooks.get(p.webhookId)) === null;
    },
  };
}
