import { define } from "../../../../lib/api/mod.ts";
import { json } from "../../../../lib/http/json.ts";

export const handler = define.handlers({
  /** Queues a `webhook.test` event to this hook (see its delivery log for the outcome). */
  async POST(ctx) {
    const messageId = await ctx.state.web.webhooks.test(ctx.params.id);
    return json({ messageId, type: "webhook.test" }, { status: 202 });
  },
});
