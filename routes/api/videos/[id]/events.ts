import { define } from "../../../../lib/define.ts";
import { services } from "../../../../lib/services.ts";
import { videoEvents } from "../../../../lib/videos/events.ts";

export const handler = define.handlers({
  /** SSE: `video` on every change, `deleted` then end; ends after ready/failed. */
  GET(ctx) {
    const s = services();
    return videoEvents(s, s.service.get(ctx.params.id), ctx.req.signal);
  },
});
