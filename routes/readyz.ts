import { define } from "../lib/define.ts";
import { readiness } from "../lib/health.ts";
import { json } from "../lib/http/json.ts";
import { services } from "../lib/services.ts";

export const handler = define.handlers({
  /** Readiness: database open, ffmpeg present, disk above MIN_FREE_DISK_BYTES; else 503. */
  async GET() {
    const r = await readiness(services());
    return json(
      { status: r.ready ? "ready" : "unavailable", checks: r.checks },
      {
        status: r.ready ? 200 : 503,
      },
    );
  },
});
