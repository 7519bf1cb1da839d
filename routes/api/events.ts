import { define } from "../../lib/define.ts";
import { services } from "../../lib/services.ts";
import { libraryEvents } from "../../lib/videos/events.ts";

export const handler = define.handlers({
  /** SSE for the whole library: `video` for every created or changed video, `deleted`. */
  GET(ctx) {
    return libraryEvents(services(), ctx.req.signal);
  },
});
