import { define } from "../../../lib/define.ts";
import { services } from "../../../lib/services.ts";
import { ensureFreeDisk } from "../../../lib/videos/storage.ts";

/** tus 1.0 creation (POST) and discovery (OPTIONS). */
export const handler = define.handlers(async (ctx) => {
  const s = services();
  if (ctx.req.method === "POST") {
    await ensureFreeDisk(
      s.config,
      Number(ctx.req.headers.get("upload-length") ?? 0),
    );
  }
  return s.tus.handle(ctx.req);
});
