/**
 * Produces a video's whole stream folder (HLS + DASH on shared CMAF segments, poster,
 * thumbnail sprite) in two ffmpeg phases — the first rendition fast and published as it
 * grows, the rest of the ladder beside it — with progress, cancellation and an atomic finish:
 * output goes to `<outDir>.tmp-<random>` and is renamed to `outDir` only when complete.
 *
 * @module
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
  outputFps,
  posterSize,
  posterTime,
  QUIET_ARGS,
} from "./ffmpeg_args.ts";
import { finalIdOf, type Phase, type PhasePlan, planPhases } from "./phases.ts";
import { mergePhases } from "./merge.ts";
import {
  type AudioRendition,
  audioStreamsOf,
  audioTracksOf,
} from "./audio_tracks.ts";
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
import { FirstPhasePublisher, type PublishFile } from "./first_publish.ts";

export type { PublishFile };

/** Options for {@link transcode}. */
export interface TranscodeOptions {
  /** The original file (already accepted by `probe`). */
  input: string;
  info: MediaInfo;
  /** The stream folder to create, e.g. `DATA_DIR/work/<id>/out`; replaced if it exists. */
  outDir: string;
  ffmpegPath: string;
  /** Used to read the source's keyframes for the copy fast path; default: next to ffmpeg. */
  ffprobePath?: string;
  /** Called with 0…1, at most about four times a second, never decreasing. */
  onProgress?: (fraction: number) => void;
  /** Aborting kills ffmpeg (SIGKILL) and removes the temporary folder. */
  signal?: AbortSignal;
  /** Called with the pid of each ffmpeg process started (each leads its own process group). */
  onSpawn?: (pid: number) => void;
  /** Called with the pids of all running ffmpeg processes whenever that set changes. */
  onProcesses?: (pids: number[]) => void;
  /** The ladder about to be produced, largest first (final representation order). */
  onPlan?: (renditions: { width: number; height: number }[]) => Promise<void>;
  /**
   * Progressive publishing: called, one call at a time and in order, with files under their
   * final names: the poster, then the first rendition's segments followed by the EVENT
   * playlists that list them, and the master listing it. Publish them in the order given.
   */
  onPublish?: (files: PublishFile[]) => Promise<void>;
  /** A rendition (final index) is complete; bitrate of video plus audio, bits/s. */
  onRenditionReady?: (index: number, bitrate: number) => Promise<void>;
  /** x264 threads per rung (default: ffmpeg decides). */
  threads?: number;
  /** x264 preset (default {@link X264_PRESET}). */
  preset?: string;
  /** Allow the stream-copy top rung when the source qualifies (default true). */
  allowCopy?: boolean;
  /**
   * Run the rest of the ladder while the first rendition is written (default true), at a
   * lower CPU priority (`nice`) so the first one stays fast; false runs them one after the
   * other.
   */
  concurrent?: boolean;
  /**
   * One ffmpeg for the whole ladder (nothing playable before the end), as before progressive
   * publishing; for benchmarks. Default false.
   */
  singlePass?: boolean;
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
  /** Seconds from the start until the first rendition was published (null: never). */
  firstPublishSec: number | null;
}

/** x264 preset of every encoded rung unless `TranscodeOptions.preset` says otherwise. */
export const X264_PRESET = "veryfast";

const STDERR_LINES = 50;
const PROGRESS_INTERVAL_MS = 250;
/**
 * CPU priorities (`nice`): transcoding yields to the web server it may share a machine with,
 * and the rest of the ladder yields to the first rendition, which viewers may be watching.
 */
const FIRST_NICENESS = 5;
const REST_NICENESS = 15;

/**
 * Transcodes `opts.input` into `opts.outDir` in two phases (see `phases.ts`): the first
 * rendition fast, published as it grows through `onPublish`, and the rest of the ladder
 * beside it; then joins them into one stream folder. Throws `Error("ffmpeg failed: …")` with
 * ffmpeg's last error line when it fails, and the signal's reason when aborted; in both cases
 * nothing is left on disk.
 */
export async function transcode(
  opts: TranscodeOptions,
): Promise<TranscodeResult> {
  const started = performance.now();
  const { info, signal } = opts;
  signal?.throwIfAborted();
  const copy = opts.allowCopy !== false && await topRungCopyable(opts);
  const renditions = planLadder(info, { copyTopRung: copy });
  const plan = planPhases(renditions, audioStreamsOf(info).length, {
    single: opts.singlePass,
  });
  const audioTracks: AudioRendition[] = audioTracksOf(info).map((t, j) => ({
    ...t,
    id: plan.audioIds[j],
  }));
  const thumbs = planThumbnails(
    info.durationSec,
    info.video.displayWidth,
    info.video.displayHeight,
  );
  const [posterWidth, posterHeight] = posterSize(
    info.video.displayWidth,
    info.video.displayHeight,
  );
  const tmp = `${opts.outDir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  const dirs = {
    first: join(tmp, "first"),
    rest: join(tmp, "rest"),
    pub: join(tmp, "publish"),
    final: join(tmp, "final"),
  };
  for (const d of Object.values(dirs)) await Deno.mkdir(d, { recursive: true });
  // Either phase failing stops the other.
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const pids = new Map<string, number>();
  // The poster grab runs beside the first phase; nothing is removed while it writes.
  let posterDone: Promise<void> = Promise.resolve();
  const spawned = (name: string, pid: number | null) => {
    if (pid === null) pids.delete(name);
    else {
      pids.set(name, pid);
      opts.onSpawn?.(pid);
    }
    opts.onProcesses?.([...pids.values()]);
  };
  try {
    await opts.onPlan?.(
      renditions.map((r) => ({ width: r.width, height: r.height })),
    );
    const posterPath = join(tmp, OUTPUT_FILES.poster);
    const publisher = new FirstPhasePublisher(
      dirs.first,
      dirs.pub,
      plan,
      audioTracks,
      opts.onPublish,
    );
    // The poster is grabbed while the first phase starts, and published before anything
    // else (the API shows it from `playable` on).
    posterDone = publisher.publishWhen(
      grabPoster(
        opts,
        posterPath,
        posterWidth,
        posterHeight,
        posterTime(info.durationSec),
      ).then(async () =>
        await exists(posterPath)
          ? [{ name: OUTPUT_FILES.poster, path: posterPath }]
          : []
      ),
    );
    const phaseArgs = (phase: Phase, outDir: string) => {
      if (phase.thumbnails) {
        Deno.mkdirSync(join(outDir, OUTPUT_FILES.tiles), { recursive: true });
      }
      return buildFfmpegArgs({
        input: opts.input,
        info,
        renditions: phase.renditions,
        outDir,
        preset: opts.preset ?? X264_PRESET,
        threads: opts.threads,
        posterAtSec: posterTime(info.durationSec),
        posterWidth,
        posterHeight,
        poster: false,
        audio: phase.audio,
        thumbnails: phase.thumbnails ? thumbs : null,
        keyframes: phase.keyframes,
      });
    };
    const progress = new PhaseProgress(plan, opts.onProgress);
    const runFirst = async () => {
      const watching = publisher.watch(stop.signal);
      try {
        await runFfmpeg(
          { ...opts, signal: stop.signal },
          phaseArgs(plan.first, dirs.first),
          (f) => progress.report(0, f),
          (pid) => spawned("first", pid),
          dirs.first,
        );
      } finally {
        await watching.stop().finally(() => publisher.release());
      }
      await publisher.finish();
      // A rendition plays with any one track; its figure counts the largest.
      let audioAverage = 0;
      if (plan.first.audio) {
        for (let j = 0; j < plan.audioIds.length; j++) {
          const a = await measureRepresentation(
            dirs.first,
            plan.first.renditions.length + j,
          );
          audioAverage = Math.max(audioAverage, a.average);
        }
      }
      for (const [local, index] of plan.first.finalIds.entries()) {
        const rate = await measureRepresentation(dirs.first, local);
        await opts.onRenditionReady?.(index, rate.average + audioAverage);
      }
    };
    const runRest = async () => {
      if (!plan.rest) return;
      // The first rendition starts alone: its first segment comes ~0.7 s sooner, and the
      // cores it leaves idle later go to the rest anyway.
      if (opts.concurrent !== false) await publisher.started;
      stop.signal.throwIfAborted();
      await runFfmpeg(
        { ...opts, signal: stop.signal },
        phaseArgs(plan.rest, dirs.rest),
        (f) => progress.report(1, f),
        (pid) => spawned("rest", pid),
        dirs.rest,
        opts.concurrent !== false ? REST_NICENESS : FIRST_NICENESS,
      );
    };
    const failFast = <T>(p: Promise<T>) =>
      p.catch((err) => {
        stop.abort(err);
        throw err;
      });
    if (opts.concurrent === false) {
      await runFirst();
      await runRest();
    } else {
      // Either failing stops the other; wait for both, so nothing is still publishing when
      // the caller cleans up.
      const settled = await Promise.allSettled([
        failFast(runFirst()),
        failFast(runRest()),
      ]);
      const failed = settled.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }
    await posterDone;
    signal?.throwIfAborted();

    await mergePhases(
      [
        { dir: dirs.first, finalId: finalIdOf(plan.first, plan) },
        ...(plan.rest
          ? [{ dir: dirs.rest, finalId: finalIdOf(plan.rest, plan) }]
          : []),
      ],
      dirs.final,
      audioTracks,
    );
    const out = dirs.final;
    for (const f of [OUTPUT_FILES.mpd, OUTPUT_FILES.hlsMaster]) {
      if (!await exists(join(out, f))) {
        throw new Error(`ffmpeg failed: it wrote no ${f}`);
      }
    }
    const video: MeasuredRate[] = [];
    for (let i = 0; i < renditions.length; i++) {
      video.push(await measureRepresentation(out, i));
    }
    const audio: MeasuredRate[] = [];
    for (const id of plan.audioIds) {
      audio.push(await measureRepresentation(out, id));
    }
    await rewriteBandwidths(out, video, audio, outputFps(info));
    const audioAverage = Math.max(0, ...audio.map((a) => a.average));

    if (await exists(posterPath)) {
      await Deno.rename(posterPath, join(out, OUTPUT_FILES.poster));
    } else {
      await grabPoster(
        opts,
        join(out, OUTPUT_FILES.poster),
        posterWidth,
        posterHeight,
        0,
      );
    }
    await joinSprite(opts, out, thumbs);
    const thumbnails = await exists(join(out, OUTPUT_FILES.sprite));
    if (thumbnails) {
      await Deno.writeTextFile(
        join(out, OUTPUT_FILES.vtt),
        thumbnailVtt(thumbs, info.durationSec, OUTPUT_FILES.sprite),
      );
    }

    signal?.throwIfAborted();
    await Deno.remove(opts.outDir, { recursive: true }).catch(() => {});
    await Deno.rename(out, opts.outDir);
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    progress.done();
    return {
      renditions: renditions.map((r, i) => ({
        width: r.width,
        height: r.height,
        bitrate: video[i].average + audioAverage,
      })),
      durationSec: video[0]?.durationSec || info.durationSec,
      copiedTopRung: copy,
      thumbnails,
      elapsedSec: (performance.now() - started) / 1000,
      firstPublishSec: publisher.firstAt === null
        ? null
        : (publisher.firstAt - started) / 1000,
    };
  } catch (err) {
    stop.abort(err);
    await posterDone.catch(() => {});
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Overall progress from the phases' own, weighted by their share of the work. */
class PhaseProgress {
  #weights: number[];
  #parts: number[];
  #last = 0;
  #lastEmit = 0;
  #emit?: (fraction: number) => void;

  constructor(plan: PhasePlan, emit?: (fraction: number) => void) {
    // Work ≈ one decode plus the pixels encoded (a copied rung costs almost nothing).
    const work = (p: Phase | null) => {
      if (!p) return 0;
      const encoded = p.renditions.filter((r) => !r.copy);
      const decode = encoded.length || p.thumbnails ? 0.5 : 0.02;
      return decode + encoded.reduce((n, r) => n + r.width * r.height / 2e6, 0);
    };
    const w = [work(plan.first), work(plan.rest)];
    const total = w[0] + w[1] || 1;
    this.#weights = w.map((x) => x / total);
    this.#parts = [0, 0];
    this.#emit = emit;
  }

  report(phase: number, fraction: number): void {
    this.#parts[phase] = Math.max(this.#parts[phase], fraction);
    const now = performance.now();
    const overall = this.#parts[0] * this.#weights[0] +
      this.#parts[1] * this.#weights[1];
    if (!this.#emit || overall <= this.#last) return;
    if (now - this.#lastEmit < PROGRESS_INTERVAL_MS) return;
    this.#last = overall;
    this.#lastEmit = now;
    this.#emit(Math.min(1, overall));
  }

  done(): void {
    if (this.#last < 1) this.#emit?.(1);
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
  onFraction: (fraction: number) => void,
  onPid: (pid: number | null) => void,
  tmp: string,
  niceness = FIRST_NICENESS,
): Promise<void> {
  const { signal } = opts;
  let child: Deno.ChildProcess;
  try {
    child = spawn(opts.ffmpegPath, args, niceness);
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
  onPid(proc.pid);

  const stderrTail: string[] = [];
  try {
    const [status] = await Promise.all([
      proc.status,
      readLines(proc.stdout, progressReader(opts.info.durationSec, onFraction)),
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
    onPid(null);
  }
}

/** Whether `nice` can be run here (checked once). */
let niceWorks: boolean | null = null;
function canNice(): boolean {
  if (niceWorks === null) {
    try {
      niceWorks = new Deno.Command("nice", {
        args: ["true"],
        stdout: "null",
        stderr: "null",
      }).outputSync().success;
    } catch {
      niceWorks = false;
    }
  }
  return niceWorks;
}

function spawn(
  cmd: string,
  args: string[],
  niceness: number,
): Deno.ChildProcess {
  // `nice` execs ffmpeg in place: same pid, so the recorded pid is ffmpeg's.
  const nice = niceness > 0 && canNice();
  const child = new Deno.Command(nice ? "nice" : cmd, {
    args: nice ? ["-n", String(niceness), cmd, ...args] : args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // Its own session and process group (pgid = pid), so a restarted server can kill it
    // and everything it started by the pid recorded with the job.
    detached: true,
  })
    .spawn();
  if (nice) setAutogroupNice(child.pid, niceness);
  return child;
}

/**
 * A new session is a scheduling group of its own where Linux autogroups sessions (the
 * default): the groups share the CPU equally whatever their processes' nice values, so two
 * detached ffmpegs at nice 5 and 15 got half each and the first rendition ran at half
 * speed. The group's own nice value restores the priority. Best effort: without
 * `/proc/<pid>/autogroup` (no autogrouping) plain `nice` already works.
 */
function setAutogroupNice(pid: number, niceness: number): void {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/autogroup`, String(niceness));
  } catch {
    // No autogroups here, or the process is already gone.
  }
}

/** Turns `-progress` key=value lines into fractions of the duration. */
function progressReader(
  durationSec: number,
  onFraction: (fraction: number) => void,
): (line: string) => void {
  return (line) => {
    if (!line.startsWith("out_time_us=")) return;
    const us = Number(line.slice("out_time_us=".length));
    if (!Number.isFinite(us) || us < 0) return; // "N/A" while nothing is muxed yet.
    onFraction(Math.min(1, us / 1e6 / durationSec));
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

/**
 * The poster: the first keyframe at or after `atSec`, decoding nothing else (a fraction of a
 * second even for a long-GOP source, where decoding up to `atSec` exactly took ~1.5 s of a
 * 1080p HEVC file here); when there is no keyframe after `atSec` (or the decoder cannot skip),
 * the frame at `atSec` itself.
 */
async function grabPoster(
  opts: TranscodeOptions,
  out: string,
  width: number,
  height: number,
  atSec: number,
): Promise<void> {
  const args = (keyframesOnly: boolean) => [
    ...(keyframesOnly ? ["-skip_frame", "nokey"] : []),
    ...(atSec > 0 ? ["-ss", atSec.toFixed(3)] : []),
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
  ];
  await runQuiet(opts.ffmpegPath, args(true));
  if (!await exists(out)) await runQuiet(opts.ffmpegPath, args(false));
}
