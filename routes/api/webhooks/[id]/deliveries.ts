import {
  define,
  DomainError,
  presentDelivery,
} from "../../../../lib/api/mod.ts";
import { json } from "../../../../lib/http/json.ts";

export const handler = define.handlers({
  /** The hook's delivery log, newest first; `?limit=` 1–1000 (default 100). */
  async GET(ctx) {
    const raw = ctx.url.searchParams.get("limit") ?? "100";
    const limit = Number(raw);
    if (!/^\d+$/.test(raw) || limit < 1 || limit > 1000) {
      throw new DomainError(
        "bad_request",
        "limit must be a whole number from 1 to 1000.",
      );
    }
    const log = await ctx.state.web.webhooks.deliveries(ctx.params.id, limit);
    return json({ deliveries: log.map(presentDelivery) });
  },
});
