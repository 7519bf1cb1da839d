import { define } from "../../../lib/define.ts";
import { ALLOWED_EXTENSIONS } from "../../../lib/config.ts";
import { ApiError } from "../../../lib/http/errors.ts";
import { json } from "../../../lib/http/json.ts";
import { services } from "../../../lib/services.ts";
import { receiveMultipart } from "../../../lib/uploads/multipart.ts";
import { presentVideo } from "../../../lib/videos/present.ts";
import { ensureFreeDisk } from "../../../lib/videos/storage.ts";

export const handler = define.handlers({
  /** Lists videos, newest first: `?limit=` (1–100, default 24) `&cursor=`. */
  GET(ctx) {
    const s = services();
    const raw = ctx.url.searchParams.get("limit");
    const limit = raw === null ? 24 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new ApiError(
        "bad_request",
        "limit must be a whole number from 1 to 100.",
      );
    }
    const page = s.service.list(limit, ctx.url.searchParams.get("cursor"));
    return json({
      videos: page.videos.map((v) => presentVideo(v, s.config.publicUrl)),
      nextCursor: page.nextCursor,
    });
  },

  /** Multipart upload (part `file`, optional `title`), streamed to disk, probed, queued. */
  async POST(ctx) {
    const s = services();
    const length = Number(ctx.req.headers.get("content-length") ?? 0);
    await ensureFreeDisk(s.config, length);
    const upload = await receiveMultipart(ctx.req, {
      dir: s.paths.incoming,
      maxBytes: s.config.maxUploadBytes,
      allowedExtensions: ALLOWED_EXTENSIONS,
    });
    const video = await s.service.ingest(upload);
    return json(presentVideo(video, s.config.publicUrl), {
      status: 202,
      headers: { location: `/api/videos/${video.id}` },
    });
  },
});
