/** JSON responses and bodies for the API. */
import { ApiError } from "./errors.ts";

/** A JSON response (`no-store`: API answers change all the time). */
export function json(data: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  return new Response(JSON.stringify(data), { ...init, headers });
}

/** Reads a JSON object body, or throws a 400 the client can act on. */
export async function readJsonObject(
  req: Request,
  maxBytes = 64 * 1024,
): Promise<
  Record<string, unknown>
> {
  const text = await req.text();
  if (text.length > maxBytes) {
    throw new ApiError("bad_request", "The JSON body is too large.");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", "The body must be valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError("bad_request", "The body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}
