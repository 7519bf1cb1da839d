import { define, presentWebhook } from "../../../../lib/api/mod.ts";
import { json } from "../../../../lib/http/json.ts";

export const handler = define.handlers({
  async GET(ctx) {
    const hook = await ctx.state.web.webhooks.get(ctx.params.id);
    return json(presentWebhook(hook));
  },

  /** Removes the hook and its delivery log. */
  async DELETE(ctx) {
    await ctx.state.web.webhooks.remove(ctx.params.id);
    return new Response(null, { status: 204 });
  },
});
