import { define, eventDeps, libraryEvents } from "../../lib/api/mod.ts";

export const handler = define.handlers({
  /** SSE for the whole library: `video` for every created or changed video, `deleted`. */
  GET(ctx) {
    return libraryEvents(eventDeps(ctx.state.web), ctx.req.signal);
  },
});
