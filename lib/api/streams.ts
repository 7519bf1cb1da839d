/**
 * `/stream/<id>/<path>`: a video's stream files from the blob store, with CORS and caching
 * suited to each kind of file.
 *
 * @module
 */
import { isVideoId } from "../core/ids.ts";
import { streamCorsHeaders } from "../http/cors.ts";
import { isSegment } from "../media/mod.ts";
import type { BlobStore } from "../storage/port.ts";
import { streamPrefix } from "../videos/mod.ts";

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
  const growing = playlist && await d.growing(id);
  const res = await d.blobs.serve(req, streamPrefix(id), rawPath, {
    cacheControl: cacheControlFor(rawPath, growing),
    headers: cors,
  });
  return res ?? notFound();
}
