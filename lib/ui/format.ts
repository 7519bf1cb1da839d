/**
 * Human-readable formatting shared by the server-rendered pages and the islands: durations,
 * sizes, speeds, resolutions and bitrates. Pure functions, no DOM. Sizes and durations are
 * owned by `lib/core/format.ts` (server messages use them too) and re-exported here.
 *
 * @module
 */
import { formatBytes, formatDuration } from "../core/format.ts";

export { formatBytes, formatDuration };

/** Formats a transfer rate in bytes per second: `4.2 MB/s`. */
export function formatSpeed(bytesPerSec: number): string {
  if (!Number.isFinite(bytesPerSec) || bytesPerSec <= 0) return "—";
  return `${formatBytes(bytesPerSec)}/s`;
}

/**
 * Formats a bitrate in bits per second: `800 kb/s`, `2.5 Mb/s`.
 *
 * @example formatBitrate(2_500_000) // "2.5 Mb/s"
 */
export function formatBitrate(bitsPerSec: number | null | undefined): string {
  if (!bitsPerSec || !Number.isFinite(bitsPerSec) || bitsPerSec <= 0) {
    return "—";
  }
  if (bitsPerSec < 1_000_000) return `${Math.round(bitsPerSec / 1000)} kb/s`;
  const m = bitsPerSec / 1_000_000;
  return `${m < 10 ? m.toFixed(1) : Math.round(m)} Mb/s`;
}

/**
 * Formats the time left of a transfer: `8 s left`, `3 min left`, `1 h 5 min left`.
 * Returns an empty string when it cannot be estimated.
 */
export function formatTimeLeft(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "";
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s left`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min left`;
  return `${Math.floor(m / 60)} h ${m % 60} min left`;
}

/**
 * Names a resolution by its short side, as video sites do: 1920×1080 → `1080p`,
 * a portrait 1080×1920 → `1080p` too. Empty string when unknown.
 */
export function formatResolution(
  width: number | null | undefined,
  height: number | null | undefined,
): string {
  if (!width || !height) return "";
  return `${Math.min(width, height)}p`;
}

/** Formats a 0–1 fraction as a whole percentage: `0.456` → `46%` (clamped). */
export function formatPercent(fraction: number): string {
  return `${percent(fraction)}%`;
}

/** A 0–1 fraction as a whole number from 0 to 100 (clamped; NaN → 0). */
export function percent(fraction: number): number {
  if (!Number.isFinite(fraction)) return 0;
  return Math.round(Math.min(1, Math.max(0, fraction)) * 100);
}

const DATE = new Intl.DateTimeFormat("en", {
  year: "numeric",
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});

/**
 * Formats an ISO timestamp as a date (`Nov 27, 2026`). UTC, so the server's render and the
 * browser's hydration agree.
 */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : DATE.format(d);
}

/** The facts line of a video: `720p · 0:10 · 9.5 MB · Nov 27, 2026` (unknown parts left out). */
export function videoFacts(video: {
  width: number | null;
  height: number | null;
  durationSec: number | null;
  sizeBytes: number;
  createdAt: string;
}): string[] {
  return [
    formatResolution(video.width, video.height),
    video.durationSec === null ? "" : formatDuration(video.durationSec),
    formatBytes(video.sizeBytes),
    formatDate(video.createdAt),
  ].filter(Boolean);
}

/**
 * What is still being prepared while a video already plays, e.g. `Playable · HD processing
 * 45%`; null unless it is playable and processing.
 */
export function processingNote(video: {
  status: string;
  playable: boolean;
  progress: number;
  renditions: { width: number; height: number; ready: boolean }[];
}): string | null {
  if (video.status !== "processing" || !video.playable) return null;
  const pending = video.renditions.filter((r) => !r.ready);
  if (pending.length === 0) return "Playable · finishing";
  const top = Math.max(...pending.map((r) => Math.min(r.width, r.height)));
  const label = top >= 720 ? "HD" : `${top}p`;
  return `Playable · ${label} processing ${formatPercent(video.progress)}`;
}
