/**
 * Domain error → HTTP: the status of every error code, and the JSON error response.
 * Lower layers throw {@link DomainError}; only this module knows statuses.
 *
 * @module
 */
import { DomainError, type ErrorCode } from "../core/errors.ts";
import { jsonError } from "../http/json.ts";

export { DomainError, type ErrorCode };

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

/** The HTTP status that belongs to an error code. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** A JSON error response for `code`. */
export function errorResponse(
  code: ErrorCode,
  message: string,
  headers?: HeadersInit,
): Response {
  return jsonError(STATUS[code], code, message, headers);
}

/** Turns anything thrown into a JSON error response; unknown errors never leak details. */
export function toErrorResponse(err: unknown): Response {
  if (err instanceof DomainError) {
    return errorResponse(err.code, err.message, err.headers);
  }
  return errorResponse(
    "internal",
    "Something went wrong on the server. Please try again.",
  );
}
