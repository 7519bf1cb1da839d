/**
 * Shapes a stored video into the public Video JSON of the API contract. Browser code imports
 * the {@link Video} type from here (types only).
 *
 * @module
 */
import type {
  CaptionInfo,
  VideoRecord,
  VideoStatus,
  Visibility,
} from "../store/ports.ts";
import { OUTPUT_FILES } from "../media/layout.ts";
import { captionFiles } from "../media/caption_manifests.ts";
import { type AudioTrack, audioTracksOf } from "../media/audio_tracks.ts";
import type { MediaInfo } from "../media/probe.ts";

export type { AudioTrack, VideoStatus, Visibility };

/** One rendition in Video JSON; bitrate in bits/s, null until it is ready. */
export interface Rendition {
  width: number;
  height: number;
  bitrate: number | null;
  /** True once the rendition is completely encoded. */
  ready: boolean;
}

/** One caption in Video JSON and in `GET /api/videos/:id/captions`. */
export interface Caption {
  /** BCP 47 language tag (canonical form). */
  lang: string;
  /** The owner's label, or null (players then show the language's name). */
  label: string | null;
  /** The WebVTT file. */
  url: string;
}

/** The Video JSON object (the API contract in docs/architecture.md). */
export interface Video {
  id: string;
  title: string;
  /** `public` (listed), `unlisted` (plays by link), `private` (owner and signed links only). */
  visibility: Visibility;
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
  /** The minimal player for iframes (`/embed/<id>`). */
  embedUrl: string;
  /** Captions by language tag; in the HLS master and the MPD whenever they are served. */
  captions: Caption[];
}

/**
 * A caption as the API shows it; `base` is the video's stream base ({@link streamBase}),
 * so a private video's caption URLs carry its token too.
 */
export function presentCaption(base: string, c: CaptionInfo): Caption {
  return {
    lang: c.lang,
    label: c.label,
    url: `${base}/${captionFiles(c.lang).vtt}`,
  };
}

/** Signs a private video's stream URLs (the owner's views); see `PlaybackSigner`. */
export type StreamSigner = (videoId: string) => string;

/**
 * The base of a video's stream URLs: `/stream/<id>`, or `/stream/<id>/t/<token>` for a
 * private video (null when there is no token to give).
 */
export function streamBase(
  v: Pick<VideoRecord, "id" | "visibility">,
  publicUrl: string | null,
  sign?: StreamSigner,
): string | null {
  const base = `${publicUrl ?? ""}/stream/${v.id}`;
  if (v.visibility !== "private") return base;
  return sign ? `${base}/t/${sign(v.id)}` : null;
}

/**
 * Converts a record; `publicUrl` (no trailing slash) makes URLs absolute. A private video's
 * stream URLs carry a signed token from `sign`, and are null without it.
 */
export function presentVideo(
  v: VideoRecord,
  publicUrl: string | null = null,
  sign?: StreamSigner,
): Video {
  const base = publicUrl ?? "";
  const ready = v.status === "ready";
  const playable = ready || v.playable;
  const streams = streamBase(v, publicUrl, sign);
  const stream = (file: string, when: boolean) =>
    when && streams ? `${streams}/${file}` : null;
  return {
    id: v.id,
    title: v.title,
    visibility: v.visibility,
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
    embedUrl: `${base}/embed/${v.id}`,
    captions: streams ? v.captions.map((c) => presentCaption(streams, c)) : [],
  };
}
