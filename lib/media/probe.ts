/**
 * Hardened ffprobe: decides whether an uploaded file is a video we accept and describes it.
 *
 * ffprobe only ever runs with `-protocol_whitelist file` and a demuxer allowlist, because a
 * "video" that is really an HLS playlist, DASH manifest or ffconcat script would otherwise make
 * ffmpeg open other files (CVE-2017-9993 family); the protocol whitelist alone does not stop
 * that. The detected demuxer is then forced (`-f`) on every later run.
 */

import { DomainError } from "../core/errors.ts";
import { formatDuration } from "../core/format.ts";
import { evenDown } from "./dimensions.ts";
import { runTool } from "./run.ts";

/**
 * Demuxers we accept (ffmpeg names). Anything else (hls, dash, concat, image2, tty, lavfi,
 * raw elementary streams, audio-only formats…) is refused before its header is read.
 */
export const ALLOWED_DEMUXERS: readonly string[] = [
  "mov",
  "mp4",
  "m4a",
  "3gp",
  "3g2",
  "mj2",
  "matroska",
  "webm",
  "avi",
  "flv",
  "asf",
  "mpegts",
  "mpeg",
];

/** The `-format_whitelist` value to pass to ffprobe and ffmpeg. */
export const FORMAT_WHITELIST: string = ALLOWED_DEMUXERS.join(",");

/** Arguments that every ffprobe/ffmpeg input must carry (before `-i`). */
export function inputGuardArgs(formatName?: string): string[] {
  const args = [
    "-protocol_whitelist",
    "file",
    "-format_whitelist",
    FORMAT_WHITELIST,
  ];
  if (formatName) args.push("-f", formatName);
  return args;
}

/** Paths are passed as `file:` URLs so a name containing `:` can never select a protocol. */
export function fileUrl(path: string): string {
  return `file:${path}`;
}

/** Input limits (DESIGN.md: MAX_INPUT_WIDTH/HEIGHT/FPS, MAX_DURATION_SEC). */
export interface InputLimits {
  maxWidth: number;
  maxHeight: number;
  maxFps: number;
  maxDurationSec: number;
}

/** Options for {@link probe}. */
export interface ProbeOptions {
  ffprobePath: string;
  limits?: InputLimits;
  signal?: AbortSignal;
  /** Default 30 000. */
  timeoutMs?: number;
}

/** A sample or pixel aspect ratio. */
export interface Ratio {
  num: number;
  den: number;
}

/** The video stream we will transcode. */
export interface VideoInfo {
  /** Absolute stream index in the file (for `-map 0:<index>`). */
  index: number;
  codec: string;
  profile: string | null;
  pixFmt: string;
  bitDepth: number;
  /** Stored size, before rotation and SAR. */
  width: number;
  height: number;
  /** Size as shown: SAR applied, rotation applied, rounded to even numbers. */
  displayWidth: number;
  displayHeight: number;
  /** Clockwise degrees the player must rotate: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  sar: Ratio;
  /** Average frame rate (frames per second). */
  fps: number;
  /** True when r_frame_rate and avg_frame_rate disagree (variable frame rate). */
  vfr: boolean;
  /** Stream bit rate in bits/s when the container records it. */
  bitRate: number | null;
  hdr: boolean;
  colorTransfer: string | null;
  colorPrimaries: string | null;
  colorSpace: string | null;
}

/** An audio stream we will encode (each becomes an audio rendition of its own). */
export interface AudioInfo {
  /** Absolute stream index in the file (for `-map 0:<index>`). */
  index: number;
  codec: string;
  profile: string | null;
  channels: number;
  sampleRate: number;
  /** BCP 47 tag from the stream's `language` tag (`fre` → `fr`); null when absent or `und`. */
  language?: string | null;
  /** The stream's title (Matroska `title`, or an MP4 handler name that is not generic). */
  title?: string | null;
  /** Whether the source marks it as the default track. */
  default?: boolean;
}

/** Everything the pipeline needs to know about an input file. */
export interface MediaInfo {
  /** The demuxer to force with `-f` on later runs (e.g. `mov`, `matroska`). */
  formatName: string;
  durationSec: number;
  /** Overall bit rate in bits/s, or null when unknown. */
  bitRate: number | null;
  sizeBytes: number;
  video: VideoInfo;
  /** The first audio stream (null without audio); the same object as `audioStreams[0]`. */
  audio: AudioInfo | null;
  /**
   * Every audio stream, in file order, at most {@link MAX_AUDIO_STREAMS}. Absent in probe
   * results stored before multi-track support: then `audio` is the only one (see
   * `audioStreamsOf`).
   */
  audioStreams?: AudioInfo[];
}

/** Audio streams kept per video; a file with more keeps the first ones (a bound on work). */
export const MAX_AUDIO_STREAMS = 16;

const NOT_A_VIDEO = "This file isn't a video we can read";

/** Friendlier names for demuxers that the allowlist refuses. */
const REFUSED_FORMATS: Record<string, string> = {
  hls: "an HLS playlist",
  dash: "a DASH manifest",
  concat: "an ffconcat script",
  tty: "a text file",
  image2: "an image",
  png_pipe: "a PNG image",
  jpeg_pipe: "a JPEG image",
  webp_pipe: "a WebP image",
  gif: "a GIF image",
  mp3: "an audio file (MP3)",
  wav: "an audio file (WAV)",
  flac: "an audio file (FLAC)",
  ogg: "an Ogg file",
};

/**
 * Probes `path` and returns its {@link MediaInfo}.
 *
 * Throws DomainError `empty_file` (400) for a 0-byte file, `not_a_video` (415) for anything that
 * is not an allow-listed container with a decodable video stream and a positive duration, and
 * `input_limits` (422) when the video exceeds `opts.limits`.
 */
export async function probe(
  path: string,
  opts: ProbeOptions,
): Promise<MediaInfo> {
  const head = await readHead(path);
  if (head.length === 0) {
    throw new DomainError("empty_file", "The file is empty (0 bytes).");
  }
  const out = await runTool(opts.ffprobePath, [
    "-v",
    "error",
    "-hide_banner",
    ...inputGuardArgs(),
    "-show_streams",
    "-show_format",
    "-of",
    "json",
    fileUrl(path),
  ], { signal: opts.signal, timeoutMs: opts.timeoutMs });
  if (out.code !== 0) throw notReadable(head, out.stderr);
  let raw: unknown;
  try {
    raw = JSON.parse(out.stdout);
  } catch {
    throw notReadable(head, out.stderr);
  }
  const info = parseProbe(raw);
  if (opts.limits) checkLimits(info, opts.limits);
  return info;
}

/**
 * Times (seconds) of the video keyframes in the first `windowSec` seconds, read from packet
 * flags without decoding. Used to decide whether the top rung can be a stream copy.
 */
export async function probeKeyframes(
  path: string,
  info: MediaInfo,
  opts: { ffprobePath: string; windowSec?: number; signal?: AbortSignal },
): Promise<number[]> {
  const out = await runTool(opts.ffprobePath, [
    "-v",
    "error",
    "-hide_banner",
    ...inputGuardArgs(info.formatName),
    "-select_streams",
    String(info.video.index),
    "-read_intervals",
    `%+${opts.windowSec ?? 300}`,
    "-show_entries",
    "packet=pts_time,dts_time,flags",
    "-of",
    "csv=p=0",
    fileUrl(path),
  ], { signal: opts.signal });
  if (out.code !== 0) return [];
  const times: number[] = [];
  for (const line of out.stdout.split("\n")) {
    const [pts, dts, flags] = line.split(",");
    if (!flags?.includes("K")) continue;
    const t = Number(pts !== "N/A" ? pts : dts);
    if (Number.isFinite(t)) times.push(t);
  }
  return times.sort((a, b) => a - b);
}

async function readHead(path: string): Promise<Uint8Array> {
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(512);
  const n = await file.read(buf);
  return buf.subarray(0, n ?? 0);
}

/** Builds the 415 for a file ffprobe could not open, saying what it looks like instead. */
function notReadable(head: Uint8Array, stderr: string): DomainError {
  const refused = /\[([\w,]+) @ [^\]]*\] Format not on whitelist/.exec(stderr)
    ?.[1];
  let what: string;
  if (looksLikeImage(head)) {
    what = "it is an image, not a video";
  } else if (refused && REFUSED_FORMATS[refused]) {
    what = `it is ${REFUSED_FORMATS[refused]}, which is not accepted`;
  } else if (looksLikeText(head)) {
    what = "the data looks like plain text";
  } else if (refused) {
    what = `its format (${refused}) is not an accepted video container`;
  } else {
    what = "the data is damaged or in a format we don't recognise";
  }
  return new DomainError("not_a_video", `${NOT_A_VIDEO}: ${what}.`);
}

function looksLikeImage(head: Uint8Array): boolean {
  const starts = (...sig: number[]): boolean =>
    sig.every((b, i) => head[i] === b);
  return starts(0x89, 0x50, 0x4e, 0x47) || // PNG
    starts(0xff, 0xd8, 0xff) || // JPEG
    starts(0x47, 0x49, 0x46, 0x38) || // GIF
    starts(0x42, 0x4d) && head.length > 14 && head[6] === 0 && head[7] === 0; // BMP
}

function looksLikeText(head: Uint8Array): boolean {
  let printable = 0;
  for (const b of head) {
    if (b === 0) return false;
    if (b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127)) printable++;
  }
  return printable / head.length > 0.95;
}

// --- ffprobe JSON → MediaInfo ------------------------------------------------------------

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return v && typeof v === "object" && !Array.isArray(v) ? v as Json : {};
}

function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" && v !== "unknown" ? v : null;
}

function num(v: unknown): number | null {
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

function ratio(v: unknown, sep: string): Ratio | null {
  const s = str(v);
  if (!s) return null;
  const [a, b] = s.split(sep).map(Number);
  return a > 0 && b > 0 ? { num: a, den: b } : null;
}

/** Parses ffprobe's `-show_streams -show_format -of json` output. Exported for tests. */
export function parseProbe(raw: unknown): MediaInfo {
  const root = obj(raw);
  const format = obj(root.format);
  const streams = Array.isArray(root.streams) ? root.streams.map(obj) : [];
  const formatName = str(format.format_name)?.split(",")[0];
  if (!formatName) {
    throw new DomainError(
      "not_a_video",
      `${NOT_A_VIDEO}: its format was not recognised.`,
    );
  }

  const videos = streams.filter((s) =>
    s.codec_type === "video" && obj(s.disposition).attached_pic !== 1
  );
  const v = videos[0];
  if (!v) {
    const what = streams.some((s) => s.codec_type === "video")
      ? "it only contains a cover picture, no video stream"
      : streams.some((s) => s.codec_type === "audio")
      ? "it has only audio, no video stream"
      : "it has no video stream";
    throw new DomainError("not_a_video", `${NOT_A_VIDEO}: ${what}.`);
  }
  const codec = str(v.codec_name);
  const width = num(v.width) ?? 0;
  const height = num(v.height) ?? 0;
  const pixFmt = str(v.pix_fmt);
  if (!codec || !pixFmt || width <= 0 || height <= 0) {
    throw new DomainError(
      "not_a_video",
      `${NOT_A_VIDEO}: its video stream (${
        codec ?? "unknown codec"
      }) cannot be decoded.`,
    );
  }
  const frames = num(v.nb_frames);
  if (frames !== null && frames <= 1) {
    throw new DomainError(
      "not_a_video",
      `${NOT_A_VIDEO}: it holds a single still image.`,
    );
  }

  const durationSec = num(format.duration) ?? num(v.duration) ?? 0;
  if (!(durationSec > 0)) {
    throw new DomainError("not_a_video", `${NOT_A_VIDEO}: it has no duration.`);
  }

  const avg = ratio(v.avg_frame_rate, "/");
  const real = ratio(v.r_frame_rate, "/");
  const avgFps = avg ? avg.num / avg.den : 0;
  const realFps = real ? real.num / real.den : 0;
  const fps = avgFps || realFps;
  const vfr = avgFps > 0 && realFps > 0 &&
    Math.abs(avgFps - realFps) / realFps > 0.005;

  const sar = ratio(v.sample_aspect_ratio, ":") ?? { num: 1, den: 1 };
  const rotation = rotationOf(v);
  // Rounded down to even: rounding up would make a 853x479 source an 854x480 "display",
  // and the ladder would then upscale it.
  let displayWidth = evenDown(width * sar.num / sar.den);
  let displayHeight = evenDown(height);
  if (rotation === 90 || rotation === 270) {
    [displayWidth, displayHeight] = [displayHeight, displayWidth];
  }

  const colorTransfer = str(v.color_transfer);
  const bitDepth = num(v.bits_per_raw_sample) ?? bitDepthOf(pixFmt);

  const audioStreams = streams
    .filter((s) => s.codec_type === "audio" && str(s.codec_name))
    .slice(0, MAX_AUDIO_STREAMS)
    .map((a): AudioInfo => {
      const tags = obj(a.tags);
      return {
        index: num(a.index) ?? 0,
        codec: str(a.codec_name)!,
        profile: str(a.profile),
        channels: num(a.channels) ?? 2,
        sampleRate: num(a.sample_rate) ?? 48000,
        language: languageTag(tagOf(tags, "language")),
        title: trackTitle(tagOf(tags, "title")) ??
          trackTitle(tagOf(tags, "handler_name"), true),
        default: obj(a.disposition).default === 1,
      };
    });

  return {
    formatName,
    durationSec,
    bitRate: num(format.bit_rate),
    sizeBytes: num(format.size) ?? 0,
    video: {
      index: num(v.index) ?? 0,
      codec,
      profile: str(v.profile),
      pixFmt,
      bitDepth,
      width,
      height,
      displayWidth,
      displayHeight,
      rotation,
      sar,
      fps,
      vfr,
      bitRate: num(v.bit_rate),
      hdr: colorTransfer === "smpte2084" || colorTransfer === "arib-std-b67",
      colorTransfer,
      colorPrimaries: str(v.color_primaries),
      colorSpace: str(v.color_space),
    },
    audio: audioStreams[0] ?? null,
    audioStreams,
  };
}

/** A tag by name, whatever its case (Matroska writes `HANDLER_NAME`, MP4 `handler_name`). */
function tagOf(tags: Json, name: string): string | null {
  for (const [k, v] of Object.entries(tags)) {
    if (k.toLowerCase() === name) return str(v);
  }
  return null;
}

/** The BCP 47 form of a language tag (`eng` → `en`, `ger` → `de`); null for none or `und`. */
function languageTag(raw: string | null): string | null {
  if (!raw || !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(raw)) return null;
  try {
    const [tag] = Intl.getCanonicalLocales(raw);
    return tag && !/^(und|zxx|mis|mul)$/i.test(tag) ? tag : null;
  } catch {
    return null;
  }
}

/** Names muxers put in MP4 handler boxes, which say nothing about the track. */
const GENERIC_HANDLER =
  /handler|core media|media file|gpac|l-smash|mainconcept|^(sound|audio|stereo|mono|track \d+)$/i;

/**
 * A title safe to show and to put in a playlist attribute: no control characters or double
 * quotes, trimmed, at most 100 characters; null when nothing is left.
 */
function trackTitle(raw: string | null, handler = false): string | null {
  if (!raw || (handler && GENERIC_HANDLER.test(raw))) return null;
  // \p{Cc}: control characters (a line break would end a playlist attribute).
  const clean = raw.replace(/[\p{Cc}"]/gu, " ").replace(/\s+/g, " ")
    .trim();
  return clean ? [...clean].slice(0, 100).join("") : null;
}

function bitDepthOf(pixFmt: string): number {
  const m = /p(9|10|12|14|16)(le|be)?$/.exec(pixFmt);
  return m ? Number(m[1]) : 8;
}

/** Rotation from the display matrix side data (or the legacy `rotate` tag), as 0/90/180/270. */
function rotationOf(v: Json): 0 | 90 | 180 | 270 {
  let deg: number | null = null;
  const sideData = Array.isArray(v.side_data_list)
    ? v.side_data_list.map(obj)
    : [];
  for (const sd of sideData) {
    if (sd.side_data_type === "Display Matrix") deg = num(sd.rotation);
  }
  deg ??= num(obj(v.tags).rotate);
  const r = ((Math.round((deg ?? 0) / 90) * 90) % 360 + 360) % 360;
  return r as 0 | 90 | 180 | 270;
}

function checkLimits(info: MediaInfo, limits: InputLimits): void {
  const { displayWidth: w, displayHeight: h, fps } = info.video;
  // Compared orientation-free: a portrait 2160x3840 phone video passes a 7680x4320 limit.
  const [long, short] = [Math.max(w, h), Math.min(w, h)];
  const limLong = Math.max(limits.maxWidth, limits.maxHeight);
  const limShort = Math.min(limits.maxWidth, limits.maxHeight);
  if (long > limLong || short > limShort) {
    throw new DomainError(
      "input_limits",
      `Video is ${w}x${h}; the limit is ${limits.maxWidth}x${limits.maxHeight} ` +
        `(MAX_INPUT_WIDTH/MAX_INPUT_HEIGHT).`,
    );
  }
  if (fps > limits.maxFps) {
    throw new DomainError(
      "input_limits",
      `Video runs at ${
        round2(fps)
      } frames per second; the limit is ${limits.maxFps} ` +
        `(MAX_INPUT_FPS).`,
    );
  }
  if (info.durationSec > limits.maxDurationSec) {
    throw new DomainError(
      "input_limits",
      `Video is ${formatDuration(info.durationSec)} long; the limit is ` +
        `${formatDuration(limits.maxDurationSec)} (MAX_DURATION_SEC).`,
    );
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
