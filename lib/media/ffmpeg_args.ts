/**
 * Builds the single ffmpeg command that turns one input into the whole output set: one decode,
 * `split` into the ladder (one x264 encode per rung) plus poster and thumbnail sprite, written
 * as CMAF segments by the dash muxer, which also writes the HLS playlists for the same files.
 * Pure: no I/O, so the exact arguments are unit-testable.
 */

import { fileUrl, inputGuardArgs, type MediaInfo } from "./probe.ts";
import {
  AUDIO_BITRATE,
  GOP_SEC,
  type Rendition,
  SEGMENT_SEC,
} from "./ladder.ts";
import { thumbnailFilter, type ThumbnailPlan } from "./thumbnails.ts";
import { OUTPUT_FILES } from "./layout.ts";
import { AUDIO_CHANNELS, audioStreamsOf } from "./audio_tracks.ts";

export { OUTPUT_FILES };

/** Frame rates above this are halved to it: browsers and the ladder gain nothing from more. */
export const MAX_OUTPUT_FPS = 60;
/** The last segment is at least this long: no keyframe is forced closer to the end. */
export const MIN_TAIL_SEC = 1;
/** x264 quality target; `maxrate`/`bufsize` cap it (capped CRF). */
const CRF = 23;

/** Everything {@link buildFfmpegArgs} needs. */
export interface FfmpegPlan {
  input: string;
  info: MediaInfo;
  /** Largest first; `renditions[0].copy` selects the stream-copy fast path. */
  renditions: Rendition[];
  /** Folder the outputs are written to (must exist). */
  outDir: string;
  /** x264 preset, e.g. `veryfast`. */
  preset: string;
  /** Encoder threads per x264 instance (omit: ffmpeg decides). */
  threads?: number;
  posterAtSec: number;
  posterWidth: number;
  posterHeight: number;
  /** Thumbnail tiles to write, or null for none (another phase writes them). */
  thumbnails: ThumbnailPlan | null;
  /** Write `poster.jpg` from this decode (default true). */
  poster?: boolean;
  /** Include the audio renditions, one per audio stream (default: when the source has audio). */
  audio?: boolean;
  /**
   * Where encoded rungs put keyframes: `source` (exactly where the source has them, to align
   * with a copied rung) or `gop` (every GOP_SEC). Default: `source` when the top rung is a copy.
   */
  keyframes?: "source" | "gop";
}

/** Where the poster is taken: 10% into the video, at most 30 s in. */
export function posterTime(durationSec: number): number {
  return Math.min(durationSec * 0.1, 30);
}

/** The poster's size: the display size, at most 1280 wide, even sides. */
export function posterSize(
  displayWidth: number,
  displayHeight: number,
): [number, number] {
  const w = Math.min(1280, displayWidth);
  const h = displayHeight * w / displayWidth;
  return [
    Math.max(2, 2 * Math.round(w / 2)),
    Math.max(2, 2 * Math.round(h / 2)),
  ];
}

/** Tone-maps PQ/HLG to SDR BT.709 with zscale + tonemap, resizing first to save work. */
function hdrChain(info: MediaInfo, width: number, height: number): string {
  const v = info.video;
  const tin = v.colorTransfer === "arib-std-b67" ? "arib-std-b67" : "smpte2084";
  return [
    `zscale=w=${width}:h=${height}:tin=${tin}:pin=bt2020:min=bt2020nc:t=linear:npl=100`,
    "format=gbrpf32le",
    "zscale=p=bt709",
    "tonemap=tonemap=hable:desat=0",
    "zscale=t=bt709:m=bt709:r=tv",
    "format=yuv420p",
  ].join(",");
}

/** The output frame rate of encoded rungs. */
export function outputFps(info: MediaInfo): number {
  const fps = info.video.fps > 0 ? info.video.fps : 30;
  return Math.min(fps, MAX_OUTPUT_FPS);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Builds the `-filter_complex` graph; labels `[v<i>]` per encoded rung, `[poster]`, `[thumbs]`. */
export function buildFilterGraph(plan: FfmpegPlan): string {
  const { info, renditions } = plan;
  const encoded = renditions.map((r, i) => ({ r, i })).filter(({ r }) =>
    !r.copy
  );
  const top = renditions[0];
  const pre: string[] = [];
  if (info.video.hdr) pre.push(hdrChain(info, top.width, top.height));
  if (info.video.fps > MAX_OUTPUT_FPS) pre.push(`fps=${MAX_OUTPUT_FPS}`);
  const withPoster = plan.poster !== false;
  const branches = encoded.length + (withPoster ? 1 : 0) +
    (plan.thumbnails ? 1 : 0);
  if (branches === 0) return ""; // a pure remux: nothing to decode
  const labels = Array.from({ length: branches }, (_, i) => `[s${i}]`).join("");
  const chains = [
    `[0:${info.video.index}]${
      [...pre, `split=${branches}`].join(",")
    }${labels}`,
  ];
  // Every rung gets the same DAR (the source's): the dash muxer refuses an adaptation set whose
  // representations differ in aspect ratio, which 854x480 next to 1280x720 otherwise does.
  // setdar reduces to denominators ≤ 100 unless told otherwise; 240:427 must stay exact to
  // match a copied rung.
  const g = gcd(info.video.displayWidth, info.video.displayHeight);
  const [darNum, darDen] = [
    info.video.displayWidth / g,
    info.video.displayHeight / g,
  ];
  const dar = `dar=${darNum}/${darDen}:max=${Math.max(100, darNum, darDen)}`;
  encoded.forEach(({ r, i }, k) => {
    chains.push(
      `[s${k}]scale=${r.width}:${r.height},setsar=1,setdar=${dar},format=yuv420p[v${i}]`,
    );
  });
  let p = encoded.length;
  if (withPoster) {
    // The poster output gets a frame every second up to the poster time (each overwrites
    // the last): an output that waits for its first frame holds back ffmpeg's progress.
    chains.push(
      `[s${p++}]fps=1,select='lte(t\\,${plan.posterAtSec.toFixed(3)})',` +
        `scale=${plan.posterWidth}:${plan.posterHeight},setsar=1,format=yuvj420p[poster]`,
    );
  }
  if (plan.thumbnails) {
    chains.push(
      `[s${p}]${thumbnailFilter(plan.thumbnails)},format=yuvj420p[thumbs]`,
    );
  }
  return chains.join(";");
}

/** Leading ffmpeg options of every run: no banner, no stdin, overwrite, errors only. */
export const QUIET_ARGS: readonly string[] = [
  "-hide_banner",
  "-nostdin",
  "-y",
  "-loglevel",
  "error",
];

/** The complete ffmpeg argument list (without the binary). */
export function buildFfmpegArgs(plan: FfmpegPlan): string[] {
  const { info, renditions, outDir } = plan;
  const copyTop = renditions[0]?.copy === true;
  const keyframes = plan.keyframes ?? (copyTop ? "source" : "gop");
  const audioStreams = plan.audio === false ? [] : audioStreamsOf(info);
  const fps = outputFps(info);
  const args = [
    ...QUIET_ARGS,
    "-progress",
    "pipe:1",
    "-nostats",
    ...inputGuardArgs(info.formatName),
    "-i",
    fileUrl(plan.input),
  ];
  const graph = buildFilterGraph(plan);
  if (graph) args.push("-filter_complex", graph);

  // --- ladder + audio → dash muxer (CMAF segments, MPD and HLS playlists) ---
  renditions.forEach((r, i) => {
    if (r.copy) {
      args.push("-map", `0:${info.video.index}`, `-c:v:${i}`, "copy");
      return;
    }
    args.push(
      "-map",
      `[v${i}]`,
      `-c:v:${i}`,
      "libx264",
      `-preset:v:${i}`,
      plan.preset,
      // Per stream: a global -profile would also hit a copied rung and break it.
      `-profile:v:${i}`,
      Math.min(r.width, r.height) >= 720 ? "high" : "main",
      `-crf:v:${i}`,
      String(CRF),
      `-maxrate:v:${i}`,
      String(r.maxrate),
      `-bufsize:v:${i}`,
      String(r.bufsize),
      `-sc_threshold:v:${i}`,
      "0",
    );
    if (keyframes === "source") {
      // Keyframes exactly where the copied rung has them; x264 adds none of its own.
      args.push(
        `-force_key_frames:v:${i}`,
        "source",
        `-g:v:${i}`,
        String(Math.ceil(fps * SEGMENT_SEC * 2)),
      );
    } else {
      // Time-based keyframes every GOP_SEC also hold for variable frame rates; none in the
      // last MIN_TAIL_SEC, so the final segment is never a sliver of a frame or two (hls.js
      // misplaces such a fragment and never reaches the end); -g above the longest GOP so
      // x264 never inserts one in between.
      const lastKey = Math.max(0, info.durationSec - MIN_TAIL_SEC).toFixed(3);
      args.push(
        `-force_key_frames:v:${i}`,
        `expr:gte(t,n_forced*${GOP_SEC})*lt(t,${lastKey})`,
        `-g:v:${i}`,
        String(Math.ceil(fps * (GOP_SEC + MIN_TAIL_SEC) * 1.25)),
      );
    }
    if (plan.threads) args.push(`-threads:v:${i}`, String(plan.threads));
  });
  if (info.video.hdr) {
    args.push(
      "-color_primaries:v",
      "bt709",
      "-color_trc:v",
      "bt709",
      "-colorspace:v",
      "bt709",
    );
  }
  // Every audio stream becomes a rendition of its own (output streams n, n+1, …), each in
  // its own adaptation set, so DASH players can offer them as tracks.
  for (const a of audioStreams) args.push("-map", `0:${a.index}`);
  if (audioStreams.length > 0) {
    args.push(
      "-c:a",
      "aac",
      "-b:a",
      String(AUDIO_BITRATE),
      "-ac",
      String(AUDIO_CHANNELS),
      "-ar",
      "48000",
    );
  }
  const sets = [
    "id=0,streams=v",
    ...audioStreams.map((_, k) =>
      `id=${k + 1},streams=${renditions.length + k}`
    ),
  ];
  args.push(
    "-map_metadata",
    "-1",
    "-map_chapters",
    "-1",
    "-fps_mode",
    "vfr",
    "-max_muxing_queue_size",
    "4096",
    "-f",
    "dash",
    "-seg_duration",
    String(SEGMENT_SEC),
    "-use_template",
    "1",
    // A timeline states each segment's real duration, so nothing depends on every segment
    // being exactly SEGMENT_SEC long (copied rungs follow the source's keyframes).
    "-use_timeline",
    "1",
    "-init_seg_name",
    "init-$RepresentationID$.m4s",
    "-media_seg_name",
    "chunk-$RepresentationID$-$Number%05d$.m4s",
    "-adaptation_sets",
    sets.join(" "),
    "-hls_playlist",
    "1",
    "-hls_master_name",
    OUTPUT_FILES.hlsMaster,
    `${outDir}/${OUTPUT_FILES.mpd}`,
  );

  // --- poster and thumbnail tiles from the same decode ---
  if (plan.poster !== false) {
    args.push(
      "-map",
      "[poster]",
      "-map_metadata",
      "-1",
      "-c:v",
      "mjpeg",
      "-q:v",
      "3",
      "-f",
      "image2",
      "-update",
      "1",
      `${outDir}/${OUTPUT_FILES.poster}`,
    );
  }
  if (!plan.thumbnails) return args;
  args.push(
    "-map",
    "[thumbs]",
    "-map_metadata",
    "-1",
    "-c:v",
    "mjpeg",
    "-q:v",
    "5",
    "-f",
    "image2",
    `${outDir}/${OUTPUT_FILES.tiles}/%04d.jpg`,
  );
  return args;
}
