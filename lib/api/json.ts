/** JSON request bodies for the API: parsed once at the boundary, or a 400 to act on. */
import { DomainError } from "../core/errors.ts";

/** Reads a JSON object body, or throws `bad_request`. */
export async function readJsonObject(
  req: Request,
  maxBytes = 64 * 1024,
): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.length > maxBytes) {
    throw new DomainError("bad_request", "The JSON body is too large.");
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DomainError("bad_request", "The body must be valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new DomainError("bad_request", "The body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}
