/**
 * The title rule, in one place for both upload paths and `PATCH /api/videos/:id`: control
 * characters and runs of white space become one space, the result is trimmed, and it must be
 * 1–200 characters long, counted by code point (so 150 emoji are 150 characters).
 *
 * @module
 */
import { DomainError } from "../core/errors.ts";

/** Longest title accepted, in characters (code points). */
export const MAX_TITLE_CHARS = 200;

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators and bidi
// overrides that let a title display as something it is not.
const UNSAFE_CHARS =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function clean(raw: string): string {
  return raw.replace(UNSAFE_CHARS, " ").replace(/\s+/g, " ").trim();
}

function tooLong(): DomainError {
  return new DomainError(
    "bad_request",
    `The title is too long; use at most ${MAX_TITLE_CHARS} characters.`,
  );
}

/**
 * Parses the optional title sent with an upload: cleaned; `null` when absent or blank.
 * Throws `bad_request` when it is longer than 200 characters.
 *
 * @example parseTitle("  a\tb ") // "a b"
 */
export function parseTitle(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const title = clean(raw);
  if (!title) return null;
  if ([...title].length > MAX_TITLE_CHARS) throw tooLong();
  return title;
}

/** Checks a title from `PATCH` (required): a string of 1–200 characters once cleaned. */
export function validateTitle(raw: unknown): string {
  if (typeof raw !== "string") {
    throw new DomainError(
      "bad_request",
      'Send a JSON body like {"title": "My video"}.',
    );
  }
  const title = parseTitle(raw);
  if (title === null) {
    throw new DomainError(
      "bad_request",
      `A title must be 1 to ${MAX_TITLE_CHARS} characters long.`,
    );
  }
  return title;
}

/** Default title from a file name: the name without its extension. */
export function titleFromFilename(name: string): string {
  const base = clean(name.replace(/\.[^.]*$/, ""));
  return [...(base || "Untitled video")].slice(0, MAX_TITLE_CHARS).join("");
}
