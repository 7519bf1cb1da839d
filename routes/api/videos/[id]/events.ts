import { define, eventDeps, videoEvents } from "../../../../lib/api/mod.ts";

export const handler = define.handlers({
  /** SSE: `video` on every change, `deleted` then end; ends after ready/failed. */
  async GET(ctx) {
    const { web } = ctx.state;
    const video = await web.videos.get(ctx.params.id);
    return videoEvents(eventDeps(web), video, ctx.req.signal);
  },
});
