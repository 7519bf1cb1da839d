/**
 * Progressive publishing, planned: which renditions the fast first phase produces and which
 * the rest of the ladder does, and the final index of every representation.
 *
 * - A copy-eligible source: phase 1 remuxes the top rung (no decode, seconds for any length)
 *   with the audio; phase 2 encodes the lower rungs (keyframes from the source) and the
 *   thumbnails.
 * - Any other source: phase 1 encodes the lowest rung fast, with the audio and thumbnails;
 *   phase 2 encodes the rest.
 *
 * Both phases run at once (phase 2 at a lower CPU priority), so phase 1 is not slowed much
 * and the cores stay busy. The final folder uses the same names as a single-pass encode:
 * video representations 0…n-1 in ladder order (largest first), then one audio rendition per
 * audio track, n…n+k-1 in source order. Phase 1 carries every audio track.
 *
 * @module
 */
import type { Rendition } from "./ladder.ts";

/** One ffmpeg run of the plan. */
export interface Phase {
  /** Its renditions, in its own representation order. */
  renditions: Rendition[];
  /** Final representation index of each of its video representations. */
  finalIds: number[];
  /**
   * Whether it carries the audio tracks (then its local ids `renditions.length + j` are the
   * tracks).
   */
  audio: boolean;
  /** Whether it writes the thumbnail tiles. */
  thumbnails: boolean;
  /** Keyframe placement of its encoded rungs. */
  keyframes: "source" | "gop";
}

/** The phases of one transcode. */
export interface PhasePlan {
  first: Phase;
  /** Null when the ladder has one rung (the first phase is the whole job). */
  rest: Phase | null;
  /** Final representation index of each audio track, in track order (empty without audio). */
  audioIds: number[];
}

/**
 * Splits a ladder (largest first; `[0].copy` for the copy path) into the two phases. With
 * `single`, one phase does everything (the earlier single-pass encode, kept for comparison).
 */
export function planPhases(
  ladder: Rendition[],
  audioTracks: number,
  opts: { single?: boolean } = {},
): PhasePlan {
  const n = ladder.length;
  const copy = ladder[0]?.copy === true;
  const keyframes = copy ? "source" : "gop";
  const hasAudio = audioTracks > 0;
  const audioIds = Array.from({ length: audioTracks }, (_, j) => n + j);
  if (n <= 1 || opts.single) {
    return {
      first: {
        renditions: ladder,
        finalIds: ladder.map((_, i) => i),
        audio: hasAudio,
        thumbnails: true,
        keyframes,
      },
      rest: null,
      audioIds,
    };
  }
  const firstIndex = copy ? 0 : n - 1;
  const restIds = ladder.map((_, i) => i).filter((i) => i !== firstIndex);
  return {
    first: {
      renditions: [ladder[firstIndex]],
      finalIds: [firstIndex],
      audio: hasAudio,
      // A remux decodes nothing; the thumbnails then come from the phase that decodes.
      thumbnails: !copy,
      keyframes,
    },
    rest: {
      renditions: restIds.map((i) => ladder[i]),
      finalIds: restIds,
      audio: false,
      thumbnails: copy,
      keyframes,
    },
    audioIds,
  };
}

/** Maps a phase's local representation id to its final one (audio included). */
export function finalIdOf(
  phase: Phase,
  plan: PhasePlan,
): (local: number) => number | null {
  return (local) => {
    if (local < phase.finalIds.length) return phase.finalIds[local];
    const track = local - phase.renditions.length;
    if (phase.audio && track >= 0) return plan.audioIds[track] ?? null;
    return null;
  };
}
