/**
 * The app against its peers on the same clip in the same run: the app end to end (upload →
 * ready), PeerTube's VOD pipeline and MediaCMS's, each rebuilt from its own source with its
 * own ffmpeg flags, and the tutorial's two commands. For each: wall and CPU seconds, output
 * bytes, and the top rung's PSNR and SSIM against the source (scaled to the source's size);
 * then the app's ratios against each. Every peer gets the app's resolution ladder for the
 * clip (see {@link peerLadder}), so the comparison is rung for rung.
 *
 * The peers' flags are reproduced from their repositories, not imported; the comments cite
 * the files read (PeerTube: github.com/Chocobozzz/PeerTube, MediaCMS:
 * github.com/mediacms-io/mediacms). Each pipeline's jobs run one after another, as with the
 * peers' default of one transcoding job at a time, and ffmpeg picks its own thread count.
 */
import { join } from "node:path";
import { FFMPEG, FFPROBE } from "./app_args.ts";
import { probe } from "../lib/media/probe.ts";
import type { MediaInfo } from "../lib/media/probe.ts";
import { planLadder } from "../lib/media/ladder.ts";
import { prepareInputs } from "./inputs.ts";
import type { Options } from "./options.ts";
import { dirSize, median, output, timeCommand, type Timed } from "./proc.ts";
import {
  bytes,
  num,
  table,
  type Target,
  targetTable,
  times,
} from "./report.ts";
import {
  joinRepresentation,
  type Quality,
  quality,
  runAppEndToEnd,
  runTutorial,
  type Target as Server,
} from "./transcode.ts";

/** One pipeline's figures in one run. */
export interface PeerFigure extends Timed {
  /** Everything the pipeline leaves to serve (for MediaCMS also see `storedBytes`). */
  outBytes: number;
  /** Every file kept, where that is more than what is streamed (MediaCMS keeps its MP4s). */
  storedBytes: number;
  /** ffmpeg processes run (0 for the app: its server decides, one or two per upload). */
  jobs: number;
  /** Size of the file the top-rung quality was measured on. */
  topBytes: number;
  topPsnr: number;
  topSsim: number;
}

const NAMES = ["app", "peertube", "mediacms", "tutorial"] as const;
type Name = typeof NAMES[number];

/** A rung of the ladder every pipeline is given: the app's own for the clip. */
export interface Rung {
  width: number;
  height: number;
}

/** The app's ladder for `info` (what `planLadder` plans), largest first. */
export function peerLadder(info: MediaInfo): Rung[] {
  return planLadder(info).map(({ width, height }) => ({ width, height }));
}

const QUIET = ["-hide_banner", "-nostdin", "-loglevel", "error"];

// ---------------------------------------------------------------------------------------
// PeerTube
// ---------------------------------------------------------------------------------------

/**
 * PeerTube's bits per pixel (packages/core-utils/src/videos/bitrate.ts), keyed by the
 * standard resolution at or below the output's short side: the average is the target, the
 * minimum a floor.
 */
const PT_AVERAGE_BPP: [number, number][] = [
  [2160, 0.08],
  [1440, 0.09],
  [1080, 0.10],
  [720, 0.11],
  [480, 0.12],
  [360, 0.15],
  [240, 0.17],
  [144, 0.19],
];
const PT_MIN_BPP = 0.02;

/**
 * packages/core-utils/src/videos/bitrate.ts `calculateBitrate`: short side × (short side ×
 * aspect ratio) × fps × bits per pixel of the nearest standard resolution at or below.
 */
function ptCalculateBitrate(
  resolution: number,
  ratio: number,
  fps: number,
  bpp: number | [number, number][],
): number {
  const size2 = ratio < 1 && ratio > 0
    ? resolution / ratio
    : resolution * ratio;
  const perPixel = typeof bpp === "number"
    ? bpp
    : (bpp.find(([r]) => r <= resolution)?.[1] ?? 0);
  return Math.floor(resolution * size2 * fps * perPixel);
}

/**
 * PeerTube's `getTargetBitrate` (packages/ffmpeg/src/ffmpeg-default-transcoding-profile.ts):
 * the average bits-per-pixel rate, capped at the input's bit rate + 30 %, never under the
 * minimum. It becomes `-maxrate` (and twice it `-bufsize`); x264 runs at its default CRF.
 */
export function peertubeTargetBitrate(
  inputBitrate: number | null,
  resolution: number,
  ratio: number,
  fps: number,
): number {
  const average = ptCalculateBitrate(resolution, ratio, fps, PT_AVERAGE_BPP) ||
    192_000;
  const capped = inputBitrate
    ? Math.min(average, inputBitrate + inputBitrate * 0.3)
    : average;
  const limit = ptCalculateBitrate(resolution, ratio, fps, PT_MIN_BPP) ||
    10_000;
  return Math.max(limit, capped);
}

/** What PeerTube's probe helpers read from an input (packages/ffmpeg/src/ffprobe.ts). */
interface PtProbe {
  bitRate: number | null;
  fps: number;
  ratio: number;
  audio: { codec: string; bitRate: number | null; layout: string } | null;
}

async function ptProbe(path: string): Promise<PtProbe> {
  const { stdout } = await output(FFPROBE, [
    ...["-v", "error", "-of", "json", "-show_format", "-show_streams", path],
  ]);
  const data = JSON.parse(stdout) as {
    format: { bit_rate?: string };
    streams: Record<string, string | number | undefined>[];
  };
  const v = data.streams.find((s) => s.codec_type === "video")!;
  const a = data.streams.find((s) => s.codec_type === "audio");
  // getVideoStreamFPS: avg_frame_rate, rounded to an integer.
  const [n, d] = String(v.avg_frame_rate ?? v.r_frame_rate).split("/").map(
    Number,
  );
  const w = Number(v.width), h = Number(v.height);
  return {
    bitRate: Number(data.format.bit_rate) || null,
    fps: Math.round(n / d),
    // core-utils buildAspectRatio: width / height to 4 decimals.
    ratio: Math.round((w / h) * 10000) / 10000,
    audio: a
      ? {
        codec: String(a.codec_name),
        bitRate: Number(a.bit_rate) || null,
        layout: String(a.channel_layout ?? "unknown"),
      }
      : null,
  };
}

/**
 * PeerTube's AAC options (ffmpeg-default-transcoding-profile.ts `defaultAACOptionsBuilder`,
 * `canDoQuickAudioTranscode`; ffprobe.ts `getMaxAudioKBitrate`): an AAC stream of known bit
 * rate ≤ 384 kb/s with a usable channel layout is copied; otherwise AAC stereo, capped.
 */
function ptAudioArgs(p: PtProbe): string[] {
  if (!p.audio) return ["-an"];
  const a = p.audio;
  const k = a.bitRate ? Math.round(a.bitRate / 1000) : 0;
  const copy = a.codec === "aac" && k > 0 && k <= 384 &&
    !["unknown", "quad"].includes(a.layout);
  if (copy) return ["-c:a", "copy"];
  const cap = !k
    ? (a.codec === "flac" ? 384 : 256)
    : a.codec === "aac"
    ? (k > 384 ? 384 : -1)
    : Math.min(384, k);
  return [
    ...["-c:a", "aac", "-channel_layout", "stereo"],
    ...(cap !== -1 ? ["-b:a", `${cap}k`] : []),
  ];
}

/**
 * One PeerTube VOD transcode of `input` to `height` (packages/ffmpeg/src/ffmpeg-vod.ts
 * `buildWebVideoCommand`, shared/presets.ts `presetVOD`, shared/encoder-options.ts,
 * ffmpeg-default-transcoding-profile.ts `defaultX264VODOptionsBuilder` and
 * `getCommonOutputOptions`): mp4 + faststart, metadata stripped, yuv420p, audio per
 * {@link ptAudioArgs}, libx264 scaled to the height, `veryfast`, `-maxrate` = the
 * bits-per-pixel target with twice it as buffer, `-b_strategy 1 -bf 16`, `-r fps`, `-g`
 * = 2 s. `hls` adds ffmpeg-vod.ts `addCommonHLSVODCommandOptions` (fMP4, one file per
 * resolution, 4 s segments). fluent-ffmpeg adds `-y`. `-threads` is left out, as with
 * PeerTube's `transcoding.threads: 0` (ffmpeg's choice, what the app does too); its
 * config/production.yaml.example ships `threads: 1` (single-threaded jobs; not measured).
 */
export function peertubeCommand(opts: {
  input: string;
  p: PtProbe;
  height: number;
  out: string;
  hls?: { segmentFile: string };
}): string[] {
  const { p, height } = opts;
  const target = peertubeTargetBitrate(p.bitRate, height, p.ratio, p.fps);
  return [
    ...QUIET,
    ...["-i", opts.input, "-y"],
    ...["-f", "mp4", "-movflags", "faststart"],
    ...["-max_muxing_queue_size", "1024", "-map_metadata", "-1"],
    ...["-pix_fmt", "yuv420p"],
    ...ptAudioArgs(p),
    ...["-c:v", "libx264", "-vf", `scale=w=-2:h=${height}`],
    ...["-preset", "veryfast"],
    ...["-maxrate:v", String(target), "-bufsize:v", String(target * 2)],
    ...["-b_strategy", "1", "-bf", "16"],
    ...["-r", String(p.fps), "-g:v", String(p.fps * 2)],
    ...(opts.hls
      ? [
        ...["-hls_time", "4", "-hls_list_size", "0"],
        ...["-hls_playlist_type", "vod"],
        ...["-hls_segment_filename", opts.hls.segmentFile],
        ...["-hls_segment_type", "fmp4", "-f", "hls"],
        ...["-hls_flags", "single_file"],
      ]
      : []),
    opts.out,
  ];
}

/**
 * PeerTube's pipeline for a new upload with the settings of config/production.yaml.example
 * (HLS on, web videos off, original not kept, `concurrency: 1`) plus the ladder's lower
 * resolutions enabled (the example enables none): the optimize job re-encodes the source at its own resolution
 * (server/core/lib/transcoding/web-transcoding.ts `optimizeOriginalVideofile`; the quick
 * copy path is refused here, the input being above the 1080p bits-per-pixel maximum), then
 * one HLS job per resolution, every one re-encoding that optimized file
 * (shared/job-builders/abstract-job-builder.ts, lib/job-queue/handlers/video-transcoding.ts
 * `handleHLSJob`, hls-transcoding.ts), and the web video is deleted once HLS exists.
 * Returns the timed sum and where the top rung is.
 */
export async function runPeerTube(
  input: string,
  ladder: Rung[],
  out: string,
): Promise<{ t: Timed; jobs: number; top: string; bytes: number }> {
  await Deno.mkdir(join(out, "hls"), { recursive: true });
  const optimized = join(out, "optimized.mp4");
  const src = await ptProbe(input);
  const t = { wallSec: 0, cpuSec: 0 };
  const add = (x: Timed) => {
    t.wallSec += x.wallSec;
    t.cpuSec += x.cpuSec;
  };
  add(
    await timeCommand(
      FFMPEG,
      peertubeCommand({
        input,
        p: src,
        height: ladder[0].height,
        out: optimized,
      }),
    ),
  );
  // Each HLS job probes its input (the optimized file) for the bitrate cap and audio.
  const opt = await ptProbe(optimized);
  for (const r of ladder) {
    const seg = join(out, "hls", `${r.height}-fragmented.mp4`);
    add(
      await timeCommand(
        FFMPEG,
        peertubeCommand({
          input: optimized,
          p: opt,
          height: r.height,
          out: join(out, "hls", `${r.height}.m3u8`),
          hls: { segmentFile: seg },
        }),
      ),
    );
  }
  await Deno.remove(optimized);
  return {
    t,
    jobs: ladder.length + 1,
    top: join(out, "hls", `${ladder[0].height}-fragmented.mp4`),
    bytes: (await dirSize(out)).bytes,
  };
}

// ---------------------------------------------------------------------------------------
// MediaCMS
// ---------------------------------------------------------------------------------------

/** files/helpers.py `VIDEO_BITRATES["h264"][25]` (kb/s): the cap's base per profile. */
const MC_H264_RATES: Record<number, number> = {
  144: 150,
  240: 300,
  360: 500,
  480: 1000,
  720: 2500,
  1080: 4500,
  1440: 9000,
  2160: 18000,
};
/** files/helpers.py `VIDEO_BITRATES["h264"][60]`, used above 30 fps. */
const MC_H264_RATES_60: Record<number, number> = {
  720: 3500,
  1080: 7500,
  1440: 18000,
  2160: 40000,
};

/**
 * MediaCMS's encode of one h264 profile (files/helpers.py `produce_ffmpeg_commands` and
 * `get_base_ffmpeg_command`): CRF 23 (`VIDEO_CRFS`, chosen for anything longer than
 * `CRF_ENCODING_NUM_SECONDS` = 2 s, else two-pass) capped at 1.5× the profile's rate with a
 * 1.5× buffer, lanczos scale into `round(h × 16/9)`×h keeping the aspect ratio, `fps=` the
 * source rate, `medium` (`FFMPEG_DEFAULT_PRESET` in cms/settings.py), Main profile, level
 * 4.2, keyframes forced every 4 s (`KEYFRAME_DISTANCE`) with x264 keyint 8 s / min 4 s, AAC
 * 128k stereo. A clip under 5 minutes (`CHUNKIZE_VIDEO_DURATION`) is encoded whole.
 */
export function mediacmsCommand(
  input: string,
  info: MediaInfo,
  height: number,
  out: string,
): string[] {
  let fps = info.video.fps;
  while (fps > 60) fps /= 2;
  if (fps < 1) fps = 1;
  const rate = (fps <= 30 ? MC_H264_RATES[height] : MC_H264_RATES_60[height]) ??
    MC_H264_RATES[height];
  if (!rate) throw new Error(`MediaCMS has no h264 profile for ${height}p`);
  const width = Math.round(height * 16 / 9);
  const scale = `scale=if(lt(iw\\,ih)\\,${height}\\,${width}):` +
    `if(lt(iw\\,ih)\\,${width}\\,${height}):` +
    "force_original_aspect_ratio=decrease:force_divisible_by=2:flags=lanczos";
  const keyframeDistance = Math.trunc(fps * 4);
  return [
    ...QUIET,
    ...["-y", "-i", input, "-c:v", "libx264"],
    ...["-filter:v", `${scale},fps=fps=${fps}`, "-pix_fmt", "yuv420p"],
    ...["-crf", "23"],
    ...(info.audio ? ["-c:a", "aac", "-b:a", "128k", "-ac", "2"] : []),
    ...["-maxrate", `${Math.trunc(rate * 1.5)}k`],
    ...["-bufsize", `${Math.trunc(rate * 1.5)}k`],
    ...["-force_key_frames", "expr:gte(t,n_forced*4)"],
    ...[
      "-x264-params",
      `keyint=${keyframeDistance * 2}:keyint_min=${keyframeDistance}`,
    ],
    ...["-preset", "medium", "-profile:v", "main", "-level", "4.2"],
    ...["-strict", "-2"],
    out,
  ];
}

/**
 * MediaCMS's pipeline (files/tasks.py `encode_media` per active profile, then `create_hls`):
 * one ffmpeg per profile from the original, one after another, then HLS packaging of the
 * MP4s, which MediaCMS does with Bento4's `mp4hls --segment-duration=4` (MPEG-TS segments by
 * default). Bento4 is not installed here, so the packaging is ffmpeg's hls muxer copying the
 * encoded streams into 4 s MPEG-TS segments, one ffmpeg per MP4 (the figure includes it).
 * The MP4s stay: MediaCMS serves them as downloads.
 */
export async function runMediaCms(
  input: string,
  info: MediaInfo,
  ladder: Rung[],
  out: string,
): Promise<
  { t: Timed; jobs: number; top: string; bytes: number; stored: number }
> {
  await Deno.mkdir(join(out, "encoded"), { recursive: true });
  await Deno.mkdir(join(out, "hls"), { recursive: true });
  const t = { wallSec: 0, cpuSec: 0 };
  const add = (x: Timed) => {
    t.wallSec += x.wallSec;
    t.cpuSec += x.cpuSec;
  };
  for (const r of ladder) {
    const mp4 = join(out, "encoded", `${r.height}.mp4`);
    add(
      await timeCommand(FFMPEG, mediacmsCommand(input, info, r.height, mp4)),
    );
  }
  for (const r of ladder) {
    add(
      await timeCommand(FFMPEG, [
        ...QUIET,
        ...["-y", "-i", join(out, "encoded", `${r.height}.mp4`), "-c", "copy"],
        ...["-f", "hls", "-hls_time", "4", "-hls_list_size", "0"],
        ...["-hls_playlist_type", "vod", "-hls_segment_type", "mpegts"],
        ...["-hls_segment_filename", join(out, "hls", `${r.height}-%d.ts`)],
        join(out, "hls", `${r.height}.m3u8`),
      ]),
    );
  }
  return {
    t,
    jobs: ladder.length * 2,
    top: join(out, "hls", `${ladder[0].height}.m3u8`),
    bytes: (await dirSize(join(out, "hls"))).bytes,
    stored: (await dirSize(out)).bytes,
  };
}

// ---------------------------------------------------------------------------------------
// The section
// ---------------------------------------------------------------------------------------

/** What {@link benchPeers} resolves to. */
export interface PeersResult {
  clipSec: number;
  inputBytes: number;
  source: {
    width: number;
    height: number;
    fps: number;
    bitRate: number | null;
  };
  ladder: Rung[];
  runs: number;
  /** Whether the app stream-copied its top rung in any run (then its quality says nothing). */
  appTopCopied: boolean;
  median: Record<Name, PeerFigure>;
  /** Per-run ratios (then their median): the peer's wall (CPU) ÷ the app's. */
  ratios: {
    wallVsPeerTube: number;
    cpuVsPeerTube: number;
    wallVsMediaCms: number;
    cpuVsMediaCms: number;
    wallVsTutorial: number;
    cpuVsTutorial: number;
    /** App bytes ÷ peer bytes (below 1: the app writes less). */
    bytesVsPeerTube: number;
    bytesVsMediaCms: number;
    /** App top-rung SSIM − the peer's (positive: the app is closer to the source). */
    ssimVsPeerTube: number;
    ssimVsMediaCms: number;
  };
  /** Every run's figures. */
  all: Record<Name, PeerFigure>[];
}

async function topQuality(
  file: string,
  source: string,
  info: MediaInfo,
): Promise<Quality> {
  return await quality(file, source, {
    width: info.video.displayWidth,
    height: info.video.displayHeight,
  });
}

/** Medians of every field over the runs. */
function medianFigure(list: PeerFigure[]): PeerFigure {
  const out = { ...list[0] };
  for (const k of Object.keys(out) as (keyof PeerFigure)[]) {
    out[k] = median(list.map((f) => f[k]));
  }
  return out;
}

/**
 * Runs every pipeline `opts.runs` times on the noisy clip (20 s, 10 s with `--quick`) and
 * measures each output's top rung against the source.
 */
export async function benchPeers(
  opts: Options,
  server: Server,
  work: string,
  log: (msg: string) => void,
): Promise<PeersResult> {
  const inputs = await prepareInputs(opts.peerClipSec, log);
  const input = inputs.noisy;
  const sec = inputs.seconds;
  const info = await probe(input, { ffprobePath: FFPROBE });
  const ladder = peerLadder(info);
  const all: Record<Name, PeerFigure>[] = [];
  let appTopCopied = false;
  for (let r = 1; r <= opts.runs; r++) {
    const step = (what: string) => log(`peers run ${r}/${opts.runs}: ${what}`);
    const dir = join(work, `peers-${r}`);
    await Deno.mkdir(dir, { recursive: true });

    step("app end to end (upload → ready)");
    const app = await runAppEndToEnd(server, input, sec);
    appTopCopied ||= app.copied;
    const appTop = await joinRepresentation(
      join(server.dataDir, "streams", app.video.id),
      0,
      join(dir, "app-top.mp4"),
    );

    step("PeerTube: optimize, then one HLS job per resolution");
    const pt = await runPeerTube(input, ladder, join(dir, "peertube"));

    step("MediaCMS: one encode per profile, then HLS packaging");
    const mc = await runMediaCms(input, info, ladder, join(dir, "mediacms"));

    step("tutorial's two commands");
    const tut = await runTutorial(input, sec, join(dir, "tutorial"));
    const tutTop = join(dir, "tutorial", "hls", "playlist.m3u8");

    step("quality of every top rung against the source");
    const [qa, qp, qm, qt] = [
      await topQuality(appTop, input, info),
      await topQuality(pt.top, input, info),
      await topQuality(mc.top, input, info),
      await topQuality(tutTop, input, info),
    ];
    const size = async (p: string) => (await Deno.stat(p)).size;
    const mcTopBytes = (await Deno.stat(
      join(dir, "mediacms", "encoded", `${ladder[0].height}.mp4`),
    )).size;
    all.push({
      app: {
        wallSec: app.wallSec,
        cpuSec: app.cpuSec,
        outBytes: app.outBytes,
        storedBytes: app.outBytes,
        jobs: 0,
        topBytes: await size(appTop),
        topPsnr: qa.psnr,
        topSsim: qa.ssim,
      },
      peertube: {
        ...pt.t,
        outBytes: pt.bytes,
        storedBytes: pt.bytes,
        jobs: pt.jobs,
        topBytes: await size(pt.top),
        topPsnr: qp.psnr,
        topSsim: qp.ssim,
      },
      mediacms: {
        ...mc.t,
        outBytes: mc.bytes,
        storedBytes: mc.stored,
        jobs: mc.jobs,
        topBytes: mcTopBytes,
        topPsnr: qm.psnr,
        topSsim: qm.ssim,
      },
      tutorial: {
        wallSec: tut.wallSec,
        cpuSec: tut.cpuSec,
        outBytes: tut.outBytes,
        storedBytes: tut.outBytes,
        jobs: 2,
        topBytes: (await dirSize(join(dir, "tutorial", "hls"))).bytes,
        topPsnr: qt.psnr,
        topSsim: qt.ssim,
      },
    });
    await Deno.remove(dir, { recursive: true });
  }
  const ratio = (f: (x: Record<Name, PeerFigure>) => number) =>
    median(all.map(f));
  const med = Object.fromEntries(
    NAMES.map((n) => [n, medianFigure(all.map((x) => x[n]))]),
  ) as Record<Name, PeerFigure>;
  return {
    clipSec: sec,
    inputBytes: (await Deno.stat(input)).size,
    source: {
      width: info.video.displayWidth,
      height: info.video.displayHeight,
      fps: info.video.fps,
      bitRate: info.bitRate,
    },
    ladder,
    runs: opts.runs,
    appTopCopied,
    median: med,
    ratios: {
      wallVsPeerTube: ratio((x) => x.peertube.wallSec / x.app.wallSec),
      cpuVsPeerTube: ratio((x) => x.peertube.cpuSec / x.app.cpuSec),
      wallVsMediaCms: ratio((x) => x.mediacms.wallSec / x.app.wallSec),
      cpuVsMediaCms: ratio((x) => x.mediacms.cpuSec / x.app.cpuSec),
      wallVsTutorial: ratio((x) => x.tutorial.wallSec / x.app.wallSec),
      cpuVsTutorial: ratio((x) => x.tutorial.cpuSec / x.app.cpuSec),
      bytesVsPeerTube: ratio((x) => x.app.outBytes / x.peertube.outBytes),
      bytesVsMediaCms: ratio((x) => x.app.outBytes / x.mediacms.outBytes),
      ssimVsPeerTube: ratio((x) => x.app.topSsim - x.peertube.topSsim),
      ssimVsMediaCms: ratio((x) => x.app.topSsim - x.mediacms.topSsim),
    },
    all,
  };
}

/** Issue 13's target: ≥ 1.5× PeerTube's wall, SSIM within 0.01 or better, no more bytes. */
export function peerTargets(p: PeersResult): Target[] {
  const m = p.median;
  return [{
    figure: "full ladder vs PeerTube's pipeline (wall)",
    value: times(p.ratios.wallVsPeerTube),
    target: "≥ 1.50×",
    met: p.ratios.wallVsPeerTube >= 1.5,
  }, {
    figure: "top-rung SSIM, app − PeerTube",
    value: `${num(m.app.topSsim, 4)} − ${num(m.peertube.topSsim, 4)} = ${
      num(p.ratios.ssimVsPeerTube, 4)
    }`,
    target: "≥ −0.010",
    met: p.ratios.ssimVsPeerTube >= -0.01,
  }, {
    figure: "output bytes, app ÷ PeerTube",
    value: `${bytes(m.app.outBytes)} ÷ ${bytes(m.peertube.outBytes)} = ${
      num(p.ratios.bytesVsPeerTube, 2)
    }`,
    target: "≤ 1.00",
    met: p.ratios.bytesVsPeerTube <= 1,
  }];
}

/** Prints the section's table, ratios and target. */
export function printPeers(p: PeersResult): void {
  const m = p.median;
  console.log(
    `\n9. Peers — noisy ${p.clipSec} s ${p.source.width}x${p.source.height} ${p.source.fps} fps clip (${
      bytes(p.inputBytes)
    }, ${num((p.source.bitRate ?? 0) / 1e6)} Mb/s), ladder ${
      p.ladder.map((r) => `${r.height}p`).join("/")
    } for every pipeline, medians of ${p.runs} run(s)\n`,
  );
  const row = (name: string, f: PeerFigure) => [
    name,
    num(f.wallSec),
    num(f.cpuSec),
    f.jobs ? String(f.jobs) : "–",
    bytes(f.outBytes),
    f.storedBytes !== f.outBytes ? bytes(f.storedBytes) : "",
    num(f.topPsnr, 2),
    num(f.topSsim, 4),
  ];
  console.log(table(
    ["", "wall s", "CPU s", "ffmpegs", "output", "+ kept", "PSNR", "SSIM"],
    [
      row("app, upload done → ready", m.app),
      row("PeerTube (optimize + HLS jobs)", m.peertube),
      row("MediaCMS (encodes + HLS packaging)", m.mediacms),
      row("tutorial's two commands", m.tutorial),
    ],
  ));
  const r = p.ratios;
  console.log(
    `\napp vs PeerTube: ${times(r.wallVsPeerTube)} faster (CPU ${
      times(r.cpuVsPeerTube)
    }), ${num(r.bytesVsPeerTube, 2)}× the bytes, SSIM ${
      num(r.ssimVsPeerTube, 4)
    }` +
      `\napp vs MediaCMS: ${times(r.wallVsMediaCms)} faster (CPU ${
        times(r.cpuVsMediaCms)
      }), ${num(r.bytesVsMediaCms, 2)}× the bytes, SSIM ${
        num(r.ssimVsMediaCms, 4)
      }` +
      `\napp vs tutorial: ${times(r.wallVsTutorial)} faster (CPU ${
        times(r.cpuVsTutorial)
      })` +
      "\nPSNR (dB) and SSIM: all planes, top rung scaled to the source's size, against the source." +
      "\nMediaCMS's HLS is packaged with ffmpeg's hls muxer (stream copy) in place of Bento4's mp4hls;" +
      " '+ kept' counts its MP4s too.",
  );
  if (p.appTopCopied) {
    console.log(
      "WARNING: the app stream-copied its top rung (too few keyframes in the clip); its SSIM is not an encode's",
    );
  }
  console.log(`\nTarget (issue 13)\n`);
  console.log(targetTable(peerTargets(p)));
}
