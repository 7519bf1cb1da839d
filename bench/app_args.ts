/**
 * The app's own ffmpeg command for an input, built exactly as `lib/media/transcode.ts` builds
 * it (same planners, same defaults), so the benchmark can run it bare and show what the app
 * adds around it.
 */
import { probe, probeKeyframes } from "../lib/media/probe.ts";
import type { MediaInfo } from "../lib/media/probe.ts";
import {
  canCopyTopRung,
  keyframeIntervals,
  planLadder,
  type Rendition,
  SEGMENT_SEC,
} from "../lib/media/ladder.ts";
import { join } from "node:path";
import {
  buildFfmpegArgs,
  OUTPUT_FILES,
  posterSize,
  posterTime,
} from "../lib/media/ffmpeg_args.ts";
import { planThumbnails } from "../lib/media/thumbnails.ts";
import { X264_PRESET } from "../lib/media/transcode.ts";

/** Binaries (same variables as the app). */
export const FFMPEG: string = Deno.env.get("FFMPEG_PATH") ?? "ffmpeg";
/** See {@link FFMPEG}. */
export const FFPROBE: string = Deno.env.get("FFPROBE_PATH") ?? "ffprobe";

/** The app's command for one input. */
export interface AppCommand {
  args: string[];
  info: MediaInfo;
  renditions: Rendition[];
  /** Whether the top rung is a stream copy. */
  copy: boolean;
}

/**
 * Whether `transcode()` will stream-copy the top rung of `input`: the same checks in the same
 * order (cheap rules, then the source's keyframe spacing read by the app's probe).
 */
export async function copyEligible(
  input: string,
  info?: MediaInfo,
): Promise<boolean> {
  info ??= await probe(input, { ffprobePath: FFPROBE });
  if (!canCopyTopRung(info, [SEGMENT_SEC])) return false;
  const times = await probeKeyframes(input, info, { ffprobePath: FFPROBE });
  return times.length > 0 && canCopyTopRung(info, keyframeIntervals(times));
}

/**
 * The arguments `transcode()` would give ffmpeg for `input`, writing into `outDir`, which is
 * prepared the same way (its tiles folder created). `allowCopy: false` forces the full encode
 * (as `TranscodeOptions.allowCopy` does).
 */
export async function appCommand(
  input: string,
  outDir: string,
  opts: { allowCopy?: boolean } = {},
): Promise<AppCommand> {
  const info = await probe(input, { ffprobePath: FFPROBE });
  const copy = opts.allowCopy !== false && await copyEligible(input, info);
  const renditions = planLadder(info, { copyTopRung: copy });
  await Deno.mkdir(join(outDir, OUTPUT_FILES.tiles), { recursive: true });
  const [posterWidth, posterHeight] = posterSize(
    info.video.displayWidth,
    info.video.displayHeight,
  );
  const args = buildFfmpegArgs({
    input,
    info,
    renditions,
    outDir,
    preset: X264_PRESET,
    posterAtSec: posterTime(info.durationSec),
    posterWidth,
    posterHeight,
    thumbnails: planThumbnails(
      info.durationSec,
      info.video.displayWidth,
      info.video.displayHeight,
    ),
  });
  return { args, info, renditions, copy };
}
