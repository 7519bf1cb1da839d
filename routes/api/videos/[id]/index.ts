import {
  define,
  readJsonObject,
  viewerFor,
  viewerOf,
} from "../../../../lib/api/mod.ts";
import { json } from "../../../../lib/http/json.ts";

export const handler = define.handlers({
  /** One video; a private one exists only for the owner. */
  async GET(ctx) {
    const { web } = ctx.state;
    const viewer = await viewerOf(ctx.req, web);
    const video = await web.videos.get(ctx.params.id, viewer.owner);
    return json(viewer.present(video));
  },

  /** `{ "title"?: string (1–200 characters), "visibility"?: public|unlisted|private }`. */
  async PATCH(ctx) {
    const { web } = ctx.state;
    await web.videos.get(ctx.params.id);
    const body = await readJsonObject(ctx.req);
    const video = await web.videos.edit(ctx.params.id, body);
    return json(viewerFor(web, true).present(video));
  },

  /** Stops any running job and removes every file and the record. */
  async DELETE(ctx) {
    await ctx.state.web.videos.remove(ctx.params.id);
    return new Response(null, { status: 204 });
  },
});
