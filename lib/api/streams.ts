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

/** Segments never change once written; playlists and images may (a retry rewrites them). */
function cacheControlFor(path: string): string {
  if (isSegment(path)) return "public, max-age=31536000, immutable";
  return "public, max-age=10";
}

/** The response for `/stream/<id>/<rawPath>`; 404 for bad ids, unknown files or traversal. */
export async function serveStream(
  req: Request,
  d: { blobs: BlobStore; corsOrigins: string[] },
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
  const res = await d.blobs.serve(req, streamPrefix(id), rawPath, {
    cacheControl: cacheControlFor(rawPath),
    headers: cors,
  });
  return res ?? notFound();
}
