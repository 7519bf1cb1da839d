import {
  define,
  DomainError,
  viewerFor,
  viewerOf,
} from "../../../lib/api/mod.ts";
import { json } from "../../../lib/http/json.ts";

export const handler = define.handlers({
  /** Lists videos, newest first: `?limit=` (1–100, default 24) `&cursor=`; visitors get public ones. */
  async GET(ctx) {
    const { web } = ctx.state;
    const raw = ctx.url.searchParams.get("limit");
    const limit = raw === null ? 24 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new DomainError(
        "bad_request",
        "limit must be a whole number from 1 to 100.",
      );
    }
    const viewer = await viewerOf(ctx.req, web);
    const page = await web.videos.list(
      limit,
      ctx.url.searchParams.get("cursor"),
      viewer.owner,
    );
    return json({
      videos: page.videos.map(viewer.present),
      nextCursor: page.nextCursor,
    });
  },

  /** Multipart upload (part `file`, optional `title`, `visibility`), streamed, probed, queued. */
  async POST(ctx) {
    const { web } = ctx.state;
    const video = await web.intake.multipart(ctx.req);
    return json(viewerFor(web, true).present(video), {
      status: 202,
      headers: { location: `/api/videos/${video.id}` },
    });
  },
});
