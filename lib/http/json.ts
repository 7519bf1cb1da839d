/**
 * JSON responses, and the one JSON error envelope of the app:
 * `{ "error": { "code": "too_large", "message": "…" } }`.
 *
 * @module
 */

/** A JSON response (`no-store`: API answers change all the time). */
export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}

/** The JSON error envelope with `status`; never cached. */
export function jsonError(
  status: number,
  code: string,
  message: string,
  headers?: HeadersInit,
): Response {
  const h = new Headers(headers);
  h.set("cache-control", "no-store");
  return json({ error: { code, message } }, { status, headers: h });
}
