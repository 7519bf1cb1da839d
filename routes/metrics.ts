import { define, renderMetrics } from "../lib/api/mod.ts";

export const handler = define.handlers({
  /** Prometheus text format. */
  async GET(ctx) {
    return new Response(await renderMetrics(ctx.state.web.metrics), {
      headers: {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  },
});
