/**
 * `/stream/<id>/<path>`: a video's stream files from the blob store, with CORS and caching
 * suited to each kind of file.
 *
 * @module
 */
import { isVideoId } from "../core/ids.ts";
import { streamCorsHeaders } from "../http/cors.ts";
import { notModified } from "../http/serve_file.ts";
import {
  captionPlaylist,
  CAPTIONS_DIR,
  isSegment,
  type ManifestCaption,
  parseCaptionPath,
  STREAM_FILES,
  withDashCaptions,
  withHlsCaptions,
} from "../media/mod.ts";
import type { BlobStore } from "../storage/port.ts";
import { captionsPrefix, streamPrefix } from "../videos/mod.ts";

/** What stream serving needs to know about a video's captions. */
export interface StreamCaptions {
  durationSec: number | null;
  captions: ManifestCaption[];
}

/**
 * Segments never change once written; playlists and images may (a retry rewrites them), and
 * a playlist of a video still processing grows, so players and caches must revalidate it.
 */
function cacheControlFor(path: string, growing: boolean): string {
  if (isSegment(path)) return "public, max-age=31536000, immutable";
  if (growing && /\.(m3u8|mpd)$/.test(path)) return "no-cache";
  return "public, max-age=10";
}

/** The response for `/stream/<id>/<rawPath>`; 404 for bad ids, unknown files or traversal. */
export async function serveStream(
  req: Request,
  d: {
    blobs: BlobStore;
    corsOrigins: string[];
    /** True while the video is still processing (its playlists grow). */
    growing(id: string): Promise<boolean>;
    /**
     * The video's captions (null for an unknown video); without it, manifests are served as
     * stored and `captions/` is not found.
     */
    captions?(id: string): Promise<StreamCaptions | null>;
  },
  id: string,
  rawPath: string,
): Promise<Response> {
  const cors = streamCorsHeaders(req, d.corsOrigins);
  if (req.method === "OPTIONS") {
    return new Response(null, { status: 204, headers: cors });
  }
  const notFound = () => {
    cors.set("content-type", "text/plain; charset=utf-8");
    return new Response("Not found", { status: 404, headers: cors });
  };
  if (!isVideoId(id)) return notFound();
  const playlist = /\.(m3u8|mpd)$/.test(rawPath);
  if (rawPath.startsWith(`${CAPTIONS_DIR}/`)) {
    return await serveCaption(req, d, id, rawPath, cors) ?? notFound();
  }
  const growing = playlist && await d.growing(id);
  if (
    d.captions &&
    (rawPath === STREAM_FILES.hlsMaster || rawPath === STREAM_FILES.mpd)
  ) {
    const info = await d.captions(id);
    if (info && info.captions.length > 0) {
      const stored = await d.blobs.get(`${streamPrefix(id)}${rawPath}`);
      if (!stored) return notFound();
      const text = await new Response(stored.body).text();
      const body = rawPath === STREAM_FILES.hlsMaster
        ? withHlsCaptions(text, info.captions)
        : withDashCaptions(text, info.captions);
      return await textResponse(req, body, rawPath, {
        cacheControl: cacheControlFor(rawPath, growing),
        headers: cors,
      });
    }
  }
  const res = await d.blobs.serve(req, streamPrefix(id), rawPath, {
    cacheControl: cacheControlFor(rawPath, growing),
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
  d: Parameters<typeof serveStream>[1],
  id: string,
  rawPath: string,
  cors: Headers,
): Promise<Response | null> {
  const name = parseCaptionPath(rawPath.slice(CAPTIONS_DIR.length + 1));
  if (!name || !d.captions) return null;
  const info = await d.captions(id);
  if (!info?.captions.some((c) => c.lang === name.lang)) return null;
  if (name.kind === "vtt") {
    return await d.blobs.serve(req, captionsPrefix(id), `${name.lang}.vtt`, {
      cacheControl: "public, max-age=10",
      headers: cors,
    });
  }
  return await textResponse(
    req,
    captionPlaylist(name.lang, info.durationSec ?? 0),
    rawPath,
    { cacheControl: "public, max-age=10", headers: cors },
  );
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
