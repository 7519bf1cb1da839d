import {
  define,
  eventDeps,
  libraryEvents,
  viewerOf,
} from "../../lib/api/mod.ts";

export const handler = define.handlers({
  /** SSE for the viewer's library: `video` for every created or changed video, `deleted`. */
  async GET(ctx) {
    const { web } = ctx.state;
    const viewer = await viewerOf(ctx.req, web);
    return libraryEvents(eventDeps(web, viewer), ctx.req.signal);
  },
});
