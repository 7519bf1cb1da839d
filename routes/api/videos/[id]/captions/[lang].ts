import { define } from "../../../../../lib/api/mod.ts";

export const handler = define.handlers({
  /** Removes the caption of one language (file and record). */
  async DELETE(ctx) {
    await ctx.state.web.captions.remove(ctx.params.id, ctx.params.lang);
    return new Response(null, { status: 204 });
  },
});
