import {
  define,
  presentVideo,
  readJsonObject,
} from "../../../../lib/api/mod.ts";
import { json } from "../../../../lib/http/json.ts";

export const handler = define.handlers({
  async GET(ctx) {
    const { web } = ctx.state;
    const video = await web.videos.get(ctx.params.id);
    return json(presentVideo(video, web.settings.publicUrl));
  },

  /** `{ "title": string }` (1–200 characters). */
  async PATCH(ctx) {
    const { web } = ctx.state;
    await web.videos.get(ctx.params.id);
    const body = await readJsonObject(ctx.req);
    const video = await web.videos.rename(ctx.params.id, body.title);
    return json(presentVideo(video, web.settings.publicUrl));
  },

  /** Stops any running job and removes every file and the record. */
  async DELETE(ctx) {
    await ctx.state.web.videos.remove(ctx.params.id);
    return new Response(null, { status: 204 });
  },
});
