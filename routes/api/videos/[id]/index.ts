import { define } from "../../../../lib/define.ts";
import { json, readJsonObject } from "../../../../lib/http/json.ts";
import { services } from "../../../../lib/services.ts";
import { presentVideo } from "../../../../lib/videos/present.ts";

export const handler = define.handlers({
  GET(ctx) {
    const s = services();
    return json(presentVideo(s.service.get(ctx.params.id), s.config.publicUrl));
  },

  /** `{ "title": string }` (1–200 characters). */
  async PATCH(ctx) {
    const s = services();
    s.service.get(ctx.params.id);
    const body = await readJsonObject(ctx.req);
    return json(
      presentVideo(
        s.service.rename(ctx.params.id, body.title),
        s.config.publicUrl,
      ),
    );
  },

  /** Stops any running job and removes every file and the record. */
  async DELETE(ctx) {
    await services().service.remove(ctx.params.id);
    return new Response(null, { status: 204 });
  },
});
