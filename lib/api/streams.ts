/**
 * `/stream/<id>/<path>` and `/stream/<id>/t/<token>/<path>`: a video's stream files from the
 * blob store, with CORS and caching suited to each kind of file. A private video's files are
 * served only under a valid signed token (404 without one, 403 for a wrong or expired one);
 * the token in the path is inherited by every relative URI of its playlists and MPD. The
 * master playlist and the MPD gain the video's captions as they are served.
 *
 * @module
 */
import { isVideoId } from "../core/ids.ts";
import { streamCorsHeaders } from "../http/cors.ts";
import { notModified } from "../http/serve_file.ts";
import {
  captionPlaylist,
  CAPTIONS_DIR,
  isMediaPlaylist,
  isSegment,
  type ManifestCaption,
  parseCaptionPath,
  STREAM_FILES,
  withDashCaptions,
  withHlsCaptions,
} from "../media/mod.ts";
import type { BlobStore } from "../storage/port.ts";
import type { VideoRecord, Visibility } from "../store/ports.ts";
import {
  captionsPrefix,
  type PlaybackSigner,
  streamPrefix,
  tokenError,
} from "../videos/mod.ts";
import { BlockingReloadError, heldPlaylist } from "./blocking_reload.ts";

/** What serving a video's files needs to know about it. */
export interface StreamAccess {
  visibility: Visibility;
  /** True while the video is still processing (its playlists grow). */
  growing: boolean;
  durationSec: number | null;
  captions: ManifestCaption[];
}

/** What {@link serveStream} needs. */
export interface StreamDeps {
  blobs: BlobStore;
  corsOrigins: string[];
  signer: PlaybackSigner;
  /** The video's access facts, or null when there is no such video. */
  access(id: string): Promise<StreamAccess | null>;
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
  d: StreamDeps,
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
  const cacheControl = cacheControlFor(path, access.growing, !!signed);
  if (path.startsWith(`${CAPTIONS_DIR}/`)) {
    return await serveCaption(req, d, id, path, access, !!signed, cors) ??
      notFound();
  }
  if (
    access.captions.length > 0 &&
    (path === STREAM_FILES.hlsMaster || path === STREAM_FILES.mpd)
  ) {
    const stored = await d.blobs.get(`${streamPrefix(id)}${path}`);
    if (!stored) return notFound();
    const manifest = await new Response(stored.body).text();
    const body = path === STREAM_FILES.hlsMaster
      ? withHlsCaptions(manifest, access.captions)
      : withDashCaptions(manifest, access.captions);
    return await textResponse(req, body, path, { cacheControl, headers: cors });
  }
  if (access.growing && isMediaPlaylist(path) && req.method === "GET") {
    try {
      const key = `${streamPrefix(id)}${path}`;
      const held = await heldPlaylist(req, d.blobs, key);
      if (held === null) return notFound();
      if (held !== undefined) {
        return await textResponse(req, held, path, {
          cacheControl,
          headers: cors,
        });
      }
    } catch (err) {
      if (err instanceof BlockingReloadError) {
        return text(err.status, err.message);
      }
      throw err;
    }
  }
  const res = await d.blobs.serve(req, streamPrefix(id), path, {
    cacheControl,
    headers: cors,
  });
  return res ?? notFound();
}

/**
 * `captions/<lang>.vtt` (the stored WebVTT) and `captions/<lang>.m3u8` (its HLS media
 * playlist, made from the video's duration); null when there is no such caption.
 */
async function serveCaption(
  req: Request,
  d: StreamDeps,
  id: string,
  path: string,
  access: StreamAccess,
  signed: boolean,
  cors: Headers,
): Promise<Response | null> {
  const name = parseCaptionPath(path.slice(CAPTIONS_DIR.length + 1));
  if (!name || !access.captions.some((c) => c.lang === name.lang)) return null;
  const cacheControl = `${signed ? "private" : "public"}, max-age=10`;
  if (name.kind === "vtt") {
    return await d.blobs.serve(req, captionsPrefix(id), `${name.lang}.vtt`, {
      cacheControl,
      headers: cors,
    });
  }
  return await textResponse(
    req,
    captionPlaylist(name.lang, access.durationSec ?? 0),
    path,
    { cacheControl, headers: cors },
  );
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
      const value = find(id).then((v): StreamAccess | null =>
        v
          ? {
            visibility: v.visibility,
            growing: v.status !== "ready",
            durationSec: v.durationSec,
            captions: v.captions,
          }
          : null
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

const TEXT_TYPES: Record<string, string> = {
  m3u8: "application/vnd.apple.mpegurl",
  mpd: "application/dash+xml",
};

/** A generated manifest with a content ETag (304 on If-None-Match), HEAD without a body. */
async function textResponse(
  req: Request,
  body: string,
  path: string,
  opts: { cacheControl: string; headers: Headers },
): Promise<Response> {
  const bytes = new TextEncoder().encode(body);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const etag = `"${
    Array.from(digest.slice(0, 12), (b) => b.toString(16).padStart(2, "0"))
      .join("")
  }"`;
  const headers = new Headers(opts.headers);
  headers.set("content-type", TEXT_TYPES[path.split(".").pop()!]);
  headers.set("cache-control", opts.cacheControl);
  headers.set("etag", etag);
  if (notModified(req, etag, null)) {
    return new Response(null, { status: 304, headers });
  }
  headers.set("content-length", String(bytes.length));
  return new Response(req.method === "HEAD" ? null : bytes, {
    status: 200,
    headers,
  });
}
