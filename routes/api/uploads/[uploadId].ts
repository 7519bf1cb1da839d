import { define } from "../../../lib/define.ts";
import { services } from "../../../lib/services.ts";

/** tus 1.0 HEAD (offset), PATCH (append; the last one ingests), DELETE (terminate). */
export const handler = define.handlers((ctx) => services().tus.handle(ctx.req));
