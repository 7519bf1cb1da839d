/**
 * Shapes a stored video into the public Video JSON of the API contract. Browser code imports
 * the {@link Video} type from here (types only).
 *
 * @module
 */
import type { VideoRecord, VideoStatus } from "../store/ports.ts";
import { OUTPUT_FILES } from "../media/layout.ts";
import { type AudioTrack, audioTracksOf } from "../media/audio_tracks.ts";
import type { MediaInfo } from "../media/probe.ts";

export type { AudioTrack, VideoStatus };

/** One rendition in Video JSON; bitrate in bits/s, null until it is ready. */
export interface Rendition {
  width: number;
  height: number;
  bitrate: number | null;
  /** True once the rendition is completely encoded. */
  ready: boolean;
}

/** The Video JSON object (the API contract in docs/architecture.md). */
export interface Video {
  id: string;
  title: string;
  status: VideoStatus;
  /** True as soon as one rendition can be played from its start (maybe still processing). */
  playable: boolean;
  progress: number;
  error: string | null;
  createdAt: string;
  sourceName: string;
  sizeBytes: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  renditions: Rendition[];
  /** Every audio track of the source, in source order; exactly one is `default`. */
  audioTracks: AudioTrack[];
  hlsUrl: string | null;
  dashUrl: string | null;
  posterUrl: string | null;
  thumbnailsUrl: string | null;
  playerUrl: string;
}

/** Converts a record; `publicUrl` (no trailing slash) makes URLs absolute. */
export function presentVideo(
  v: VideoRecord,
  publicUrl: string | null = null,
): Video {
  const base = publicUrl ?? "";
  const ready = v.status === "ready";
  const playable = ready || v.playable;
  const stream = (file: string, when: boolean) =>
    when ? `${base}/stream/${v.id}/${file}` : null;
  return {
    id: v.id,
    title: v.title,
    status: v.status,
    playable,
    progress: Math.round(v.progress * 1000) / 1000,
    error: v.error,
    createdAt: v.createdAt,
    sourceName: v.sourceName,
    sizeBytes: v.sizeBytes,
    durationSec: v.durationSec,
    width: v.width,
    height: v.height,
    renditions: v.renditions.map((r) => ({
      width: r.width,
      height: r.height,
      bitrate: r.ready ? r.bitrate : null,
      ready: r.ready,
    })),
    // Known from the probe stored with the video; each is an audio rendition of the streams.
    audioTracks: audioTracksOf(v.media as MediaInfo | null),
    hlsUrl: stream(OUTPUT_FILES.hlsMaster, playable),
    // dash.js plays a growing (dynamic) MPD from the live edge, so DASH waits for the static
    // MPD written when every rendition is done (docs/architecture.md, "Progressive publishing").
    dashUrl: stream(OUTPUT_FILES.mpd, ready),
    posterUrl: stream(OUTPUT_FILES.poster, playable),
    // The sprite is joined after the last phase, so thumbnails come with `ready`.
    thumbnailsUrl: stream(OUTPUT_FILES.vtt, ready),
    playerUrl: `${base}/player/${v.id}`,
  };
}
