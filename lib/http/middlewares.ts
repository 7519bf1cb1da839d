/**
 * Framework-free middleware factories for cross-cutting concerns. Each returns a named inner
 * function over {@link HttpContext}, a structural subset of a Fresh context, so this module
 * knows neither the framework nor the app; `routes/_middleware.ts` composes them.
 *
 * @module
 */
import { maybeCompress } from "./compress.ts";
import { log } from "../core/log.ts";

/** What these middlewares need of a request context (a Fresh context has all of it). */
export interface HttpContext<State = unknown> {
  readonly req: Request;
  readonly url: URL;
  readonly route?: string | null;
  readonly info?: Deno.ServeHandlerInfo;
  state: State;
  next(): Promise<Response>;
}

/** A middleware over {@link HttpContext}. */
export type HttpMiddleware<State = unknown> = (
  ctx: HttpContext<State>,
) => Promise<Response>;

/**
 * The Content-Security-Policy every page gets: no inline script, nothing from elsewhere —
 * except media from `mediaOrigin` when it is another host (a CDN) — and no framing, except
 * by `frameAncestors` (origins, or `*`) when given (the embed player).
 */
export function contentSecurityPolicy(
  mediaOrigin: string | null = null,
  frameAncestors: string[] | null = null,
): string {
  const media = mediaOrigin ? ` ${new URL(mediaOrigin).origin}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob:${media}`,
    // data: for the empty `<track src="data:,WEBVTT">` dash.js adds for each text track.
    `media-src 'self' blob: data:${media}`,
    `connect-src 'self'${media}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `frame-ancestors ${
      frameAncestors?.length ? frameAncestors.join(" ") : "'none'"
    }`,
    "form-action 'self'",
  ].join("; ");
}

/** Adds a request id (`X-Request-Id`, honoured when sent) and logs one JSON line per request. */
export function requestLog<S extends { requestId: string }>(): HttpMiddleware<
  S
> {
  return async function requestLog(ctx) {
    const started = performance.now();
    ctx.state.requestId = ctx.req.headers.get("x-request-id")?.slice(0, 64) ||
      crypto.randomUUID();
    let status = 500;
    try {
      const res = await ctx.next();
      status = res.status;
      try {
        res.headers.set("x-request-id", ctx.state.requestId);
      } catch { /* immutable headers (e.g. a fetched response) */ }
      return res;
    } finally {
      log.info("request", {
        method: ctx.req.method,
        path: ctx.url.pathname,
        route: ctx.route ?? null,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        requestId: ctx.state.requestId,
      });
    }
  };
}

/** Options of {@link securityHeaders}. */
export interface SecurityHeaderOptions<S> {
  /** The CSP of an HTML response; default {@link contentSecurityPolicy}(). */
  csp?: (ctx: HttpContext<S>) => string;
  /** True for pages other sites may frame: no `X-Frame-Options: DENY` (the CSP decides). */
  framable?: (ctx: HttpContext<S>) => boolean;
}

/** Security headers on every response; CSP and `X-Frame-Options` on HTML pages. */
export function securityHeaders<S>(
  opts: SecurityHeaderOptions<S> = {},
): HttpMiddleware<S> {
  return async function securityHeaders(ctx) {
    const res = await ctx.next();
    const h = res.headers;
    try {
      h.set("x-content-type-options", "nosniff");
      h.set("referrer-policy", "strict-origin-when-cross-origin");
      h.set("cross-origin-opener-policy", "same-origin");
      h.set("permissions-policy", "camera=(), microphone=(), geolocation=()");
      if (h.get("content-type")?.startsWith("text/html")) {
        h.set(
          "content-security-policy",
          opts.csp?.(ctx) ?? contentSecurityPolicy(),
        );
        if (!opts.framable?.(ctx)) h.set("x-frame-options", "DENY");
      }
    } catch { /* immutable headers */ }
    return res;
  };
}

/** gzip/brotli for text responses when the client accepts it (never for SSE or media). */
export function compression<S>(): HttpMiddleware<S> {
  return async function compression(ctx) {
    return maybeCompress(ctx.req, await ctx.next());
  };
}

/**
 * Wraps a whole handler (static files and built assets are answered before any
 * `_middleware`) so every response carries `nosniff`.
 */
export function withBaseHeaders(
  handler: (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response>,
): (req: Request, info?: Deno.ServeHandlerInfo) => Promise<Response> {
  return async function withBaseHeaders(req, info) {
    const res = await handler(req, info);
    try {
      res.headers.set("x-content-type-options", "nosniff");
    } catch { /* immutable headers */ }
    return res;
  };
}
