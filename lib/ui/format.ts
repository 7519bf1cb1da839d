/**
 * Human-readable formatting shared by the server-rendered pages and the islands: durations,
 * sizes, speeds, resolutions and bitrates. Pure functions, no DOM.
 */

/**
 * Formats seconds as `m:ss`, or `h:mm:ss` from an hour on; `--:--` for unknown values.
 *
 * @example formatDuration(83) // "1:23"
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return "--:--";
  }
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

const SIZE_UNITS = ["KB", "MB", "GB", "TB"];

/**
 * Formats a byte count with decimal units, as file managers do: `512 bytes`, `4.2 MB`, `1.3 GB`.
 *
 * @example formatBytes(2_300_000_000) // "2.3 GB"
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1000) {
    return `${Math.round(bytes)} ${bytes === 1 ? "byte" : "bytes"}`;
  }
  let v = bytes;
  let i = -1;
  while (v >= 1000 && i < SIZE_UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  // 999.95 KB would round to "1000 KB"; promote it.
  if (v >= 999.95 && i < SIZE_UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${SIZE_UNITS[i]}`;
}

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
