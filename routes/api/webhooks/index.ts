import {
  define,
  presentWebhook,
  readJsonObject,
} from "../../../lib/api/mod.ts";
import { json } from "../../../lib/http/json.ts";

export const handler = define.handlers({
  /** Every webhook, oldest first (no secrets). */
  async GET(ctx) {
    const hooks = await ctx.state.web.webhooks.list();
    return json({ webhooks: hooks.map((h) => presentWebhook(h)) });
  },

  /** `{ "url", "events" }` → 201 with the signing secret (shown only here). */
  async POST(ctx) {
    const body = await readJsonObject(ctx.req);
    const hook = await ctx.state.web.webhooks.create(body);
    return json(presentWebhook(hook, true), {
      status: 201,
      headers: { location: `/api/webhooks/${hook.id}` },
    });
  },
});
