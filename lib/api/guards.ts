/**
 * Guards for state-changing API requests: same-origin check, per-client rate limits, and
 * the `API_TOKEN` requirement. Each is a middleware factory reading the process's settings
 * from `ctx.state.web`; `routes/api/_middleware.ts` composes them.
 *
 * @module
 */
import { DomainError } from "../core/errors.ts";
import { isAuthorized } from "../http/auth.ts";
import type { HttpMiddleware } from "../http/middlewares.ts";
import { RateLimiter } from "../http/rate_limit.ts";
import type { State } from "./state.ts";

type Mw = HttpMiddleware<State>;

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** True for methods that change state. */
export function isWrite(method: string): boolean {
  return !SAFE.has(method);
}

/**
 * Refuses cross-site writes (403): `Sec-Fetch-Site: cross-site`, or an `Origin` whose host
 * is not this site's (nor `PUBLIC_URL`'s). Clients that send neither header (curl) pass.
 */
export function sameOrigin(): Mw {
  return function sameOrigin(ctx) {
    if (isWrite(ctx.req.method)) {
      const publicUrl = ctx.state.web.settings.publicUrl;
      const publicHost = publicUrl ? new URL(publicUrl).host : null;
      const site = ctx.req.headers.get("sec-fetch-site");
      const origin = ctx.req.headers.get("origin");
      let foreign = site === "cross-site";
      if (!foreign && origin) {
        let host: string | null = null;
        try {
          host = new URL(origin).host;
        } catch { /* "null" or garbage */ }
        const own = ctx.req.headers.get("host") ?? ctx.url.host;
        foreign = host === null || (host !== own && host !== publicHost);
      }
      if (foreign) {
        throw new DomainError(
          "forbidden",
          "Cross-site requests may not change anything here; use this site's own pages.",
        );
      }
    }
    return ctx.next();
  };
}

/** Options of {@link rateLimit}: which paths are uploads, which are not counted. */
export interface RateLimitPaths {
  /** POSTs here count against the uploads limit. */
  uploads: string[];
  /** Writes under these prefixes are not counted (tus data PATCHes of a counted upload). */
  exempt: string[];
}

/** Per-client limits on uploads and other writes per minute (429 + `Retry-After`). */
export function rateLimit(
  paths: RateLimitPaths,
  limiter: RateLimiter = new RateLimiter(),
): Mw {
  const bucketOf = (
    req: Request,
    path: string,
  ): "uploads" | "writes" | null => {
    if (!isWrite(req.method)) return null;
    if (req.method === "POST" && paths.uploads.includes(path)) return "uploads";
    if (paths.exempt.some((p) => path.startsWith(p))) return null;
    return "writes";
  };
  return function rateLimit(ctx) {
    const bucket = bucketOf(ctx.req, ctx.url.pathname);
    const { rateLimitUploads, rateLimitWrites } = ctx.state.web.settings;
    const limit = bucket === "uploads" ? rateLimitUploads : rateLimitWrites;
    if (bucket && limit > 0) {
      const addr = ctx.info?.remoteAddr as Deno.NetAddr | undefined;
      const client = addr?.hostname ?? "unknown";
      const wait = limiter.hit(`${bucket}:${client}`, limit);
      if (wait > 0) {
        throw new DomainError(
          "rate_limited",
          `Too many ${
            bucket === "uploads" ? "uploads" : "changes"
          } from your address; ` +
            `try again in ${wait} s.`,
          { "retry-after": String(wait) },
        );
      }
    }
    return ctx.next();
  };
}

/**
 * With `API_TOKEN` set, every write needs the token or a session (401), except `open`
 * paths; so do reads under the `closed` prefixes (webhooks: their URLs and logs are the
 * owner's business).
 */
export function requireToken(
  open: string[] = [],
  closed: string[] = [],
): Mw {
  const isClosed = (path: string) =>
    closed.some((p) => path === p || path.startsWith(`${p}/`));
  return async function requireToken(ctx) {
    const path = ctx.url.pathname;
    if (
      (isWrite(ctx.req.method) || isClosed(path)) && !open.includes(path) &&
      !(await isAuthorized(ctx.req, ctx.state.web.settings.apiToken))
    ) {
      throw new DomainError(
        "unauthorized",
        "This server needs a token for changes: send Authorization: Bearer <API_TOKEN> " +
          "or sign in at /login.",
      );
    }
    return ctx.next();
  };
}
