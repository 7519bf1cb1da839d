/**
 * Middleware factories for cross-cutting concerns; `routes/_middleware.ts` composes them.
 * Each returns a named inner function, like Fresh's `trailingSlashes(mode)`.
 */
import type { FreshContext } from "../fresh/mod.ts";
import type { State } from "../define.ts";
import { maybeCompress } from "./compress.ts";
import { log } from "../log.ts";

type Mw = (ctx: FreshContext<State>) => Promise<Response>;

/**
 * The Content-Security-Policy every page gets: no inline script, nothing from elsewhere —
 * except stream files from `PUBLIC_URL`'s origin when it points at another host (a CDN).
 */
export function contentSecurityPolicy(publicUrl: string | null = null): string {
  const media = publicUrl ? ` ${new URL(publicUrl).origin}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob:${media}`,
    `media-src 'self' blob:${media}`,
    `connect-src 'self'${media}`,
    "worker-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join("; ");
}

/** Adds a request id and logs one JSON line per request (method, path, status, ms). */
export function requestLog(): Mw {
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
        route: ctx.route,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        requestId: ctx.state.requestId,
      });
    }
  };
}

/** Security headers on every response; CSP on HTML pages. */
export function securityHeaders(
  publicUrl: () => string | null = () => null,
): Mw {
  return async function securityHeaders(ctx) {
    const res = await ctx.next();
    const h = res.headers;
    try {
      h.set("x-content-type-options", "nosniff");
      h.set("referrer-policy", "strict-origin-when-cross-origin");
      h.set("cross-origin-opener-policy", "same-origin");
      h.set("permissions-policy", "camera=(), microphone=(), geolocation=()");
      if (h.get("content-type")?.startsWith("text/html")) {
        h.set("content-security-policy", contentSecurityPolicy(publicUrl()));
        h.set("x-frame-options", "DENY");
      }
    } catch { /* immutable headers */ }
    return res;
  };
}

/** gzip/brotli for text responses when the client accepts it (never for SSE or media). */
export function compression(): Mw {
  return async function compression(ctx) {
    return maybeCompress(ctx.req, await ctx.next());
  };
}

/**
 * Wraps the whole app (static files and built assets are answered before any
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
