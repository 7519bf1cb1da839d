/**
 * Plans the ABR ladder: which renditions to encode, at what size and bit rate, and whether
 * the top rung can be a plain stream copy of the source.
 */

import type { MediaInfo } from "./probe.ts";
import { even, evenDown } from "./dimensions.ts";

/** Segment length in seconds (HLS and DASH share the same segments). */
export const SEGMENT_SEC = 4;
/** Keyframe interval of encoded rungs; two GOPs per segment. */
export const GOP_SEC = 2;
/** Short sides of the standard rungs below the top one. */
export const STANDARD_RUNGS: readonly number[] = [720, 480, 360];
/** The top rung never exceeds this short side. */
export const MAX_SHORT_SIDE = 1080;

/** One rendition of the ladder. Bit rates are in bits/s. */
export interface Rendition {
  width: number;
  height: number;
  /** Nominal average video bit rate. */
  videoBitrate: number;
  audioBitrate: number;
  /** VBV cap passed to x264 (`-maxrate`), with `bufsize` as its buffer. */
  maxrate: number;
  bufsize: number;
  /** True when this rung is the source's video stream copied as is. */
  copy: boolean;
}

/** Audio bit rate of the single AAC stereo rendition. */
export const AUDIO_BITRATE = 128_000;

/** Reference bit rates for 16:9 frames, keyed by short side. */
const REFERENCE: readonly [short: number, bitrate: number][] = [
  [1080, 5_000_000],
  [720, 2_800_000],
  [480, 1_400_000],
  [360, 800_000],
];

/**
 * Nominal bit rate for a frame: the reference for the nearest standard short side, scaled by
 * pixel count to the power 0.75 (bits needed grow slower than pixel count).
 */
export function nominalBitrate(width: number, height: number): number {
  const short = Math.min(width, height);
  const [refShort, refRate] = REFERENCE.reduce((best, r) =>
    Math.abs(r[0] - short) < Math.abs(best[0] - short) ? r : best
  );
  const refPixels = refShort * even(refShort * 16 / 9);
  const rate = refRate * Math.pow((width * height) / refPixels, 0.75);
  return Math.max(100_000, Math.round(rate / 10_000) * 10_000);
}

/**
 * Plans the renditions for `info`, largest first. The top rung is the source's short side
 * capped at 1080; below it every one of 720/480/360 that is smaller. Portrait videos use the
 * width as the short side. Sizes keep the display aspect ratio and are even.
 *
 * @example planLadder(info1080p).map((r) => r.height) // [1080, 720, 480, 360]
 */
export function planLadder(
  info: MediaInfo,
  opts: { copyTopRung?: boolean } = {},
): Rendition[] {
  const { displayWidth: dw, displayHeight: dh } = info.video;
  const portrait = dh > dw;
  const srcShort = portrait ? dw : dh;
  const srcLong = portrait ? dh : dw;
  const top = evenDown(Math.min(srcShort, MAX_SHORT_SIDE));
  const shorts = [top, ...STANDARD_RUNGS.filter((s) => s < top)];
  return shorts.map((short, i) => {
    // Never wider than the source (a 853x480 source must not become 854 wide).
    const long = Math.min(even(short * srcLong / srcShort), evenDown(srcLong));
    const width = portrait ? short : long;
    const height = portrait ? long : short;
    const copy = i === 0 && opts.copyTopRung === true;
    const videoBitrate = copy && info.video.bitRate
      ? info.video.bitRate
      : nominalBitrate(width, height);
    return {
      width,
      height,
      videoBitrate,
      audioBitrate: info.audio ? AUDIO_BITRATE : 0,
      maxrate: videoBitrate,
      bufsize: videoBitrate * 2,
      copy,
    };
  });
}

/** Seconds between consecutive keyframe times. */
export function keyframeIntervals(times: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < times.length; i++) out.push(times[i] - times[i - 1]);
  return out;
}

/**
 * Whether the top rung can be the source's video copied without re-encoding (DESIGN.md fast
 * path): H.264 8-bit 4:2:0 in MP4/MOV or Matroska, unrotated, square pixels, at most 30 fps,
 * a short side of at most 1080 (so the top rung is the source size) and a regular keyframe
 * interval no longer than a segment. Audio does not matter: it is always re-encoded into its
 * own rendition, which costs little.
 */
export function canCopyTopRung(
  info: MediaInfo,
  keyframeIntervalsSec: readonly number[],
): boolean {
  const v = info.video;
  const playableProfile = v.profile === null ||
    ["Baseline", "Constrained Baseline", "Main", "High"].includes(v.profile);
  if (
    v.codec !== "h264" || !playableProfile || v.pixFmt !== "yuv420p" ||
    v.bitDepth !== 8 ||
    v.rotation !== 0 || v.sar.num !== v.sar.den || v.fps > 30 || v.hdr ||
    Math.min(v.width, v.height) > MAX_SHORT_SIDE || v.width % 2 !== 0 ||
    v.height % 2 !== 0 ||
    !["mov", "matroska"].includes(info.formatName)
  ) {
    return false;
  }
  // A single GOP (short clip) has no interval; it is regular if it fits in one segment.
  if (keyframeIntervalsSec.length === 0) return info.durationSec <= SEGMENT_SEC;
  const max = Math.max(...keyframeIntervalsSec);
  const min = Math.min(...keyframeIntervalsSec);
  return max <= SEGMENT_SEC + 0.01 && min > 0 && max / min <= 1.25;
}
