/**
 * Serving figures: requests per second for whole 1 MiB segments and for 64 KiB Range reads of
 * a 16 MiB file, on 127.0.0.1 with a bounded load (fixed duration and concurrency), from the
 * app and, when nginx is installed, from nginx serving the very same files.
 */
import { join } from "node:path";
import { output, which } from "./proc.ts";

/** One serving measurement. */
export interface ServeFigure {
  requestsPerSec: number;
  mbPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
}

/** Load settings. */
export interface Load {
  seconds: number;
  connections: number;
}

/** The files the load reads, under `streams/<id>/` of a data folder. */
export interface ServeFiles {
  id: string;
  segment: string;
  big: string;
}

const RANGE = 64 * 1024;
const BIG = 16 * 1024 * 1024;

/** Writes a 1 MiB segment and a 16 MiB file into `dataDir/streams/<new id>/`. */
export async function writeServeFiles(dataDir: string): Promise<ServeFiles> {
  const id = crypto.randomUUID();
  const dir = join(dataDir, "streams", id);
  await Deno.mkdir(dir, { recursive: true });
  const block = new Uint8Array(1024 * 1024);
  crypto.getRandomValues(block.subarray(0, 65536));
  for (let i = 65536; i < block.length; i++) block[i] = block[i % 65536] ^ i;
  await Deno.writeFile(join(dir, "chunk-0-00001.m4s"), block);
  using big = await Deno.open(join(dir, "chunk-0-00002.m4s"), {
    create: true,
    write: true,
  });
  for (let n = 0; n < BIG / block.length; n++) {
    let off = 0;
    while (off < block.length) off += await big.write(block.subarray(off));
  }
  return { id, segment: "chunk-0-00001.m4s", big: "chunk-0-00002.m4s" };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts nginx on 127.0.0.1 serving `dataDir/streams` at `/stream/`; null when missing. */
export async function startNginx(
  dataDir: string,
): Promise<{ url: string; stop(): Promise<void> } | null> {
  const bin = await which("nginx") ?? await which("/usr/sbin/nginx");
  if (!bin) return null;
  const dir = await Deno.makeTempDir({ prefix: "reel-bench-nginx-" });
  const port = freePort();
  const isRoot = Deno.uid?.() === 0;
  // Debian's defaults where they matter (worker_processes auto, sendfile, keep-alive), with
  // every path in our temp folder so nothing of the system's nginx is touched.
  const conf = `
${isRoot ? "user root;" : ""}
worker_processes auto;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types { video/iso.segment m4s; }
  server {
    listen 127.0.0.1:${port};
    location /stream/ { alias ${dataDir}/streams/; }
  }
}
`;
  await Deno.writeTextFile(`${dir}/nginx.conf`, conf);
  const child = new Deno.Command(bin, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}/`);
      await res.body?.cancel();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    async stop() {
      try {
        child.kill("SIGQUIT");
      } catch { /* gone */ }
      await child.output().catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Loads `url` (whole file, or random 64 KiB ranges of the 16 MiB file) and measures. */
export async function load(
  url: string,
  kind: "segment" | "range",
  opts: Load,
): Promise<ServeFigure & { tool: string }> {
  const wrk = await which("wrk");
  if (wrk) return { ...await loadWithWrk(wrk, url, kind, opts), tool: "wrk" };
  return { ...await loadWithFetch(url, kind, opts), tool: "deno fetch" };
}

async function loadWithWrk(
  wrk: string,
  url: string,
  kind: "segment" | "range",
  opts: Load,
): Promise<ServeFigure> {
  const dir = await Deno.makeTempDir({ prefix: "reel-bench-wrk-" });
  try {
    const args = [
      "-t",
      "2",
      "-c",
      String(opts.connections),
      "-d",
      `${opts.seconds}s`,
      "--latency",
    ];
    if (kind === "range") {
      const script = `${dir}/range.lua`;
      await Deno.writeTextFile(
        script,
        `math.randomseed(42)
request = function()
  local s = math.random(0, ${BIG / RANGE - 1}) * ${RANGE}
  return wrk.format("GET", nil, { ["Range"] = "bytes=" .. s .. "-" .. (s + ${
          RANGE - 1
        }) })
end
`,
      );
      args.push("-s", script);
    }
    const { stdout } = await output(wrk, [...args, url]);
    return parseWrk(stdout);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function toMs(v: string | undefined, unit: string | undefined): number | null {
  if (!v) return null;
  const f = { us: 0.001, ms: 1, s: 1000 }[unit ?? "ms"] ?? 1;
  return Number(v) * f;
}

/** Reads requests/s, transfer rate, p50/p99 latency and errors from wrk's report. */
export function parseWrk(text: string): ServeFigure {
  const rps = Number(text.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  const tr = text.match(/Transfer\/sec:\s+([\d.]+)([KMG]?B)/);
  const unit =
    { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[tr?.[2] ?? "B"] ??
      1;
  const p50 = text.match(/50%\s+([\d.]+)(us|ms|s)/);
  const p99 = text.match(/99%\s+([\d.]+)(us|ms|s)/);
  const bad = Number(text.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const sockErr = text.match(
    /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/,
  );
  const errors = bad +
    (sockErr ? sockErr.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0);
  return {
    requestsPerSec: rps,
    mbPerSec: tr ? Number(tr[1]) * unit / 1e6 : NaN,
    p50Ms: toMs(p50?.[1], p50?.[2]),
    p99Ms: toMs(p99?.[1], p99?.[2]),
    errors,
  };
}

/** Fallback load generator when wrk is missing: `connections` fetch loops for `seconds`. */
async function loadWithFetch(
  url: string,
  kind: "segment" | "range",
  opts: Load,
): Promise<ServeFigure> {
  const end = performance.now() + opts.seconds * 1000;
  let done = 0;
  let bytes = 0;
  let errors = 0;
  const lat: number[] = [];
  const worker = async (seed: number) => {
    let r = seed;
    while (performance.now() < end) {
      r = (r * 1103515245 + 12345) % 2147483648;
      const headers: Record<string, string> = {};
      if (kind === "range") {
        const s = (r % (BIG / RANGE)) * RANGE;
        headers.range = `bytes=${s}-${s + RANGE - 1}`;
      }
      const t = performance.now();
      try {
        const res = await fetch(url, { headers });
        const body = await res.arrayBuffer();
        if (res.status >= 400) errors++;
        bytes += body.byteLength;
        done++;
        lat.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.connections }, (_, i) => worker(i + 1)),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return {
    requestsPerSec: done / secs,
    mbPerSec: bytes / 1e6 / secs,
    p50Ms: lat[Math.floor(lat.length * 0.5)] ?? null,
    p99Ms: lat[Math.floor(lat.length * 0.99)] ?? null,
    errors,
  };
}

/** Serving figures for the app at `appUrl` and for nginx on the same `dataDir`. */
export async function runServing(
  appUrl: string,
  dataDir: string,
  opts: Load,
): Promise<{
  tool: string;
  app: { segment: ServeFigure; range: ServeFigure };
  nginx: { segment: ServeFigure; range: ServeFigure } | null;
}> {
  const files = await writeServeFiles(dataDir);
  const paths = {
    segment: `/stream/${files.id}/${files.segment}`,
    range: `/stream/${files.id}/${files.big}`,
  };
  const measure = async (base: string) => {
    // A short warm-up so that the first requests' compilation does not count.
    await load(`${base}${paths.segment}`, "segment", { ...opts, seconds: 1 });
    const segment = await load(`${base}${paths.segment}`, "segment", opts);
    const range = await load(`${base}${paths.range}`, "range", opts);
    return { segment, range };
  };
  const app = await measure(appUrl);
  const ngx = await startNginx(dataDir);
  let nginx = null;
  if (ngx) {
    try {
      nginx = await measure(ngx.url);
    } finally {
      await ngx.stop();
    }
  }
  return { tool: app.segment.tool, app, nginx };
}

/** What {@link runServing} resolves to. */
export type ServeResult = Awaited<ReturnType<typeof runServing>>;
