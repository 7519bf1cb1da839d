/**
 * Cluster vs embedded, side by side in one run: the same server process (one web node that
 * also transcodes, `TRANSCODE_CONCURRENCY=1`) once on the embedded backends (SQLite + files
 * in `DATA_DIR`) and once on PostgreSQL + S3 (OpenStack Swift's s3api, both started on
 * loopback by the harnesses in lib/cli), with the same clip: upload throughput (multipart,
 * answered once the original is stored), time from the upload's answer to playable and to
 * ready, the first frame in the app's player in headless Chromium (from the upload's answer,
 * as the progressive section measures it), the first segment's fetch, and stream fetch
 * throughput (every segment of the top rung, 8 connections). Ratios are cluster ÷ embedded.
 */
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../lib/cli/browser.ts";
import { startServer, type TestServer } from "../lib/cli/spawn_server.ts";
import { createDatabase, startPostgres } from "../lib/cli/postgres_server.ts";
import { s3Env, startSwift } from "../lib/cli/swift_server.ts";
import { FFMPEG } from "./app_args.ts";
import {
  deleteVideo,
  fetchFirstSegment,
  uploadFile,
  waitFinished,
} from "./client.ts";
import { output } from "./proc.ts";
import { playOnce } from "./progressive.ts";
import { num, table } from "./report.ts";
import type { Options } from "./options.ts";

/** One side's medians. */
export interface ClusterFigures {
  uploadSec: number;
  uploadMbPerSec: number;
  playableSec: number | null;
  readySec: number;
  /** Upload answered → first frame played in the app's player (Chromium). */
  firstFrameSec: number;
  firstSegmentMs: number;
  streamMbPerSec: number;
}

/** What {@link benchCluster} resolves to. */
export interface ClusterResult {
  clip: { seconds: number; size: string; bytes: number };
  runs: number;
  embedded: ClusterFigures;
  cluster: ClusterFigures;
  /** Start-up of the backends (not counted in the figures). */
  startMs: { postgres: number; swift: number };
}

const CONNECTIONS = 8;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function makeClip(dir: string, seconds: number, size: string) {
  const path = join(dir, `cluster-${size}-${seconds}s.mp4`);
  await output(FFMPEG, [
    ..."-v error -y -f lavfi".split(" "),
    "-i",
    `testsrc2=size=${size}:rate=30:duration=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=sample_rate=48000:duration=${seconds}`,
    ..."-vf noise=alls=12:allf=t -c:v libx264 -preset veryfast -b:v 4M"
      .split(" "),
    ..."-pix_fmt yuv420p -c:a aac".split(" "),
    path,
  ]);
  return path;
}

/** Every segment URL of the top rung (init first). */
async function segmentUrls(base: string, hlsUrl: string): Promise<string[]> {
  const master = new URL(hlsUrl, base);
  const text = await (await fetch(master)).text();
  const variant = text.split("\n").find((l) => l && !l.startsWith("#"))!;
  const mediaUrl = new URL(variant.trim(), master);
  const media = await (await fetch(mediaUrl)).text();
  const init = media.match(/#EXT-X-MAP:URI="([^"]+)"/)?.[1];
  return [
    ...(init ? [init] : []),
    ...media.split("\n").filter((l) => l && !l.startsWith("#")),
  ].map((u) => new URL(u.trim(), mediaUrl).href);
}

/** Bytes per second fetching `urls` round-robin on `CONNECTIONS` connections for `seconds`. */
async function streamThroughput(urls: string[], seconds: number) {
  let bytes = 0;
  let next = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const res = await fetch(urls[next++ % urls.length]);
        if (!res.ok) throw new Error(`GET ${res.url}: ${res.status}`);
        bytes += (await res.arrayBuffer()).byteLength;
      }
    }),
  );
  return bytes / 1e6 / ((performance.now() - t0) / 1000);
}

async function measure(
  server: TestServer,
  browser: Browser,
  clip: string,
  runs: number,
  serveSec: number,
  log: (m: string) => void,
  label: string,
): Promise<ClusterFigures> {
  const bytes = (await Deno.stat(clip)).size;
  const rows: ClusterFigures[] = [];
  for (let r = 0; r < runs; r++) {
    log(`cluster: ${label} run ${r + 1}/${runs}`);
    const t0 = performance.now();
    const video = await uploadFile(server.url, clip);
    const answered = performance.now();
    let playableAt: number | null = null;
    const done = await waitFinished(server.url, video.id, (v) => {
      if (v.playable && playableAt === null) playableAt = performance.now();
    });
    if (done.video.status !== "ready") {
      throw new Error(`${label}: ${done.video.status} ${done.video.error}`);
    }
    const f0 = performance.now();
    await fetchFirstSegment(server.url, done.video.hlsUrl!);
    const firstSegmentMs = performance.now() - f0;
    const urls = await segmentUrls(server.url, done.video.hlsUrl!);
    const streamMbPerSec = await streamThroughput(urls, serveSec);
    await deleteVideo(server.url, video.id);
    const uploadSec = (answered - t0) / 1000;
    const play = await playOnce(server, browser, clip);
    rows.push({
      firstFrameSec: play.firstFrameSec,
      uploadSec,
      uploadMbPerSec: bytes / 1e6 / uploadSec,
      playableSec: playableAt === null ? null : (playableAt - answered) / 1000,
      readySec: (done.at - answered) / 1000,
      firstSegmentMs,
      streamMbPerSec,
    });
  }
  const pick = (k: keyof ClusterFigures) =>
    median(rows.map((x) => x[k]).filter((v): v is number => v !== null));
  return {
    uploadSec: pick("uploadSec"),
    uploadMbPerSec: pick("uploadMbPerSec"),
    playableSec: rows.some((x) => x.playableSec !== null)
      ? pick("playableSec")
      : null,
    readySec: pick("readySec"),
    firstFrameSec: pick("firstFrameSec"),
    firstSegmentMs: pick("firstSegmentMs"),
    streamMbPerSec: pick("streamMbPerSec"),
  };
}

/** Runs the section: embedded first, then the cluster backends, same clip and load. */
export async function benchCluster(
  opts: Options,
  work: string,
  log: (m: string) => void,
): Promise<ClusterResult> {
  const seconds = opts.quick ? 6 : 30;
  const size = opts.quick ? "640x360" : "1280x720";
  log(`cluster: making a ${seconds} s ${size} clip`);
  const clip = await makeClip(work, seconds, size);
  const pg = await startPostgres();
  const swift = await startSwift();
  const servers: TestServer[] = [];
  const browser = await launchBrowser();
  try {
    const db = await createDatabase(pg);
    const serveSec = opts.serveSec;
    const embeddedServer = await startServer({ discardOutput: true });
    servers.push(embeddedServer);
    const embedded = await measure(
      embeddedServer,
      browser,
      clip,
      opts.runs,
      serveSec,
      log,
      "embedded",
    );
    await servers.pop()!.stop();
    const clusterServer = await startServer({
      discardOutput: true,
      env: {
        DATABASE_URL: db.url,
        ...s3Env(swift, `reel-bench-${crypto.randomUUID().slice(0, 8)}`, work),
        SIGNING_SECRET: "bench-cluster-signing-secret-0123456789",
      },
    });
    servers.push(clusterServer);
    const cluster = await measure(
      clusterServer,
      browser,
      clip,
      opts.runs,
      serveSec,
      log,
      "PostgreSQL + S3",
    );
    await servers.pop()!.stop();
    await db.drop();
    return {
      clip: { seconds, size, bytes: (await Deno.stat(clip)).size },
      runs: opts.runs,
      embedded,
      cluster,
      startMs: { postgres: pg.startMs, swift: swift.startMs },
    };
  } finally {
    for (const s of servers) await s[Symbol.asyncDispose]().catch(() => {});
    await browser.close();
    await swift.stop();
    await pg.stop();
  }
}

/** Prints the side-by-side table. */
export function printCluster(c: ClusterResult): void {
  console.log(
    `\n8. Cluster vs embedded — one process that also transcodes, ${c.clip.seconds} s ${c.clip.size} clip (${
      (c.clip.bytes / 1e6).toFixed(1)
    } MB), medians of ${c.runs} run(s); S3 is OpenStack Swift on loopback\n`,
  );
  const row = (
    name: string,
    k: keyof ClusterFigures,
    digits: number,
  ): string[] => {
    const e = c.embedded[k];
    const s = c.cluster[k];
    return [
      name,
      num(e, digits),
      num(s, digits),
      e && s ? `${(s / e).toFixed(2)}×` : "–",
    ];
  };
  console.log(table(["", "embedded", "PostgreSQL + S3", "ratio"], [
    row("upload answered (s)", "uploadSec", 2),
    row("upload MB/s", "uploadMbPerSec", 1),
    row("answer → playable (s)", "playableSec", 2),
    row("answer → ready (s)", "readySec", 2),
    row("answer → first frame, Chromium (s)", "firstFrameSec", 2),
    row("first segment fetched (ms)", "firstSegmentMs", 1),
    row(`stream MB/s (${CONNECTIONS} conns)`, "streamMbPerSec", 1),
  ]));
}
