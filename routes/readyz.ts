import { define, readiness } from "../lib/api/mod.ts";
import { json } from "../lib/http/json.ts";

export const handler = define.handlers({
  /** Readiness: database open, ffmpeg present, disk above MIN_FREE_DISK_BYTES; else 503. */
  async GET(ctx) {
    const r = await readiness(ctx.state.web.health);
    return json(
      { status: r.ready ? "ready" : "unavailable", checks: r.checks },
      { status: r.ready ? 200 : 503 },
    );
  },
});
