/** The upload errors that depend on the server's limits: size and disk space. */
import { DomainError } from "../core/errors.ts";
import { formatBytes } from "../core/format.ts";

/**
 * The 413 `too_large` error, with the real size when it is known.
 *
 * @example tooLarge(2e9, 2.3e9).message // "File is 2.3 GB; the limit is 2.0 GB (MAX_UPLOAD_BYTES)."
 */
export function tooLarge(maxBytes: number, sizeBytes?: number): DomainError {
  const limit = `${formatBytes(maxBytes)} (MAX_UPLOAD_BYTES)`;
  return new DomainError(
    "too_large",
    sizeBytes === undefined
      ? `File is larger than the ${limit} limit.`
      : `File is ${formatBytes(sizeBytes)}; the limit is ${limit}.`,
  );
}

/** Maps a file-system write error to what the client sees: out of space is a 507. */
export function writeError(err: unknown): unknown {
  const code = (err as { code?: string } | null)?.code;
  if (code === "ENOSPC" || code === "EDQUOT" || code === "EFBIG") {
    return new DomainError(
      "insufficient_storage",
      "The server has no room for this upload right now. Try again later or upload a smaller file.",
    );
  }
  return err;
}
