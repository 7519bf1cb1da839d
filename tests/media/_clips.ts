/**
 * Tiny test media generated at test time with ffmpeg's lavfi sources (never checked in).
 * Shared by the media, jobs, route and integration tests.
 *
 * @example
 * const dir = await Deno.makeTempDir();
 * const clip = await makeClip(dir, { width: 640, height: 360, seconds: 2 });
 */

import { join } from "node:path";

/** Binaries used by the tests (override with FFMPEG_PATH / FFPROBE_PATH). */
export const FFMPEG: string = Deno.env.get("FFMPEG_PATH") ?? "ffmpeg";
/** See {@link FFMPEG}. */
export const FFPROBE: string = Deno.env.get("FFPROBE_PATH") ?? "ffprobe";

/** What to generate. Defaults: 320x180, 2 s, 30 fps, with audio, H.264 in MP4. */
export interface ClipOptions {
  width?: number;
  height?: number;
  seconds?: number;
  fps?: number;
  audio?: boolean;
  /** Clockwise rotation stored as a display matrix (the video itself stays unrotated). */
  rotate?: 90 | 180 | 270;
  /** e.g. `yuv420p10le` for a 10-bit H.264 (High 10) clip. */
  pixFmt?: string;
  codec?: "h264" | "hevc" | "vp9" | "mpeg4";
  /** Keyframe interval in frames (default: x264's 250). */
  gop?: number;
  /** Disable x264's scene-cut keyframes (for exactly regular GOPs). */
  noSceneCut?: boolean;
  container?: "mp4" | "mov" | "mkv" | "webm" | "avi" | "ts";
  /** Sample aspect ratio, e.g. `4:3` for anamorphic video. */
  sar?: string;
  /** Tag as HDR10 (PQ, BT.2020); combine with a 10-bit pixFmt. */
  hdr?: boolean;
  /** Audio codec (default: AAC, or Opus in WebM). */
  audioCodec?: "aac" | "opus" | "mp3";
  /** File name (default derived from the options). */
  name?: string;
}

/** Runs ffmpeg and throws its stderr on failure. */
export async function ffmpeg(args: string[]): Promise<void> {
  const out = await new Deno.Command(FFMPEG, {
    args: ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", ...args],
    stdin: "null",
  }).output();
  if (!out.success) {
    throw new Error(
      `ffmpeg ${args.join(" ")}\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
}

/** Runs ffprobe with JSON output and returns the parsed result. */
export async function ffprobeJson(
  args: string[],
): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(FFPROBE, {
    args: ["-v", "error", "-of", "json", ...args],
    stdin: "null",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Generates a test-pattern clip (with a sine tone unless `audio: false`) and returns its path. */
export async function makeClip(
  dir: string,
  opts: ClipOptions = {},
): Promise<string> {
  const width = opts.width ?? 320;
  const height = opts.height ?? 180;
  const seconds = opts.seconds ?? 2;
  const fps = opts.fps ?? 30;
  const audio = opts.audio ?? true;
  const codec = opts.codec ?? "h264";
  const container = opts.container ?? (codec === "vp9" ? "webm" : "mp4");
  const name = opts.name ??
    `clip-${width}x${height}-${seconds}s-${fps}-${codec}${audio ? "-a" : ""}` +
      `${opts.rotate ? `-r${opts.rotate}` : ""}${
        opts.pixFmt ? `-${opts.pixFmt}` : ""
      }` +
      `${opts.gop ? `-g${opts.gop}` : ""}${
        opts.hdr ? "-hdr" : ""
      }.${container}`;
  const path = join(dir, name);

  const args = [
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${width}x${height}:rate=${fps}:duration=${seconds}`,
  ];
  if (audio) {
    args.push(
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    );
  }
  args.push("-map", "0:v");
  if (audio) args.push("-map", "1:a");

  const vf: string[] = [];
  if (opts.sar) vf.push(`setsar=${opts.sar.replace(":", "/")}`);
  if (vf.length) args.push("-vf", vf.join(","));
  switch (codec) {
    case "h264":
      args.push("-c:v", "libx264", "-preset", "ultrafast");
      if (opts.noSceneCut) args.push("-sc_threshold", "0");
      break;
    case "hevc":
      args.push(
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-x265-params",
        "log-level=error",
      );
      if (container === "mp4" || container === "mov") {
        args.push("-tag:v", "hvc1");
      }
      break;
    case "vp9":
      args.push(
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "500k",
      );
      break;
    case "mpeg4":
      args.push("-c:v", "mpeg4", "-q:v", "5");
      break;
  }
  if (opts.gop) {
    args.push("-g", String(opts.gop), "-keyint_min", String(opts.gop));
  }
  args.push("-pix_fmt", opts.pixFmt ?? "yuv420p");
  if (opts.hdr) {
    args.push(
      "-color_primaries",
      "bt2020",
      "-color_trc",
      "smpte2084",
      "-colorspace",
      "bt2020nc",
    );
  }
  if (audio) {
    const ac = opts.audioCodec ?? (container === "webm" ? "opus" : "aac");
    args.push(
      "-c:a",
      ac === "opus" ? "libopus" : ac === "mp3" ? "libmp3lame" : "aac",
      "-b:a",
      "96k",
    );
  }
  if (!opts.rotate) {
    await ffmpeg([...args, "-shortest", path]);
    return path;
  }
  // ffmpeg 5.1 turns the `rotate` tag into a display matrix only when stream-copying.
  const plain = join(dir, `unrotated-${crypto.randomUUID()}.${container}`);
  await ffmpeg([...args, "-shortest", plain]);
  await ffmpeg([
    "-i",
    plain,
    "-map",
    "0",
    "-c",
    "copy",
    "-metadata:s:v:0",
    `rotate=${opts.rotate}`,
    path,
  ]);
  await Deno.remove(plain);
  return path;
}

/** A PNG image (optionally saved under a video-looking name such as `photo.mp4`). */
export async function makeImage(
  dir: string,
  name = "image.png",
): Promise<string> {
  const png = join(dir, `${crypto.randomUUID()}.png`);
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=64x64",
    "-frames:v",
    "1",
    png,
  ]);
  const path = join(dir, name);
  await Deno.rename(png, path);
  return path;
}

/** An audio-only file (AAC in MP4 by default, so the container itself is accepted). */
export async function makeAudioOnly(
  dir: string,
  name = "audio.mp4",
  seconds = 2,
): Promise<string> {
  const path = join(dir, name);
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:duration=${seconds}`,
    "-c:a",
    name.endsWith(".mp3") ? "libmp3lame" : "aac",
    path,
  ]);
  return path;
}

/** Writes `text` to `dir/name` and returns the path. */
export async function writeText(
  dir: string,
  name: string,
  text: string,
): Promise<string> {
  const path = join(dir, name);
  await Deno.writeTextFile(path, text);
  return path;
}

/** Makes a temp dir, runs `fn` with it, and always removes it. */
export async function withTempDir<T>(
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "media-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** One audio track of {@link makeMultiAudioClip}: a sine tone and its stream tags. */
export interface ToneTrack {
  frequency: number;
  language?: string;
  title?: string;
  /** MP4 handler name (what MP4 files carry instead of a title). */
  handler?: string;
  /** Mark it as the default track (else ffmpeg's own choice: the first). */
  default?: boolean;
  /** Channel layout, e.g. `5.1` or `mono` (default stereo). */
  layout?: string;
}

/**
 * A test pattern (default 640x360, 6 s, Matroska) with several audio tracks, each a sine tone
 * of its own frequency (so a test can tell which track it hears), tagged as given.
 */
export async function makeMultiAudioClip(
  dir: string,
  tracks: ToneTrack[],
  opts: {
    seconds?: number;
    container?: "mkv" | "mp4";
    name?: string;
    width?: number;
    height?: number;
    /** Keyframe interval in frames, without scene cuts (a copy-eligible source). */
    gop?: number;
  } = {},
): Promise<string> {
  const seconds = opts.seconds ?? 6;
  const size = `${opts.width ?? 640}x${opts.height ?? 360}`;
  const path = join(dir, opts.name ?? `tones.${opts.container ?? "mkv"}`);
  const args = [
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${size}:rate=30:duration=${seconds}`,
  ];
  for (const t of tracks) {
    args.push(
      "-f",
      "lavfi",
      "-i",
      `sine=frequency=${t.frequency}:sample_rate=48000:duration=${seconds}`,
    );
  }
  args.push("-map", "0:v");
  tracks.forEach((t, j) => {
    if (t.layout) {
      args.push(
        "-filter_complex",
        `[${j + 1}:a]aformat=channel_layouts=${t.layout}[a${j}]`,
      );
      args.push("-map", `[a${j}]`);
    } else args.push("-map", `${j + 1}:a`);
  });
  args.push(
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    ...(opts.gop
      ? ["-g", String(opts.gop), "-keyint_min", String(opts.gop)]
      : []),
    ...(opts.gop ? ["-sc_threshold", "0"] : []),
    "-c:a",
    "aac",
  );
  const anyDefault = tracks.some((t) => t.default);
  tracks.forEach((t, j) => {
    if (t.language) args.push(`-metadata:s:a:${j}`, `language=${t.language}`);
    if (t.title) args.push(`-metadata:s:a:${j}`, `title=${t.title}`);
    if (t.handler) args.push(`-metadata:s:a:${j}`, `handler_name=${t.handler}`);
    if (anyDefault) {
      args.push(`-disposition:a:${j}`, t.default ? "default" : "0");
    }
  });
  await ffmpeg([...args, path]);
  return path;
}
