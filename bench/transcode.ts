/**
 * Transcode figures: the app end to end through its API, the app's own ffmpeg command run
 * bare, the tutorial's two commands exactly as written, and a plain decode (the floor); the
 * copy fast path against a full encode of the same clip; and the quality of the top rung.
 */
import { join } from "node:path";
import { appCommand, FFMPEG } from "./app_args.ts";
import { prepareInputs } from "./inputs.ts";
import type { Options } from "./options.ts";
import {
  fetchFirstSegment,
  uploadFile,
  type Video,
  waitFinished,
} from "./client.ts";
import {
  dirSize,
  median,
  output,
  processCpu,
  timeCommand,
  type Timed,
} from "./proc.ts";

/** One measured way of producing (or just decoding) the streams. */
export interface Figure extends Timed {
  /** Clip seconds per wall second. */
  realtime: number;
  outBytes: number;
  /** What was produced, e.g. `4 + audio`. */
  renditions: string;
}

/** The app end to end: {@link Figure} plus time to playable. */
export interface AppFigure extends Figure {
  /** Upload answered → first segment of the first variant fetched (what a player needs). */
  playableSec: number;
  /** Whether the top rung was a stream copy. */
  copied: boolean;
  /** Whether the ffmpeg the server ran had exactly the arguments the bench runs bare. */
  argsMatch: boolean | null;
  /** CPU seconds of the server process itself (not its children) during the job. */
  serverCpuSec: number;
}

/** A server to send uploads to (see lib/cli/spawn_server.ts). */
export interface Target {
  url: string;
  pid: number;
  dataDir: string;
}

/** The tutorial's two commands (HLS, then DASH) exactly as it runs them. */
export function tutorialCommands(input: string, out: string): string[][] {
  const quiet = ["-hide_banner", "-nostdin", "-loglevel", "error"];
  return [
    [
      ...quiet,
      ...["-i", input, "-profile:v", "baseline", "-level", "3.0"],
      ...["-start_number", "0", "-hls_time", "10", "-hls_list_size", "0"],
      ...["-f", "hls", `${out}/hls/playlist.m3u8`],
    ],
    [
      ...quiet,
      ...["-i", input, "-map", "0:v", "-map", "0:a", "-c:v", "libx264"],
      ...["-x264-params", "keyint=60:min-keyint=60:no-scenecut=1"],
      ...["-b:v:0", "1500k", "-c:a", "aac", "-b:a", "128k", "-bf", "1"],
      ...["-keyint_min", "60", "-g", "60", "-sc_threshold", "0", "-f", "dash"],
      ...["-use_template", "1", "-use_timeline", "1"],
      ...["-init_seg_name", "init-$RepresentationID$.m4s"],
      ...["-media_seg_name", "chunk-$RepresentationID$-$Number%05d$.m4s"],
      ...["-adaptation_sets", "id=0,streams=v id=1,streams=a"],
      `${out}/dash/manifest.mpd`,
    ],
  ];
}

function figure(
  t: Timed,
  seconds: number,
  outBytes: number,
  renditions: string,
): Figure {
  return { ...t, realtime: seconds / t.wallSec, outBytes, renditions };
}

/** `ffmpeg -i IN -f null -`: decoding alone, the least any transcode can take. */
export async function runFloor(
  input: string,
  seconds: number,
): Promise<Figure> {
  const t = await timeCommand(FFMPEG, [
    ...["-hide_banner", "-nostdin", "-loglevel", "error"],
    ...["-i", input, "-f", "null", "-"],
  ]);
  return figure(t, seconds, 0, "-");
}

/** Runs the tutorial's two commands into `out` (kept for the quality check). */
export async function runTutorial(
  input: string,
  seconds: number,
  out: string,
): Promise<Figure> {
  await Deno.mkdir(`${out}/hls`, { recursive: true });
  await Deno.mkdir(`${out}/dash`, { recursive: true });
  const [hls, dash] = tutorialCommands(input, out);
  const a = await timeCommand(FFMPEG, hls);
  const b = await timeCommand(FFMPEG, dash);
  const t = { wallSec: a.wallSec + b.wallSec, cpuSec: a.cpuSec + b.cpuSec };
  return figure(t, seconds, (await dirSize(out)).bytes, "1 HLS + 1 DASH");
}

/** Runs the app's own ffmpeg command (as `transcode()` builds it) bare, into `out`. */
export async function runAppBare(
  input: string,
  seconds: number,
  out: string,
  opts: { allowCopy?: boolean } = {},
): Promise<Figure & { args: string[] }> {
  await Deno.mkdir(out, { recursive: true });
  const cmd = await appCommand(input, out, opts);
  const t = await timeCommand(FFMPEG, cmd.args);
  const label = `${cmd.renditions.length}${cmd.copy ? " (top copied)" : ""}` +
    (cmd.info.audio ? " + audio" : "");
  return {
    ...figure(t, seconds, (await dirSize(out)).bytes, label),
    args: cmd.args,
  };
}

/**
 * Uploads `input` to the server and measures from the upload's answer (202) to `ready` (over
 * SSE), then on to the first segment a player would fetch. CPU time is the server's own plus
 * every child it reaped meanwhile (ffprobe, ffmpeg).
 */
export async function runAppEndToEnd(
  server: Target,
  input: string,
  seconds: number,
): Promise<AppFigure & { video: Video; args: string[] | null }> {
  const uploaded = await uploadFile(server.url, input);
  const t0 = performance.now();
  const cpu0 = await processCpu(server.pid);
  const watcher = watchFfmpeg(server.pid);
  const { video, at } = await waitFinished(server.url, uploaded.id);
  const cpu1 = await processCpu(server.pid);
  const args = await watcher.stop();
  if (video.status !== "ready") {
    throw new Error(`the app failed to transcode ${input}: ${video.error}`);
  }
  await fetchFirstSegment(server.url, video.hlsUrl!);
  const playableSec = (performance.now() - t0) / 1000;
  const streams = join(server.dataDir, "streams", video.id);
  const copied = args !== null && args.includes("copy");
  const t = {
    wallSec: (at - t0) / 1000,
    cpuSec: cpu1.own + cpu1.children - cpu0.own - cpu0.children,
  };
  const label = `${video.renditions.length}${copied ? " (top copied)" : ""}` +
    " + audio";
  return {
    ...figure(t, seconds, (await dirSize(streams)).bytes, label),
    playableSec,
    copied,
    argsMatch: null,
    serverCpuSec: cpu1.own - cpu0.own,
    video,
    args,
  };
}

/**
 * Watches the server's children and keeps the command line of the ffmpeg it starts, so the
 * bench can check that the bare run is the very command the app ran.
 */
function watchFfmpeg(pid: number): { stop(): Promise<string[] | null> } {
  let found: string[] | null = null;
  let running = true;
  const loop = (async () => {
    while (running && !found) {
      for await (const e of Deno.readDir("/proc")) {
        if (!/^\d+$/.test(e.name)) continue;
        try {
          const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
          const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          if (Number(after[1]) !== pid || !stat.includes("(ffmpeg)")) continue;
          const cmdline = await Deno.readTextFile(`/proc/${e.name}/cmdline`);
          const args = cmdline.split("\0").filter((a, i, all) =>
            i < all.length - 1 || a !== ""
          );
          if (args.length > 1) found = args.slice(1);
        } catch { /* gone meanwhile */ }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return found;
    },
  };
}

/**
 * Whether two ffmpeg argument lists are the same command apart from where they read and
 * write (the input after `-i`, and the folder of every output path).
 */
export function sameCommand(a: string[], b: string[]): boolean {
  const norm = (args: string[]): string[] =>
    args.map((x, i) =>
      args[i - 1] === "-i"
        ? "IN"
        : x.startsWith("/")
        ? `OUT/${x.split("/").pop()}`
        : x
    );
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/** PSNR (dB, all planes) and SSIM (all planes) of `distorted` against `source`. */
export interface Quality {
  psnr: number;
  ssim: number;
}

/**
 * Measures a distorted video against its source with ffmpeg's own psnr and ssim filters;
 * with `size`, the distorted picture is first scaled (bicubic) to that size, the source's.
 */
export async function quality(
  distorted: string,
  source: string,
  size?: { width: number; height: number },
): Promise<Quality> {
  const scale = size ? `scale=${size.width}:${size.height}:flags=bicubic,` : "";
  const { stderr } = await output(FFMPEG, [
    ...["-hide_banner", "-nostdin", "-i", distorted, "-i", source],
    "-lavfi",
    `[0:v]${scale}setpts=PTS-STARTPTS,split[a0][a1];[1:v]setpts=PTS-STARTPTS,split[b0][b1];` +
    "[a0][b0]psnr;[a1][b1]ssim",
    ...["-f", "null", "-"],
  ]);
  const psnr = Number(stderr.match(/PSNR .*average:([\d.]+|inf)/)?.[1]);
  const ssim = Number(stderr.match(/SSIM .*All:([\d.]+)/)?.[1]);
  return { psnr, ssim };
}

/**
 * Joins a CMAF representation's init segment and media segments into one playable MP4 (for
 * the quality check); returns its path.
 */
export async function joinRepresentation(
  dir: string,
  rep: number,
  out: string,
): Promise<string> {
  const chunks: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith(`chunk-${rep}-`)) chunks.push(e.name);
  }
  chunks.sort();
  using file = await Deno.open(out, {
    create: true,
    write: true,
    truncate: true,
  });
  for (const name of [`init-${rep}.m4s`, ...chunks]) {
    const data = await Deno.readFile(join(dir, name));
    let off = 0;
    while (off < data.length) off += await file.write(data.subarray(off));
  }
  return out;
}

/** Median of every numeric field of the figures (strings and flags from the first). */
function medianOf<T extends object>(list: T[]): T {
  const out: Record<string, unknown> = {
    ...list[0] as Record<string, unknown>,
  };
  for (const [k, v] of Object.entries(list[0] as Record<string, unknown>)) {
    if (typeof v === "number") {
      out[k] = median(list.map((f) => (f as Record<string, number>)[k]));
    }
  }
  return out as T;
}

/** One run's figures. */
interface TranscodeRun {
  floor: Figure;
  tutorial: Figure;
  appBare: Figure;
  app: AppFigure;
  copyApp: AppFigure;
  fullBare: Figure;
}

/** The whole transcode section: every figure over `opts.runs` runs, their medians and ratios. */
export async function benchTranscode(
  opts: Options,
  server: Target,
  work: string,
  log: (msg: string) => void,
) {
  const inputs = await prepareInputs(opts.clipSec, log);
  const sec = inputs.seconds;
  const runs: TranscodeRun[] = [];
  let lastAppId = "";
  let argsMatch = true;
  for (let r = 1; r <= opts.runs; r++) {
    const dir = join(work, `run-${r}`);
    const step = (what: string) => log(`run ${r}/${opts.runs}: ${what}`);
    step("decode only (floor)");
    const floor = await runFloor(inputs.noisy, sec);
    step("tutorial's two commands");
    const tutorial = await runTutorial(
      inputs.noisy,
      sec,
      join(dir, "tutorial"),
    );
    step("app's ffmpeg command, bare");
    const appBare = await runAppBare(inputs.noisy, sec, join(dir, "bare"));
    step("app end to end (upload → ready)");
    const app = await runAppEndToEnd(server, inputs.noisy, sec);
    app.argsMatch = app.args !== null && sameCommand(app.args, appBare.args);
    step("copy path: app end to end");
    const copyApp = await runAppEndToEnd(server, inputs.copyable, sec);
    copyApp.argsMatch = copyApp.args !== null &&
      sameCommand(copyApp.args, (await appCommand(inputs.copyable, dir)).args);
    step("copy clip fully encoded, bare");
    const fullBare = await runAppBare(inputs.copyable, sec, join(dir, "full"), {
      allowCopy: false,
    });
    argsMatch &&= app.argsMatch && copyApp.argsMatch;
    lastAppId = app.video.id;
    const strip = <T extends { args?: unknown; video?: unknown }>(f: T) => {
      const { args: _a, video: _v, ...rest } = f;
      return rest;
    };
    runs.push({
      floor,
      tutorial,
      appBare: strip(appBare) as Figure,
      app: strip(app) as AppFigure,
      copyApp: strip(copyApp) as AppFigure,
      fullBare: strip(fullBare) as Figure,
    });
    if (r < opts.runs) await Deno.remove(dir, { recursive: true });
  }
  if (!argsMatch) {
    log("WARNING: the server ran other ffmpeg arguments than the bare runs");
  }

  log("quality: PSNR/SSIM against the source");
  const last = join(work, `run-${opts.runs}`);
  const q: Record<string, Quality> = {};
  const appTop = await joinRepresentation(
    join(server.dataDir, "streams", lastAppId),
    0,
    join(work, "app-top.mp4"),
  );
  q.appTopRung = await quality(appTop, inputs.noisy);
  q.tutorialDash = await quality(
    await joinRepresentation(
      join(last, "tutorial", "dash"),
      0,
      join(work, "tut-dash.mp4"),
    ),
    inputs.noisy,
  );
  q.tutorialHls = await quality(
    join(last, "tutorial", "hls", "playlist.m3u8"),
    inputs.noisy,
  );

  const ratio = (f: (r: TranscodeRun) => number) => median(runs.map(f));
  return {
    clipSec: sec,
    inputs: {
      noisyBytes: (await Deno.stat(inputs.noisy)).size,
      copyableBytes: (await Deno.stat(inputs.copyable)).size,
    },
    median: {
      floor: medianOf(runs.map((r) => r.floor)),
      tutorial: medianOf(runs.map((r) => r.tutorial)),
      appBare: medianOf(runs.map((r) => r.appBare)),
      app: medianOf(runs.map((r) => r.app)),
      copyApp: medianOf(runs.map((r) => r.copyApp)),
      fullBare: medianOf(runs.map((r) => r.fullBare)),
    },
    ratios: {
      appVsTutorial: ratio((r) => r.tutorial.wallSec / r.app.wallSec),
      appCpuVsTutorial: ratio((r) => r.tutorial.cpuSec / r.app.cpuSec),
      appOverhead: ratio((r) => r.app.wallSec / r.appBare.wallSec - 1),
      appCpuOverhead: ratio((r) => r.app.cpuSec / r.appBare.cpuSec - 1),
      copyVsFull: ratio((r) => r.fullBare.wallSec / r.copyApp.wallSec),
      copyCpuVsFull: ratio((r) => r.fullBare.cpuSec / r.copyApp.cpuSec),
    },
    argsMatch,
    quality: q,
    runs,
    lastAppId,
  };
}

export type TranscodeResult = Awaited<ReturnType<typeof benchTranscode>>;
