import { define, serveStream } from "../../../lib/api/mod.ts";

const serve = define.handlers((ctx) => {
  // The raw (still encoded) path after /stream/<id>/; the blob store decodes and confines it.
  const prefix = `/stream/${encodeURIComponent(ctx.params.id)}/`;
  const raw = ctx.url.pathname.startsWith(prefix)
    ? ctx.url.pathname.slice(prefix.length)
    : ctx.params.path;
  const { web } = ctx.state;
  // One record read per request, shared by the growing check and the captions.
  let found: ReturnType<typeof web.videos.find> | null = null;
  const video = (id: string) => found ??= web.videos.find(id);
  return serveStream(
    ctx.req,
    {
      blobs: web.blobs,
      corsOrigins: web.settings.corsOrigins,
      growing: async (id) => (await video(id))?.status !== "ready",
      captions: video,
    },
    ctx.params.id,
    raw,
  );
});

export const handler = { GET: serve, HEAD: serve, OPTIONS: serve };
