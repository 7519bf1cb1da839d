/**
 * Untrusted file names from upload requests: cleaned for display, checked against the
 * extension allowlist. A client's file name is never used as a path. Also the one
 * {@link ReceivedUpload} type both upload paths hand on.
 *
 * @module
 */
import { DomainError } from "../core/errors.ts";

/**
 * Cleans one optional text field of an upload (multipart field or tus metadata key): null
 * when absent; throws a `DomainError` to refuse it (the video layer's rules).
 */
export type FieldParser = (raw: string | null | undefined) => string | null;

/** The text fields an upload accepts besides the file, each with its parser. */
export type UploadFields = Record<string, FieldParser>;

/** Keeps a field as sent, trimmed. */
export const keepText: FieldParser = (raw) => raw?.trim() || null;

/** The fields accepted when none are given: a `title`, kept as sent. */
export const DEFAULT_FIELDS: UploadFields = { title: keepText };

/** What an upload endpoint hands on once the file is fully on disk. */
export interface ReceivedUpload {
  /** Where the bytes are, on the server (a random name; the caller moves it). */
  path: string;
  /** The client's file name, cleaned for display only. */
  filename: string;
  /** The optional fields the client sent (e.g. `title`), as their parsers cleaned them. */
  fields: Record<string, string>;
  sizeBytes: number;
}

/** Upload file extensions accepted (the tutorial's list); the dropzone's picker shows them. */
export const UPLOAD_EXTENSIONS: readonly string[] = [
  "mp4",
  "avi",
  "mov",
  "mkv",
  "wmv",
  "flv",
  "webm",
];

/** Longest display file name kept, in characters. */
export const MAX_FILENAME_CHARS = 255;

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators and bidi
// overrides that let a name display as something it is not.
const UNSAFE_CHARS =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Cleans a client-supplied file name for display: drops any directory part (both `/` and `\`),
 * control characters and NUL, trims, and caps the length at 255 characters (by code point).
 *
 * @example sanitizeFilename("C:\\Users\\me\\clip.MP4") // "clip.MP4"
 */
export function sanitizeFilename(raw: string): string {
  const base = raw.replace(/^.*[/\\]/s, "");
  const clean = base.replace(UNSAFE_CHARS, "").normalize("NFC").trim();
  if ([...clean].length <= MAX_FILENAME_CHARS) return clean;
  // Shorten the stem, not the extension: the extension decides whether it is accepted.
  const dot = clean.lastIndexOf(".");
  const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : "";
  const stem = ext ? clean.slice(0, dot) : clean;
  return truncateChars(stem, MAX_FILENAME_CHARS - [...ext].length) + ext;
}

/** The lower-case extension of a name without the dot, or `""` when it has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1
    ? name.slice(dot + 1).toLowerCase()
    : "";
}

/** Throws `unsupported_type` (415) unless the name's extension is in `allowed` (case-insensitive). */
export function checkExtension(
  filename: string,
  allowed: readonly string[],
): void {
  const ext = extensionOf(filename);
  if (ext && allowed.some((a) => a.toLowerCase() === ext)) return;
  const list = allowed.map((a) => `.${a.toLowerCase()}`).join(", ");
  const what = ext ? `.${ext} files are` : "Files without an extension are";
  throw new DomainError(
    "unsupported_type",
    `${what} not accepted. Upload a video file with one of these extensions: ${list}.`,
  );
}

function truncateChars(s: string, max: number): string {
  if (s.length <= max) return s;
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, max).join("");
}
