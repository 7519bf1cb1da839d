/** CORS for read-only media (`GET`/`HEAD` of `/stream`), limited to `CORS_ORIGINS`. */

/** CORS headers for a stream response; empty when the origin is not allowed. */
export function streamCorsHeaders(req: Request, allowed: string[]): Headers {
  const h = new Headers();
  const origin = req.headers.get("origin");
  if (allowed.includes("*")) h.set("access-control-allow-origin", "*");
  else if (origin && allowed.includes(origin)) {
    h.set("access-control-allow-origin", origin);
    h.set("vary", "Origin");
  } else return h;
  h.set("access-control-allow-methods", "GET, HEAD, OPTIONS");
  h.set(
    "access-control-allow-headers",
    "Range, If-None-Match, If-Modified-Since",
  );
  h.set(
    "access-control-expose-headers",
    "Content-Length, Content-Range, Accept-Ranges, ETag",
  );
  h.set("access-control-max-age", "86400");
  return h;
}
