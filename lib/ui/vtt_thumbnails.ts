/**
 * Seek-preview thumbnails: parses a WebVTT file whose cues point into a sprite image
 * (`thumbs.jpg#xywh=x,y,w,h`) and finds the tile for a time.
 */

/** One tile of the sprite, shown for times in [start, end). */
export interface ThumbnailCue {
  start: number;
  end: number;
  /** Absolute URL of the sprite image (without the fragment). */
  url: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

const TIMING =
  /^((?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)/;

/** Parses a WebVTT timestamp (`hh:mm:ss.mmm` or `mm:ss.mmm`) to seconds; NaN if invalid. */
export function parseTimestamp(text: string): number {
  const parts = text.trim().replace(",", ".").split(":");
  if (parts.length < 2 || parts.length > 3) return NaN;
  let seconds = 0;
  for (const p of parts) {
    if (!/^\d+(\.\d+)?$/.test(p)) return NaN;
    seconds = seconds * 60 + Number(p);
  }
  return seconds;
}

/**
 * Parses the thumbnails track. `vttUrl` (absolute) resolves the sprite paths. Cues without a
 * valid `#xywh=` fragment are skipped.
 *
 * @example parseThumbnails(text, "https://example.com/stream/ID/thumbs.vtt")
 */
export function parseThumbnails(text: string, vttUrl: string): ThumbnailCue[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  if (!lines[0]?.startsWith("WEBVTT")) return [];
  const cues: ThumbnailCue[] = [];
  for (let i = 1; i < lines.length; i++) {
    const m = TIMING.exec(lines[i].trim());
    if (!m) continue;
    const target = lines[i + 1]?.trim();
    if (!target) continue;
    i++;
    const start = parseTimestamp(m[1]);
    const end = parseTimestamp(m[2]);
    const hash = target.indexOf("#");
    if (hash === -1 || !Number.isFinite(start) || !Number.isFinite(end)) {
      continue;
    }
    const frag = /xywh=(?:pixel:)?(\d+),(\d+),(\d+),(\d+)/.exec(
      target.slice(hash + 1),
    );
    if (!frag) continue;
    let url: string;
    try {
      url = new URL(target.slice(0, hash), vttUrl).href;
    } catch {
      continue;
    }
    const [x, y, w, h] = frag.slice(1).map(Number);
    if (w > 0 && h > 0) cues.push({ start, end, url, x, y, w, h });
  }
  return cues.sort((a, b) => a.start - b.start);
}

/** The cue shown at `time` (binary search; the last cue past the end). */
export function thumbnailAt(
  cues: ThumbnailCue[],
  time: number,
): ThumbnailCue | null {
  if (cues.length === 0 || !Number.isFinite(time)) return null;
  let lo = 0;
  let hi = cues.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cues[mid].start <= time) lo = mid;
    else hi = mid - 1;
  }
  return cues[lo];
}
