/**
 * The API's error type and its JSON shape: `{ "error": { "code", "message" } }`.
 *
 * Throw an {@link ApiError} anywhere below a route; the API middleware turns it into a
 * response with the right status. Anything else becomes a 500 `internal` with no details.
 */

/** Stable error codes of the HTTP API (see DESIGN.md). */
export type ErrorCode =
  | "bad_request"
  | "no_file"
  | "empty_file"
  | "too_large"
  | "unsupported_type"
  | "not_a_video"
  | "input_limits"
  | "not_found"
  | "method_not_allowed"
  | "not_failed"
  | "unauthorized"
  | "forbidden"
  | "rate_limited"
  | "insufficient_storage"
  | "internal";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  no_file: 400,
  empty_file: 400,
  too_large: 413,
  unsupported_type: 415,
  not_a_video: 415,
  input_limits: 422,
  not_found: 404,
  method_not_allowed: 405,
  not_failed: 409,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  insufficient_storage: 507,
  internal: 500,
};

/** An error a client can act on; `status` follows from `code`. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: HeadersInit | undefined;

  constructor(code: ErrorCode, message: string, headers?: HeadersInit) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = STATUS[code];
    this.headers = headers;
  }
}

/** The HTTP status that belongs to an error code. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** A JSON error response. */
export function errorResponse(
  code: ErrorCode,
  message: string,
  headers?: HeadersInit,
): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify({ error: { code, message } }), {
    status: STATUS[code],
    headers: h,
  });
}

/** Turns anything thrown into a JSON error response; unknown errors never leak details. */
export function toErrorResponse(err: unknown): Response {
  if (err instanceof ApiError) {
    return errorResponse(err.code, err.message, err.headers);
  }
  return errorResponse(
    "internal",
    "Something went wrong on the server. Please try again.",
  );
}

/** Formats a byte count for messages: `2.3 GB`, `512 KB`. */
export function formatBytes(n: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
