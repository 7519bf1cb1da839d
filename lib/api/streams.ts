/**
 * `/stream/<id>/<path>` and `/stream/<id>/t/<token>/<path>`: a video's stream files from the
 * blob store, with CORS and caching suited to each kind of file. A private video's files are
 * served only under a valid signed token (404 without one, 403 for a wrong or expired one);
 * the token in the path is inherited by every relative URI of its playlists and MPD.
 *
 * @module
 */
import { isVideoId } from "../core/ids.ts";
import { streamCorsHeaders } from "../http/cors.ts";
import { isSegment } from "../media/mod.ts";
import type { BlobStore } from "../storage/port.ts";
import type { VideoRecord, Visibility } from "../store/ports.ts";
import {
  type PlaybackSigner,
  streamPrefix,
  tokenError,
} from "../videos/mod.ts";

/** What serving a video's files needs to know about it. */
export interface StreamAccess {
  visibility: Visibility;
  /** True while the video is still processing (its playlists grow). */
  growing: boolean;
}

/**
 * Segments never change once written; playlists and images may (a retry rewrites them), and
 * a playlist of a video still processing grows, so players and caches must revalidate it.
 * Signed (private) files are for one viewer: never kept by shared caches.
 */
function cacheControlFor(
  path: string,
  growing: boolean,
  signed: boolean,
): string {
  const scope = signed ? "private" : "public";
  if (isSegment(path)) return `${scope}, max-age=31536000, immutable`;
  if (growing && /\.(m3u8|mpd)$/.test(path)) return "no-cache";
  return `${scope}, max-age=10`;
}

/** The response for `/stream/<id>/<rawPath>`; 404 for bad ids, unknown files or traversal. */
export async function serveStream(
  req: Request,
  d: {
    blobs: BlobStore;
    corsOrigins: string[];
    signer: PlaybackSigner;
    /** The video's access facts, or null when there is no such video. */
    access(id: string): Promise<StreamAccess | null>;
  },
  id: string,
  rawPath: string,
): Promise<Response> {
  const cors = streamCorsHeaders(req, d.corsOrigins);
  if (req.method === "OPTIONS") {
    return new Response(null, { status: 204, headers: cors });
  }
  const text = (status: number, body: string) => {
    cors.set("content-type", "text/plain; charset=utf-8");
    cors.set("cache-control", "no-store");
    return new Response(body, { status, headers: cors });
  };
  const notFound = () => text(404, "Not found");
  if (!isVideoId(id)) return notFound();
  let path = rawPath;
  const signed = /^t\/([^/]+)\/(.+)$/s.exec(rawPath);
  if (signed) {
    const check = d.signer.check(id, signed[1]);
    if (check !== "ok") return text(403, tokenError(check).message);
    path = signed[2];
  }
  const access = await d.access(id);
  if (!access || (access.visibility === "private" && !signed)) {
    return notFound();
  }
  const res = await d.blobs.serve(req, streamPrefix(id), path, {
    cacheControl: cacheControlFor(path, access.growing, !!signed),
    headers: cors,
  });
  return res ?? notFound();
}

/**
 * {@link StreamAccess} by id, read through a short-lived cache (a player asks for a segment
 * every few seconds; this spares the database a read each time). `forget` drops an entry at
 * once after a local change; other processes' changes show within `ttlMs`.
 */
export function streamAccessCache(
  find: (id: string) => Promise<VideoRecord | null>,
  ttlMs = 1000,
  maxEntries = 10_000,
): {
  get(id: string): Promise<StreamAccess | null>;
  forget(id: string): void;
} {
  const entries = new Map<
    string,
    { at: number; value: Promise<StreamAccess | null> }
  >();
  return {
    get(id) {
      const now = Date.now();
      const hit = entries.get(id);
      if (hit && now - hit.at < ttlMs) return hit.value;
      if (entries.size >= maxEntries) {
        for (const [key, e] of entries) {
          if (now - e.at >= ttlMs) entries.delete(key);
        }
        if (entries.size >= maxEntries) entries.clear();
      }
      const value = find(id).then(
        (v) =>
          v
            ? { visibility: v.visibility, growing: v.status !== "ready" }
            : null,
      );
      entries.set(id, { at: now, value });
      value.catch(() => entries.delete(id));
      return value;
    },
    forget(id) {
      entries.delete(id);
    },
  };
}
