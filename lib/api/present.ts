/**
 * Shapes a stored video into the public Video JSON of the API contract. Browser code imports
 * the {@link Video} type from here (types only).
 *
 * @module
 */
import type { VideoRecord, VideoStatus } from "../store/ports.ts";
import { OUTPUT_FILES } from "../media/layout.ts";

export type { VideoStatus };

/** One encoded rendition in Video JSON; bitrate in bits/s. */
export interface Rendition {
  width: number;
  height: number;
  bitrate: number;
}

/** The Video JSON object (the API contract in docs/architecture.md). */
export interface Video {
  id: string;
  title: string;
  status: VideoStatus;
  progress: number;
  error: string | null;
  createdAt: string;
  sourceName: string;
  sizeBytes: number;
  durationSec: number | null;
  width: number | null;
  height: number | null;
  renditions: Rendition[];
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
  const stream = (file: string) =>
    ready ? `${base}/stream/${v.id}/${file}` : null;
  return {
    id: v.id,
    title: v.title,
    status: v.status,
    progress: Math.round(v.progress * 1000) / 1000,
    error: v.error,
    createdAt: v.createdAt,
    sourceName: v.sourceName,
    sizeBytes: v.sizeBytes,
    durationSec: v.durationSec,
    width: v.width,
    height: v.height,
    renditions: v.renditions.filter((r) => r.ready).map((r) => ({
      width: r.width,
      height: r.height,
      bitrate: r.bitrate ?? 0,
    })),
    hlsUrl: stream(OUTPUT_FILES.hlsMaster),
    dashUrl: stream(OUTPUT_FILES.mpd),
    posterUrl: stream(OUTPUT_FILES.poster),
    thumbnailsUrl: stream(OUTPUT_FILES.vtt),
    playerUrl: `${base}/player/${v.id}`,
  };
}
