/**
 * HLS blocking playlist reload (RFC 8216bis 6.2.5.2) for playlists that grow while a video
 * processes: a request for `media_N.m3u8?_HLS_msn=K` is held until the playlist lists
 * segment K (or is finished), so a player learns of each new segment the moment it is
 * published instead of polling once per target duration. The growing playlists announce it
 * with `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES`.
 *
 * @module
 */
import { playlistProgress } from "../media/mod.ts";
import type { BlobStore } from "../storage/port.ts";

/**
 * The longest a request is held. RFC 8216bis allows three target durations; hls.js gives a
 * playlist request 10 s to its first byte, so answer well before that with what there is
 * (the player then asks again).
 */
export const BLOCK_MAX_MS = 6000;
/** How often the playlist is read again while a request waits. */
export const BLOCK_POLL_MS = 150;

/** Why a blocking request cannot be answered: status and message. */
export class BlockingReloadError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * Parses `_HLS_msn`: null when absent; a whole number otherwise, or a
 * {@link BlockingReloadError} (400) for anything else.
 */
export function requestedSequence(url: URL): number | null {
  const raw = url.searchParams.get("_HLS_msn");
  if (raw === null) return null;
  if (!/^\d{1,9}$/.test(raw)) {
    throw new BlockingReloadError(
      400,
      "_HLS_msn must be a whole number (a Media Sequence Number).",
    );
  }
  return Number(raw);
}

/**
 * Reads the playlist until it lists segment `msn` or is finished, at most `maxMs`; returns
 * the last text read (null when there is no playlist). A request more than two segments
 * ahead of the playlist is refused (400), as RFC 8216bis asks.
 */
export async function awaitSegment(
  read: () => Promise<string | null>,
  msn: number,
  opts: { signal?: AbortSignal; maxMs?: number; pollMs?: number } = {},
): Promise<string | null> {
  const deadline = Date.now() + (opts.maxMs ?? BLOCK_MAX_MS);
  let text = await read();
  while (text !== null) {
    const { lastSequence, complete } = playlistProgress(text);
    if (complete || lastSequence >= msn) return text;
    if (msn > lastSequence + 2) {
      throw new BlockingReloadError(
        400,
        `Segment ${msn} is more than two segments ahead of the playlist (last ${lastSequence}).`,
      );
    }
    if (Date.now() >= deadline || opts.signal?.aborted) return text;
    await sleep(opts.pollMs ?? BLOCK_POLL_MS, opts.signal);
    text = await read();
  }
  return null;
}

/**
 * A reader of stored playlists shared by every waiting request of this process: each key is
 * read at most once per `ttlMs`, so a hundred viewers of a video still processing cost the
 * blob store (S3 in a cluster) a few reads a second, not a hundred.
 */
export function sharedPlaylistReader(
  read: (key: string) => Promise<string | null>,
  ttlMs = BLOCK_POLL_MS - 50,
  maxEntries = 1000,
): (key: string) => Promise<string | null> {
  const recent = new Map<
    string,
    { at: number; text: Promise<string | null> }
  >();
  return (key) => {
    const now = Date.now();
    const hit = recent.get(key);
    if (hit && now - hit.at < ttlMs) return hit.text;
    if (recent.size >= maxEntries) {
      for (const [k, e] of recent) if (now - e.at >= ttlMs) recent.delete(k);
      if (recent.size >= maxEntries) recent.clear();
    }
    const text = read(key);
    recent.set(key, { at: now, text });
    text.catch(() => recent.delete(key));
    return text;
  };
}

/** One shared playlist reader per blob store. */
const readers = new WeakMap<
  BlobStore,
  (key: string) => Promise<string | null>
>();

/**
 * Answers a request for the stored media playlist `key` of a video still processing: when
 * it asks to block (`_HLS_msn`), the playlist's text once it lists that segment (null when
 * there is no such playlist); `undefined` when it does not ask. Throws
 * {@link BlockingReloadError} for a request that cannot be answered.
 */
export async function heldPlaylist(
  req: Request,
  blobs: BlobStore,
  key: string,
): Promise<string | null | undefined> {
  const msn = requestedSequence(new URL(req.url));
  if (msn === null) return undefined;
  let read = readers.get(blobs);
  if (!read) {
    read = sharedPlaylistReader(async (k) => {
      const stored = await blobs.get(k);
      return stored ? await new Response(stored.body).text() : null;
    });
    readers.set(blobs, read);
  }
  const shared = read;
  return await awaitSegment(() => shared(key), msn, { signal: req.signal });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
