import {
  define,
  eventDeps,
  videoEvents,
  viewerOf,
} from "../../../../lib/api/mod.ts";

export const handler = define.handlers({
  /** SSE: `video` on every change, `deleted` then end; ends after ready/failed. */
  async GET(ctx) {
    const { web } = ctx.state;
    const viewer = await viewerOf(ctx.req, web);
    const video = await web.videos.get(ctx.params.id, viewer.owner);
    return videoEvents(eventDeps(web, viewer), video, ctx.req.signal);
  },
});
