import { define } from "../../../lib/api/mod.ts";

/** tus 1.0 creation (POST; refused with 507 when the disk is nearly full) and OPTIONS. */
export const handler = define.handlers((ctx) =>
  ctx.state.web.intake.tus.handle(ctx.req)
);
