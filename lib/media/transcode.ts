/**
 * Runs the one ffmpeg process that produces a video's whole stream folder (HLS + DASH on shared
 * CMAF segments, poster, thumbnail sprite), with progress, cancellation and an atomic finish:
 * output goes to `<outDir>.tmp-<random>` and is renamed to `outDir` only when complete.
 */

import { basename, dirname, join } from "node:path";
import {
  fileUrl,
  inputGuardArgs,
  type MediaInfo,
  probeKeyframes,
} from "./probe.ts";
import {
  canCopyTopRung,
  keyframeIntervals,
  planLadder,
  SEGMENT_SEC,
} from "./ladder.ts";
import {
  buildFfmpegArgs,
  OUTPUT_FILES,
  posterSize,
  posterTime,
  QUIET_ARGS,
} from "./ffmpeg_args.ts";
import {
  planThumbnails,
  spriteFilter,
  type ThumbnailPlan,
  thumbnailVtt,
} from "./thumbnails.ts";
import {
  type MeasuredRate,
  measureRepresentation,
  rewriteBandwidths,
} from "./bandwidth.ts";

/** Options for {@link transcode}. */
export interface TranscodeOptions {
  /** The original file (already accepted by `probe`). */
  input: string;
  info: MediaInfo;
  /** The stream folder to create, e.g. `DATA_DIR/streams/<id>`; replaced if it exists. */
  outDir: string;
  ffmpegPath: string;
  /** Used to read the source's keyframes for the copy fast path; default: next to ffmpeg. */
  ffprobePath?: string;
  /** Called with 0…1, at most about four times a second, never decreasing. */
  onProgress?: (fraction: number) => void;
  /** Aborting kills ffmpeg (SIGKILL) and removes the temporary folder. */
  signal?: AbortSignal;
  /** Called with ffmpeg's pid (the leader of its own process group). */
  onSpawn?: (pid: number) => void;
  /** x264 threads per rung (default: ffmpeg decides). */
  threads?: number;
  /** x264 preset (default {@link X264_PRESET}). */
  preset?: string;
  /** Allow the stream-copy top rung when the source qualifies (default true). */
  allowCopy?: boolean;
}

/** What {@link transcode} produced. */
export interface TranscodeResult {
  /** Largest first; `bitrate` is the measured average of video plus audio, in bits/s. */
  renditions: { width: number; height: number; bitrate: number }[];
  durationSec: number;
  /** Whether the top rung is the source's video copied without re-encoding. */
  copiedTopRung: boolean;
  /** Whether `thumbs.vtt` and its sprite were written. */
  thumbnails: boolean;
  /** Wall-clock seconds the whole job took. */
  elapsedSec: number;
}

/** x264 preset of every encoded rung unless `TranscodeOptions.preset` says otherwise. */
export const X264_PRESET = "veryfast";

const STDERR_LINES = 50;
const PROGRESS_INTERVAL_MS = 250;

/**
 * Transcodes `opts.input` into `opts.outDir`. Throws `Error("ffmpeg failed: …")` with ffmpeg's
 * last error line when it fails, and the signal's reason when aborted; in both cases nothing is
 * left on disk.
 */
export async function transcode(
  opts: TranscodeOptions,
): Promise<TranscodeResult> {
  const started = performance.now();
  const { info, signal } = opts;
  signal?.throwIfAborted();
  const copy = opts.allowCopy !== false && await topRungCopyable(opts);
  const renditions = planLadder(info, { copyTopRung: copy });
  const thumbs = planThumbnails(
    info.durationSec,
    info.video.displayWidth,
    info.video.displayHeight,
  );
  const [posterWidth, posterHeight] = posterSize(
    info.video.displayWidth,
    info.video.displayHeight,
  );
  const progress = { last: 0 };
  const tmp = `${opts.outDir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(join(tmp, OUTPUT_FILES.tiles), { recursive: true });
  try {
    const args = buildFfmpegArgs({
      input: opts.input,
      info,
      renditions,
      outDir: tmp,
      preset: opts.preset ?? X264_PRESET,
      threads: opts.threads,
      posterAtSec: posterTime(info.durationSec),
      posterWidth,
      posterHeight,
      thumbnails: thumbs,
    });
    await runFfmpeg(opts, args, progress, tmp);
    signal?.throwIfAborted();

    for (const f of [OUTPUT_FILES.mpd, OUTPUT_FILES.hlsMaster]) {
      if (!await exists(join(tmp, f))) {
        throw new Error(`ffmpeg failed: it wrote no ${f}`);
      }
    }
    const video: MeasuredRate[] = [];
    for (let i = 0; i < renditions.length; i++) {
      video.push(await measureRepresentation(tmp, i));
    }
    const audio = info.audio
      ? await measureRepresentation(tmp, renditions.length)
      : null;
    await rewriteBandwidths(tmp, video, audio);

    if (!await exists(join(tmp, OUTPUT_FILES.poster))) {
      await grabPoster(
        opts,
        join(tmp, OUTPUT_FILES.poster),
        posterWidth,
        posterHeight,
      );
    }
    await joinSprite(opts, tmp, thumbs);
    const thumbnails = await exists(join(tmp, OUTPUT_FILES.sprite));
    if (thumbnails) {
      await Deno.writeTextFile(
        join(tmp, OUTPUT_FILES.vtt),
        thumbnailVtt(thumbs, info.durationSec, OUTPUT_FILES.sprite),
      );
    }

    signal?.throwIfAborted();
    await Deno.remove(opts.outDir, { recursive: true }).catch(() => {});
    await Deno.rename(tmp, opts.outDir);
    if (progress.last < 1) opts.onProgress?.(1);
    return {
      renditions: renditions.map((r, i) => ({
        width: r.width,
        height: r.height,
        bitrate: video[i].average + (audio?.average ?? 0),
      })),
      durationSec: video[0]?.durationSec || info.durationSec,
      copiedTopRung: copy,
      thumbnails,
      elapsedSec: (performance.now() - started) / 1000,
    };
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
}

/** The fast-path check: cheap rules first, then the source's keyframe spacing. */
async function topRungCopyable(opts: TranscodeOptions): Promise<boolean> {
  if (!canCopyTopRung(opts.info, [SEGMENT_SEC])) return false;
  const times = await probeKeyframes(opts.input, opts.info, {
    ffprobePath: opts.ffprobePath ?? siblingTool(opts.ffmpegPath, "ffprobe"),
    signal: opts.signal,
  });
  return times.length > 0 &&
    canCopyTopRung(opts.info, keyframeIntervals(times));
}

/** `…/ffmpeg` → `…/ffprobe` (or plain `ffprobe` when ffmpeg is found on PATH). */
function siblingTool(ffmpegPath: string, tool: string): string {
  const name = basename(ffmpegPath).replace("ffmpeg", tool);
  return ffmpegPath.includes("/") ? join(dirname(ffmpegPath), name) : name;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Spawns ffmpeg, reports progress from `-progress pipe:1`, and fails with its last error. */
async function runFfmpeg(
  opts: TranscodeOptions,
  args: string[],
  progress: { last: number },
  tmp: string,
): Promise<void> {
  const { signal } = opts;
  let child: Deno.ChildProcess;
  try {
    child = spawn(opts.ffmpegPath, args);
  } catch (err) {
    throw new Error(
      `ffmpeg failed: could not start ${opts.ffmpegPath} (${
        (err as Error).message
      })`,
    );
  }
  const proc = child;
  const kill = (): void => {
    try {
      proc.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  };
  signal?.addEventListener("abort", kill, { once: true });
  if (signal?.aborted) kill();
  opts.onSpawn?.(proc.pid);

  const stderrTail: string[] = [];
  try {
    const [status] = await Promise.all([
      proc.status,
      readLines(proc.stdout, progressReader(opts, progress)),
      readLines(proc.stderr, (line) => {
        if (!line.trim()) return;
        stderrTail.push(line.trim());
        if (stderrTail.length > STDERR_LINES) stderrTail.shift();
      }),
    ]);
    signal?.throwIfAborted();
    if (!status.success) {
      const reason = stderrTail.filter((l) =>
        !/^Conversion failed!?$/.test(l)
      ).at(-1) ??
        (status.signal
          ? `killed by ${status.signal}`
          : `exit code ${status.code}`);
      // Server paths mean nothing to the person reading the reason.
      const readable = reason.replaceAll(`${fileUrl(opts.input)}: `, "")
        .replaceAll(fileUrl(opts.input), "the input")
        .replaceAll(opts.input, "the input")
        .replaceAll(tmp, "the output folder");
      throw new Error(`ffmpeg failed: ${readable}`);
    }
  } finally {
    signal?.removeEventListener("abort", kill);
  }
}

function spawn(cmd: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(cmd, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // Its own session and process group (pgid = pid), so a restarted server can kill it
    // and everything it started by the pid recorded with the job.
    detached: true,
  })
    .spawn();
}

/** Turns `-progress` key=value lines into throttled, monotonic onProgress calls. */
function progressReader(
  opts: TranscodeOptions,
  progress: { last: number },
): (line: string) => void {
  let lastEmit = 0;
  return (line) => {
    if (!opts.onProgress || !line.startsWith("out_time_us=")) return;
    const us = Number(line.slice("out_time_us=".length));
    if (!Number.isFinite(us) || us < 0) return; // "N/A" while nothing is muxed yet.
    const fraction = Math.min(1, us / 1e6 / opts.info.durationSec);
    const now = performance.now();
    if (fraction <= progress.last || now - lastEmit < PROGRESS_INTERVAL_MS) {
      return;
    }
    progress.last = fraction;
    lastEmit = now;
    opts.onProgress(fraction);
  };
}

/** Reads a byte stream to the end, calling `onLine` per line. */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const bytes of stream) {
    const lines = (rest + decoder.decode(bytes, { stream: true })).split(
      /\r?\n|\r/,
    );
    rest = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  if (rest) onLine(rest);
}

/** Joins the tile images written during the encode into the sprite, then removes them. */
async function joinSprite(
  opts: TranscodeOptions,
  dir: string,
  plan: ThumbnailPlan,
): Promise<void> {
  const tiles = join(dir, OUTPUT_FILES.tiles);
  try {
    if (!await exists(join(tiles, "0001.jpg"))) return;
    await runQuiet(opts.ffmpegPath, [
      "-protocol_whitelist",
      "file",
      "-f",
      "image2",
      "-i",
      join(tiles, "%04d.jpg"),
      "-vf",
      spriteFilter(plan),
      "-frames:v",
      "1",
      "-q:v",
      "5",
      "-f",
      "image2",
      "-update",
      "1",
      join(dir, OUTPUT_FILES.sprite),
    ]);
  } finally {
    await Deno.remove(tiles, { recursive: true }).catch(() => {});
  }
}

/** Runs a short ffmpeg job with {@link QUIET_ARGS}; its output is not needed. */
async function runQuiet(ffmpegPath: string, args: string[]): Promise<void> {
  await new Deno.Command(ffmpegPath, {
    args: [...QUIET_ARGS, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
}

/** Fallback poster (first frame) when the in-graph one was not written. */
async function grabPoster(
  opts: TranscodeOptions,
  out: string,
  width: number,
  height: number,
): Promise<void> {
  await runQuiet(opts.ffmpegPath, [
    ...inputGuardArgs(opts.info.formatName),
    "-i",
    fileUrl(opts.input),
    "-map",
    `0:${opts.info.video.index}`,
    "-frames:v",
    "1",
    "-vf",
    `scale=${width}:${height},setsar=1,format=yuvj420p`,
    "-map_metadata",
    "-1",
    "-f",
    "image2",
    "-update",
    "1",
    out,
  ]);
}
