import { define } from "../../../lib/define.ts";
import { services } from "../../../lib/services.ts";
import { serveStream } from "../../../lib/videos/stream.ts";

const serve = define.handlers((ctx) => {
  // The raw (still encoded) path after /stream/<id>/; serveDir decodes and confines it.
  const prefix = `/stream/${encodeURIComponent(ctx.params.id)}/`;
  const raw = ctx.url.pathname.startsWith(prefix)
    ? ctx.url.pathname.slice(prefix.length)
    : ctx.params.path;
  return serveStream(ctx.req, services(), ctx.params.id, raw);
});

export const handler = { GET: serve, HEAD: serve, OPTIONS: serve };
