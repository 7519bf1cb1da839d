import { define } from "../../../../lib/define.ts";
import { json } from "../../../../lib/http/json.ts";
import { services } from "../../../../lib/services.ts";
import { presentVideo } from "../../../../lib/videos/present.ts";

export const handler = define.handlers({
  /** Requeues a failed video from its kept original. */
  POST(ctx) {
    const s = services();
    return json(
      presentVideo(s.service.retry(ctx.params.id), s.config.publicUrl),
      {
        status: 202,
      },
    );
  },
});
