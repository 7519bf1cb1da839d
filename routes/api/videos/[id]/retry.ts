import { define, viewerFor } from "../../../../lib/api/mod.ts";
import { json } from "../../../../lib/http/json.ts";

export const handler = define.handlers({
  /** Requeues a failed video from its kept original. */
  async POST(ctx) {
    const { web } = ctx.state;
    const video = await web.videos.retry(ctx.params.id);
    return json(viewerFor(web, true).present(video), { status: 202 });
  },
});
