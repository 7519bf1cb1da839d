/**
 * Prometheus metrics: shared counters from the database (uploads, transcodes, ffmpeg
 * failures), live gauges (jobs by state, queue depth) and this process's HTTP requests by
 * route and status. `GET /metrics` renders them in the text exposition format.
 */
import type { FreshContext } from "./fresh/mod.ts";
import type { State } from "./define.ts";
import type { Services } from "./services.ts";
import type { CounterName } from "./store/counters.ts";

const http = new Map<string, number>();
const httpSeconds = new Map<string, number>();

/** Escapes a label value. */
function label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Counts one HTTP request (route pattern, not the raw path, to bound cardinality). */
export function countRequest(
  route: string | null,
  method: string,
  status: number,
  sec: number,
) {
  const key = `route="${label(route ?? "unmatched")}",method="${
    label(method)
  }",status="${status}"`;
  http.set(key, (http.get(key) ?? 0) + 1);
  httpSeconds.set(key, (httpSeconds.get(key) ?? 0) + sec);
}

/** Middleware that counts every request into the HTTP metrics. */
export function httpMetrics(): (ctx: FreshContext<State>) => Promise<Response> {
  return async function httpMetrics(ctx) {
    const started = performance.now();
    let status = 500;
    try {
      const res = await ctx.next();
      status = res.status;
      return res;
    } finally {
      countRequest(
        ctx.route,
        ctx.req.method,
        status,
        (performance.now() - started) / 1000,
      );
    }
  };
}

/** Counters kept in the database (every process adds to them), with their help text. */
const SHARED_COUNTERS: [CounterName, string][] = [
  ["uploads_total", "Uploads accepted (probed and queued)."],
  ["upload_bytes_total", "Bytes of accepted uploads."],
  ["uploads_rejected_total", "Uploads refused after probing."],
  ["transcodes_total", "Videos transcoded successfully."],
  ["ffmpeg_failures_total", "Transcode attempts that failed."],
  ["transcode_seconds_total", "Wall seconds spent transcoding."],
  ["transcoded_video_seconds_total", "Seconds of video transcoded."],
];

/** The metrics page. */
export function renderMetrics(s: Services): string {
  const out: string[] = [];
  const metric = (
    name: string,
    type: string,
    help: string,
    lines: string[],
  ) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  const c = s.counters.all();
  const n = (k: string) => c[k] ?? 0;
  for (const [name, help] of SHARED_COUNTERS) {
    metric(`reel_${name}`, "counter", help, [`reel_${name} ${n(name)}`]);
  }
  const perSec = n("transcoded_video_seconds_total") > 0
    ? n("transcode_seconds_total") / n("transcoded_video_seconds_total")
    : 0;
  metric(
    "reel_transcode_seconds_per_video_second",
    "gauge",
    "Transcode wall seconds per second of video, over all transcodes.",
    [`reel_transcode_seconds_per_video_second ${perSec.toFixed(4)}`],
  );
  const byStatus = s.videos.countByStatus();
  metric(
    "reel_videos",
    "gauge",
    "Videos by status.",
    Object.entries(byStatus).map(([k, v]) => `reel_videos{status="${k}"} ${v}`),
  );
  const depth = s.jobs.depth();
  metric("reel_jobs", "gauge", "Jobs by state.", [
    `reel_jobs{state="queued"} ${depth.queued}`,
    `reel_jobs{state="processing"} ${depth.processing}`,
  ]);
  metric("reel_queue_depth", "gauge", "Jobs waiting to run.", [
    `reel_queue_depth ${depth.queued}`,
  ]);
  metric(
    "reel_http_requests_total",
    "counter",
    "HTTP requests served by this process, by route and status.",
    [...http].map(([k, v]) => `reel_http_requests_total{${k}} ${v}`),
  );
  metric(
    "reel_http_request_seconds_total",
    "counter",
    "Seconds spent answering HTTP requests, by route and status.",
    [...httpSeconds].map(([k, v]) =>
      `reel_http_request_seconds_total{${k}} ${v.toFixed(6)}`
    ),
  );
  metric(
    "process_resident_memory_bytes",
    "gauge",
    "Resident memory of this process.",
    [
      `process_resident_memory_bytes ${Deno.memoryUsage().rss}`,
    ],
  );
  return out.join("\n") + "\n";
}
