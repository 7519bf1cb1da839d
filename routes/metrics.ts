import { define } from "../lib/define.ts";
import { renderMetrics } from "../lib/metrics.ts";
import { services } from "../lib/services.ts";

export const handler = define.handlers({
  /** Prometheus text format. */
  GET() {
    return new Response(renderMetrics(services()), {
      headers: {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  },
});
