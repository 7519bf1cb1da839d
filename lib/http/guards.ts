/**
 * Guards for state-changing API requests: same-origin check, per-client rate limits, and
 * the `API_TOKEN` requirement. Each is a middleware factory; `routes/api/_middleware.ts`
 * composes them.
 */
import type { FreshContext } from "../fresh/mod.ts";
import type { State } from "../define.ts";
import type { Config } from "../config.ts";
import { ApiError } from "./errors.ts";
import { isAuthorized } from "./auth.ts";

type Mw = (ctx: FreshContext<State>) => Promise<Response>;

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** True for methods that change state. */
export function isWrite(method: string): boolean {
  return !SAFE.has(method);
}

/**
 * Refuses cross-site writes (403): `Sec-Fetch-Site: cross-site`, or an `Origin` whose host
 * is not this site's. Clients that send neither header (curl, scripts) pass.
 */
export function sameOrigin(config: () => Config): Mw {
  return function sameOrigin(ctx) {
    if (isWrite(ctx.req.method)) {
      const publicUrl = config().publicUrl;
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
        throw new ApiError(
          "forbidden",
          "Cross-site requests may not change anything here; use this site's own pages.",
        );
      }
    }
    return ctx.next();
  };
}

/** A fixed-window counter per client and bucket. */
export class RateLimiter {
  #windows = new Map<string, { start: number; count: number }>();
  #windowMs: number;

  constructor(windowMs = 60_000) {
    this.#windowMs = windowMs;
  }

  /** Counts one hit; returns seconds to wait when over `limit`, else 0. */
  hit(key: string, limit: number, now = Date.now()): number {
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.#windowMs) {
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
      if (this.#windows.size > 50_000) this.#sweep(now);
    }
    w.count++;
    return w.count > limit
      ? Math.ceil((w.start + this.#windowMs - now) / 1000)
      : 0;
  }

  #sweep(now: number): void {
    for (const [k, w] of this.#windows) {
      if (now - w.start >= this.#windowMs) this.#windows.delete(k);
    }
  }
}

/** Which limit a request counts against, or null for none. */
function bucketOf(req: Request, path: string): "uploads" | "writes" | null {
  if (!isWrite(req.method)) return null;
  if (
    req.method === "POST" && (path === "/api/videos" || path === "/api/uploads")
  ) {
    return "uploads";
  }
  // tus data PATCHes belong to an upload already counted at its creation.
  if (path.startsWith("/api/uploads/")) return null;
  return "writes";
}

/** Per-client limits on uploads and other writes per minute (429 + `Retry-After`). */
export function rateLimit(
  config: () => Config,
  limiter = new RateLimiter(),
): Mw {
  return function rateLimit(ctx) {
    const bucket = bucketOf(ctx.req, ctx.url.pathname);
    const limit = bucket === "uploads"
      ? config().rateLimitUploads
      : config().rateLimitWrites;
    if (bucket && limit > 0) {
      const addr = ctx.info?.remoteAddr as Deno.NetAddr | undefined;
      const client = addr?.hostname ?? "unknown";
      const wait = limiter.hit(`${bucket}:${client}`, limit);
      if (wait > 0) {
        throw new ApiError(
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

/** With `API_TOKEN` set, every write needs the token or a session (401 otherwise). */
export function requireToken(config: () => Config): Mw {
  return async function requireToken(ctx) {
    const open = ctx.url.pathname === "/api/session";
    if (
      isWrite(ctx.req.method) && !open &&
      !(await isAuthorized(ctx.req, config().apiToken))
    ) {
      throw new ApiError(
        "unauthorized",
        "This server needs a token for changes: send Authorization: Bearer <API_TOKEN> " +
          "or sign in at /login.",
      );
    }
    return ctx.next();
  };
}
