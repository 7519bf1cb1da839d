/**
 * Domain errors: a stable code and a sentence a person can act on. Every layer below the API
 * throws these; only `lib/api` knows which HTTP status belongs to which code.
 *
 * @module
 */

/** Stable error codes of the app (the API contract lists them with their statuses). */
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

/**
 * An error a client can act on.
 *
 * @example throw new DomainError("not_found", "No video has this id.");
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  /** Extra response headers the edge should send (e.g. `Retry-After`). */
  readonly headers: HeadersInit | undefined;

  constructor(code: ErrorCode, message: string, headers?: HeadersInit) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.headers = headers;
  }
}

/** True when `err` is a {@link DomainError} (optionally with one of `codes`). */
export function isDomainError(
  err: unknown,
  ...codes: ErrorCode[]
): err is DomainError {
  return err instanceof DomainError &&
    (codes.length === 0 || codes.includes(err.code));
}
