/** Shapes a stored video into the public Video JSON of the API contract. */
import type {
  RenditionInfo,
  VideoRecord,
  VideoStatus,
} from "../store/videos.ts";

/** The Video JSON object (DESIGN.md, "HTTP API"). */
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
  renditions: RenditionInfo[];
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
    renditions: v.renditions,
    hlsUrl: stream("master.m3u8"),
    dashUrl: stream("manifest.mpd"),
    posterUrl: stream("poster.jpg"),
    thumbnailsUrl: stream("thumbs.vtt"),
    playerUrl: `${base}/player/${v.id}`,
  };
}
