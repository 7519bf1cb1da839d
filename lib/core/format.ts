/**
 * Formatting shared by server messages and the browser: byte sizes and durations. Pure
 * functions; `lib/ui/format.ts` re-exports them for the islands.
 *
 * @module
 */

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

/**
 * A start time from a share link (`?t=`): seconds (`90`, `90.5`) or YouTube-style `1h2m3s`,
 * `2m`, `45s`. Null for anything else (the link then starts at 0).
 *
 * @example parseStartTime("1m30s") // 90
 */
export function parseStartTime(raw: string | null | undefined): number | null {
  const s = raw?.trim().toLowerCase();
  if (!s) return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(s);
  if (!m || !(m[1] || m[2] || m[3])) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** The `?t=` form of a start time: whole seconds as `1h2m3s` (`0s` for 0). */
export function formatStartTime(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${
    s || !(h || m) ? `${s}s` : ""
  }`;
}
