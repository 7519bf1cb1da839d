/**
 * The blob-store port: where originals and stream files live. Keys are `/`-separated paths
 * (`uploads/<id>/original.mp4`, `streams/<id>/master.m3u8`); a video's objects share the
 * prefixes named in `lib/videos/keys.ts`. A backend implements this interface (`local/`
 * today) and must pass `tests/storage/contract.ts`. See docs/architecture.md, "Ports".
 *
 * @module
 */

/** Facts about one stored object. */
export interface BlobInfo {
  key: string;
  size: number;
  /** Last change, when the backend knows it. */
  mtime: Date | null;
}

/** A byte range, inclusive on both ends (as in HTTP `Range`). */
export interface ByteRange {
  start: number;
  end: number;
}

/** Options of {@link BlobStore.serve}. */
export interface ServeOptions {
  cacheControl?: string;
  /** Added to every response (CORS). */
  headers?: Headers;
}

/** Originals and stream files. */
export interface BlobStore {
  /** Stores a local file under `key`. With `move`, the store may take the file itself. */
  putFile(key: string, path: string, opts?: { move?: boolean }): Promise<void>;
  /** Stores a stream under `key` (written whole before it becomes visible). */
  putStream(key: string, body: ReadableStream<Uint8Array>): Promise<void>;
  /** The object's bytes (all, or `range`), or null when it does not exist. */
  get(
    key: string,
    range?: ByteRange,
  ): Promise<{ body: ReadableStream<Uint8Array>; size: number } | null>;
  /** Facts about one object, or null. */
  stat(key: string): Promise<BlobInfo | null>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<BlobInfo[]>;
  /** Removes every object whose key starts with `prefix` (nothing there is fine). */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * Publishes the files of a local folder as the objects under `prefix`, replacing what was
   * there; the folder is consumed. Readers see the old set or the new one, never a mix
   * where the backend can promise it (local disk: one rename).
   */
  publishDir(dir: string, prefix: string): Promise<void>;
  /**
   * A local path holding the object's bytes, for tools that need a file (ffmpeg): the
   * stored file itself where the backend is a disk, else a copy made in `scratchDir`.
   * Null when the object does not exist.
   */
  localPath(key: string, scratchDir: string): Promise<string | null>;
  /**
   * Answers a GET/HEAD for `<prefix><rawPath>` (rawPath still percent-encoded, from a URL)
   * with Range, ETag and 304 support; null when it is missing or the path is not allowed.
   */
  serve(
    req: Request,
    prefix: string,
    rawPath: string,
    opts?: ServeOptions,
  ): Promise<Response | null>;
  /** Free bytes where new objects go, or null when the backend has no such limit. */
  freeBytes(): Promise<number | null>;
}
