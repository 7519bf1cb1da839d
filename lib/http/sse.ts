/**
 * Server-sent events: a `text/event-stream` Response fed by a small sender object.
 */

/** Writes to an open event stream; every method is a no-op once the stream has ended. */
export interface SseSender {
  /** Sends `event: <name>` with `data: <JSON of data>`. */
  event(name: string, data: unknown): void;
  /** Sends a comment line (ignored by EventSource; keeps proxies from timing out). */
  comment(text: string): void;
  /** Ends the stream and runs the cleanup. */
  close(): void;
  /** True once the stream has ended (closed here, cancelled by the client or aborted). */
  readonly closed: boolean;
}

/** Options for {@link sseResponse}. */
export interface SseOptions {
  /** Ends the stream when aborted (e.g. server shutdown). */
  signal?: AbortSignal;
  /** Interval of `: ping` comments; default 15 000 ms, 0 turns them off. */
  heartbeatMs?: number;
  /** Extra response headers. */
  headers?: HeadersInit;
}

const encoder = new TextEncoder();

/**
 * Starts an event stream. `start` gets the sender and may return a cleanup function, which
 * runs exactly once: on `close()`, on client disconnect, or when `signal` aborts.
 *
 * @example return sseResponse((send) => {
 *   const off = bus.on((video) => send.event("video", video));
 *   return off;
 * }, { signal: req.signal });
 */
export function sseResponse(
  start: (send: SseSender) => void | (() => void),
  opts: SseOptions = {},
): Response {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let cleanup: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const finish = (closeStream: boolean) => {
    if (closed) return;
    closed = true;
    if (heartbeat !== undefined) clearInterval(heartbeat);
    opts.signal?.removeEventListener("abort", onAbort);
    if (closeStream) {
      try {
        controller.close();
      } catch {
        // Already closed or errored by the client going away.
      }
    }
    const fn = cleanup;
    cleanup = undefined;
    fn?.();
  };
  const onAbort = () => finish(true);

  const write = (text: string) => {
    if (closed) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      finish(false);
    }
  };

  const send: SseSender = {
    event(name, data) {
      const json = JSON.stringify(data ?? null);
      write(`event: ${name.replace(/[\r\n]/g, "")}\ndata: ${json}\n\n`);
    },
    comment(text) {
      write(`: ${text.replace(/[\r\n]+/g, " ")}\n\n`);
    },
    close() {
      finish(true);
    },
    get closed() {
      return closed;
    },
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (opts.signal?.aborted) {
        finish(true);
        return;
      }
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      let fn: void | (() => void);
      try {
        fn = start(send);
      } catch (err) {
        finish(true);
        throw err;
      }
      if (typeof fn === "function") {
        // `start` may already have closed the stream; the cleanup still runs once.
        if (closed) fn();
        else cleanup = fn;
      }
      const every = opts.heartbeatMs ?? 15_000;
      if (!closed && every > 0) {
        heartbeat = setInterval(() => send.comment("ping"), every);
      }
    },
    cancel() {
      finish(false);
    },
  });

  const headers = new Headers(opts.headers);
  headers.set("content-type", "text/event-stream; charset=utf-8");
  headers.set("cache-control", "no-cache");
  headers.set("x-accel-buffering", "no");
  return new Response(body, { headers });
}
