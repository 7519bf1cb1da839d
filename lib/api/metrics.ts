/**
 * Prometheus metrics: shared counters from the database (uploads, transcodes, ffmpeg
 * failures), live gauges (videos by status, jobs by state, queue depth) and this process's
 * HTTP requests by route and status. `GET /metrics` renders them in the text format.
 *
 * @module
 */
import type { HttpContext, HttpMiddleware } from "../http/middlewares.ts";
import type {
  CounterName,
  Counters,
  JobQueue,
  VideoStore,
} from "../store/ports.ts";

/** This process's HTTP request counts, by route pattern, method and status. */
export class HttpStats {
  #count = new Map<string, number>();
  #seconds = new Map<string, number>();

  /** Counts one request (route pattern, not the raw path, to bound cardinality). */
  record(route: string | null, method: string, status: number, sec: number) {
    const key = `route="${label(route ?? "unmatched")}",method="${
      label(method)
    }",status="${status}"`;
    this.#count.set(key, (this.#count.get(key) ?? 0) + 1);
    this.#seconds.set(key, (this.#seconds.get(key) ?? 0) + sec);
  }

  /** `[labels, count, seconds]` per series. */
  series(): [string, number, number][] {
    return [...this.#count].map(([k, n]) => [k, n, this.#seconds.get(k) ?? 0]);
  }
}

/** What the metrics page reads. */
export interface MetricsDeps {
  counters: Counters;
  videos: Pick<VideoStore, "countByStatus">;
  jobs: Pick<JobQueue, "depth">;
  http: HttpStats;
}

/** Escapes a label value. */
function label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Middleware that counts every request into `stats(ctx)`. */
export function httpMetrics<S>(
  stats: (ctx: HttpContext<S>) => HttpStats,
): HttpMiddleware<S> {
  return async function httpMetrics(ctx) {
    const started = performance.now();
    let status = 500;
    try {
      const res = await ctx.next();
      status = res.status;
      return res;
    } finally {
      stats(ctx).record(
        ctx.route ?? null,
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
export async function renderMetrics(d: MetricsDeps): Promise<string> {
  const out: string[] = [];
  const metric = (
    name: string,
    type: string,
    help: string,
    lines: string[],
  ) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  const c = await d.counters.all();
  const n = (k: CounterName) => c[k] ?? 0;
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
  const byStatus = await d.videos.countByStatus();
  metric(
    "reel_videos",
    "gauge",
    "Videos by status.",
    Object.entries(byStatus).map(([k, v]) => `reel_videos{status="${k}"} ${v}`),
  );
  const depth = await d.jobs.depth();
  metric("reel_jobs", "gauge", "Jobs by state.", [
    `reel_jobs{state="queued"} ${depth.queued}`,
    `reel_jobs{state="processing"} ${depth.processing}`,
  ]);
  metric("reel_queue_depth", "gauge", "Jobs waiting to run.", [
    `reel_queue_depth ${depth.queued}`,
  ]);
  const series = d.http.series();
  metric(
    "reel_http_requests_total",
    "counter",
    "HTTP requests served by this process, by route and status.",
    series.map(([k, v]) => `reel_http_requests_total{${k}} ${v}`),
  );
  metric(
    "reel_http_request_seconds_total",
    "counter",
    "Seconds spent answering HTTP requests, by route and status.",
    series.map(([k, , s]) =>
      `reel_http_request_seconds_total{${k}} ${s.toFixed(6)}`
    ),
  );
  metric(
    "process_resident_memory_bytes",
    "gauge",
    "Resident memory of this process.",
    [`process_resident_memory_bytes ${Deno.memoryUsage().rss}`],
  );
  return out.join("\n") + "\n";
}
