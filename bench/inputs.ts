/**
 * The benchmark's inputs, generated with ffmpeg's lavfi sources and cached (they take a few
 * minutes to make): a noisy 1080p30 clip with motion, encoded like a phone camera would, and
 * a cleaner one with a regular 2 s GOP (like a screen recording or an editor's export) whose
 * top rung the app may stream-copy; for the progressive section also a 10-minute version of
 * the latter and a 60 s 1080p HEVC 10-bit clip.
 */
import { join } from "node:path";
import { tmpdir } from "node:os";
import { FFMPEG } from "./app_args.ts";

/** Bumped whenever the generator changes, so stale cached clips are not reused. */
const VERSION = 2;

/** The generated clips. */
export interface Inputs {
  seconds: number;
  /** Noisy 1080p30, ≤ 16 Mb/s H.264 High with x264's default GOP (not copyable), AAC. */
  noisy: string;
  /** Light grain 1080p30, ≤ 8 Mb/s H.264 High, a keyframe every 2 s exactly (copyable), AAC. */
  copyable: string;
}

/** Where clips are cached: `$BENCH_CACHE`, else `<tmp>/reel-bench-cache`. */
export function cacheDir(): string {
  return Deno.env.get("BENCH_CACHE") ?? join(tmpdir(), "reel-bench-cache");
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).size > 0;
  } catch {
    return false;
  }
}

/** Returns the cached clips of `seconds` length, generating them first when missing. */
export async function prepareInputs(
  seconds: number,
  log: (msg: string) => void,
): Promise<Inputs> {
  const dir = cacheDir();
  await Deno.mkdir(dir, { recursive: true });
  const noisy = join(dir, `noisy-1080p30-${seconds}s-v${VERSION}.mp4`);
  const copyable = join(dir, `gop2s-1080p30-${seconds}s-v${VERSION}.mp4`);
  if (await exists(noisy) && await exists(copyable)) {
    return { seconds, noisy, copyable };
  }
  log(`generating ${seconds} s inputs in ${dir} (once; cached) …`);
  const tag = crypto.randomUUID().slice(0, 8);
  const [noisyPart, copyPart] = [
    `${noisy}.${tag}.mp4`,
    `${copyable}.${tag}.mp4`,
  ];
  const audio = ["-c:a", "aac", "-b:a", "160k", "-ar", "48000"];
  const args = [
    "-hide_banner",
    "-nostdin",
    "-y",
    "-loglevel",
    "error",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=1920x1080:rate=30:duration=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${seconds}`,
    // Moving test pattern plus temporal noise: every frame differs everywhere, the hard case
    // for an encoder (grain, low light), with ordinary motion on top.
    "-filter_complex",
    "[0:v]split[s0][s1];[s0]noise=alls=12:allf=t[a];[s1]noise=alls=4:allf=t[b]",
    // 1: like a phone camera: ~16 Mb/s, x264's default GOP with scene cuts (not copyable).
    "-map",
    "[a]",
    "-map",
    "1:a",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "18",
    "-maxrate",
    "16M",
    "-bufsize",
    "32M",
    "-pix_fmt",
    "yuv420p",
    ...audio,
    "-movflags",
    "+faststart",
    noisyPart,
    // 2: like a screen recorder or an editor's export: a keyframe every 2 s exactly.
    "-map",
    "[b]",
    "-map",
    "1:a",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    "20",
    "-maxrate",
    "8M",
    "-bufsize",
    "16M",
    "-g",
    "60",
    "-keyint_min",
    "60",
    "-sc_threshold",
    "0",
    "-pix_fmt",
    "yuv420p",
    ...audio,
    "-movflags",
    "+faststart",
    copyPart,
  ];
  const out = await new Deno.Command(FFMPEG, {
    args,
    stdin: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    await Deno.remove(noisyPart).catch(() => {});
    await Deno.remove(copyPart).catch(() => {});
    throw new Error(
      `generating inputs failed:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  await Deno.rename(noisyPart, noisy);
  await Deno.rename(copyPart, copyable);
  return { seconds, noisy, copyable };
}

/** The extra clips of the progressive section (the noisy clip comes from {@link prepareInputs}). */
export interface ProgressiveInputs {
  /** 10 minutes of 1080p30 H.264 (≤ 6 Mb/s) with a keyframe every 2 s exactly (copyable), AAC. */
  long: string;
  longSec: number;
  /** 1080p30 HEVC Main 10 (`yuv420p10le`), AAC, `seconds` long (never copyable). */
  hevc: string;
  hevcSec: number;
}

/** Length of the long copy-eligible clip. */
export const LONG_SEC = 600;

/** Runs one generating ffmpeg into `<path>.<tag>.mp4`, then renames it to `path`. */
async function generate(path: string, args: string[]): Promise<void> {
  const part = `${path}.${crypto.randomUUID().slice(0, 8)}.mp4`;
  const out = await new Deno.Command(FFMPEG, {
    args: [
      ...["-hide_banner", "-nostdin", "-y", "-loglevel", "error"],
      ...args,
      ...["-c:a", "aac", "-b:a", "160k", "-ar", "48000"],
      ...["-movflags", "+faststart", part],
    ],
    stdin: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    await Deno.remove(part).catch(() => {});
    throw new Error(
      `generating ${path} failed:\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  await Deno.rename(part, path);
}

/** The lavfi sources: the moving test pattern and a beeping sine, `seconds` long. */
function sources(seconds: number): string[] {
  return [
    ...[
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=1920x1080:rate=30:duration=${seconds}`,
    ],
    ...["-f", "lavfi", "-i"],
    `sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${seconds}`,
  ];
}

/**
 * Returns the progressive section's cached clips, generating them first when missing (the
 * 10-minute one takes several minutes here). The HEVC clip is `seconds` long.
 */
export async function prepareProgressiveInputs(
  seconds: number,
  log: (msg: string) => void,
): Promise<ProgressiveInputs> {
  const dir = cacheDir();
  await Deno.mkdir(dir, { recursive: true });
  const long = join(dir, `gop2s-1080p30-${LONG_SEC}s-fast-v${VERSION}.mp4`);
  const hevc = join(dir, `hevc10-1080p30-${seconds}s-v${VERSION}.mp4`);
  if (!await exists(long)) {
    log(
      `generating the ${LONG_SEC} s copyable input in ${dir} (once; cached) …`,
    );
    // The copyable clip's picture and GOP (light grain, a keyframe every 2 s exactly, no
    // scene cuts), encoded with x264 ultrafast and capped at 6 Mb/s so ten minutes of it is
    // made in a few minutes and stays a plausible upload (~450 MB).
    await generate(long, [
      ...sources(LONG_SEC),
      ...["-map", "0:v", "-map", "1:a", "-vf", "noise=alls=4:allf=t"],
      ...["-c:v", "libx264", "-preset", "ultrafast", "-crf", "20"],
      ...["-maxrate", "6M", "-bufsize", "12M"],
      ...["-g", "60", "-keyint_min", "60", "-sc_threshold", "0"],
      ...["-x264-params", "keyint=60:min-keyint=60:scenecut=0"],
      ...["-pix_fmt", "yuv420p"],
    ]);
  }
  if (!await exists(hevc)) {
    log(
      `generating the ${seconds} s HEVC 10-bit input in ${dir} (once; cached) …`,
    );
    await generate(hevc, [
      ...sources(seconds),
      ...["-map", "0:v", "-map", "1:a", "-vf", "noise=alls=4:allf=t"],
      ...["-c:v", "libx265", "-preset", "ultrafast", "-crf", "24"],
      ...["-x265-params", "log-level=error"],
      ...["-pix_fmt", "yuv420p10le", "-tag:v", "hvc1"],
    ]);
  }
  return { long, longSec: LONG_SEC, hevc, hevcSec: seconds };
}
