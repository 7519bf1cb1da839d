/**
 * Where the tus client remembers unfinished uploads (localStorage in the browser), keyed by
 * the file's name, size and modification time, so the same file chosen again after a page
 * reload resumes its upload.
 */

/** The part of the Web Storage API used (localStorage in the browser). */
export type StorageLike = Pick<
  Storage,
  "getItem" | "setItem" | "removeItem" | "key" | "length"
>;

/** The facts of a file that identify it across page loads. */
export interface FileFacts {
  name: string;
  size: number;
  lastModified: number;
}

/** What is remembered about an unfinished upload. */
export interface StoredUpload extends FileFacts {
  url: string;
  /** Bytes the server had when last heard from. */
  offset: number;
  /** When the upload was created (ms since epoch). */
  createdAt: number;
}

const KEY_PREFIX = "reel.tus::";
/** Remembered uploads older than this are dropped (the server expires them sooner). */
const MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/** The storage key of a file: name, size and modification time. */
export function fingerprint(file: FileFacts): string {
  return `${KEY_PREFIX}${file.name}::${file.size}::${file.lastModified}`;
}

/** The remembered upload of `file`, or null. */
export function loadUpload(
  storage: StorageLike,
  file: FileFacts,
): StoredUpload | null {
  return read(storage, fingerprint(file));
}

/**
 * Remembers (or updates) the upload of `file` at `url`. Keeps the first creation time while
 * the URL stays the same. Never throws: without storage, resuming after a reload just does
 * not work.
 */
export function saveUpload(
  storage: StorageLike,
  file: FileFacts,
  url: string,
  offset: number,
  now = Date.now(),
): void {
  const key = fingerprint(file);
  const prev = read(storage, key);
  const entry: StoredUpload = {
    url,
    name: file.name,
    size: file.size,
    lastModified: file.lastModified,
    offset,
    createdAt: prev?.url === url ? prev.createdAt : now,
  };
  try {
    storage.setItem(key, JSON.stringify(entry));
  } catch {
    // Storage full or disabled.
  }
}

/** Forgets the upload of `file` (finished, cancelled or dismissed). */
export function forgetUpload(storage: StorageLike, file: FileFacts): void {
  try {
    storage.removeItem(fingerprint(file));
  } catch {
    // Storage disabled.
  }
}

/** Unfinished uploads remembered in `storage`, newest first; drops stale entries. */
export function storedUploads(
  storage: StorageLike,
  now = Date.now(),
): StoredUpload[] {
  const out: StoredUpload[] = [];
  const stale: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (!key?.startsWith(KEY_PREFIX)) continue;
    const entry = read(storage, key);
    if (!entry || now - entry.createdAt > MAX_AGE_MS) stale.push(key);
    else out.push(entry);
  }
  for (const key of stale) storage.removeItem(key);
  return out.sort((a, b) => b.createdAt - a.createdAt);
}

function read(storage: StorageLike, key: string): StoredUpload | null {
  try {
    const v = JSON.parse(storage.getItem(key) ?? "null");
    if (
      v && typeof v.url === "string" && typeof v.name === "string" &&
      typeof v.size === "number" && typeof v.lastModified === "number"
    ) {
      return {
        url: v.url,
        name: v.name,
        size: v.size,
        lastModified: v.lastModified,
        offset: typeof v.offset === "number" ? v.offset : 0,
        createdAt: typeof v.createdAt === "number" ? v.createdAt : 0,
      };
    }
  } catch {
    // Corrupt entry: treated as absent (storedUploads removes it).
  }
  return null;
}
