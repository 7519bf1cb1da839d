import { define } from "../../../lib/api/mod.ts";

/** tus 1.0 HEAD (offset), PATCH (append; the last one ingests), DELETE (terminate). */
export const handler = define.handlers((ctx) =>
  ctx.state.web.intake.tus.handle(ctx.req)
);
