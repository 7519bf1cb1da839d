import { define, serveStream } from "../../../lib/api/mod.ts";

const serve = define.handlers((ctx) => {
  // The raw (still encoded) path after /stream/<id>/; the blob store decodes and confines it.
  const prefix = `/stream/${encodeURIComponent(ctx.params.id)}/`;
  const raw = ctx.url.pathname.startsWith(prefix)
    ? ctx.url.pathname.slice(prefix.length)
    : ctx.params.path;
  const { web } = ctx.state;
  return serveStream(
    ctx.req,
    {
      blobs: web.blobs,
      corsOrigins: web.settings.corsOrigins,
      growing: async (id) => (await web.videos.find(id))?.status !== "ready",
      captions: (id) => web.videos.find(id),
    },
    ctx.params.id,
    raw,
  );
});

export const handler = { GET: serve, HEAD: serve, OPTIONS: serve };
