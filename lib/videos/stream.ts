/** Serves a ready video's files from `streams/<id>/` with caching suited to each kind. */
import { join } from "node:path";
import { streamCorsHeaders } from "../http/cors.ts";
import { serveDir } from "../http/serve_dir.ts";
import type { Services } from "../services.ts";
import { isVideoId } from "./paths.ts";

/** Segments never change once written; playlists and images may (a retry rewrites them). */
function cacheControlFor(path: string): string {
  if (path.endsWith(".m4s")) return "public, max-age=31536000, immutable";
  return "public, max-age=10";
}

/** The response for `/stream/<id>/<path>`; 404 for bad ids, unknown files or traversal. */
export async function serveStream(
  req: Request,
  s: Services,
  id: string,
  path: string,
): Promise<Response> {
  const cors = streamCorsHeaders(req, s.config.corsOrigins);
  if (req.method === "OPTIONS") {
    return new Response(null, { status: 204, headers: cors });
  }
  const notFound = () => {
    cors.set("content-type", "text/plain; charset=utf-8");
    return new Response("Not found", { status: 404, headers: cors });
  };
  if (!isVideoId(id)) return notFound();
  const res = await serveDir(req, join(s.paths.streams, id), path, {
    cacheControl: cacheControlFor(path),
    headers: cors,
  });
  return res ?? notFound();
}
