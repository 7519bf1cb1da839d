/**
 * Seek-preview thumbnails: one sprite image (`thumbs.jpg`) holding a grid of small frames and a
 * WebVTT file (`thumbs.vtt`) whose cues point into it with `#xywh=` media fragments.
 */

/** Where and how often the sprite tiles are taken. */
export interface ThumbnailPlan {
  /** Seconds between tiles. */
  intervalSec: number;
  /** Number of tiles (cues). */
  count: number;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
}

/** Tiles fit a 160x160 box. */
const TILE_BOX = 160;
const MAX_TILES = 100;
const MAX_COLUMNS = 10;
const NICE_INTERVALS = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 180, 300, 600];

/**
 * Plans the sprite for a video of `durationSec` shown at `width`x`height`: at most 100 tiles,
 * at a "nice" interval (1, 2, 5, 10 s…), each fitting 160x160 with even sides.
 */
export function planThumbnails(
  durationSec: number,
  width: number,
  height: number,
): ThumbnailPlan {
  const intervalSec =
    NICE_INTERVALS.find((i) => Math.ceil(durationSec / i) <= MAX_TILES) ??
      Math.ceil(durationSec / MAX_TILES);
  const count = Math.max(1, Math.ceil(durationSec / intervalSec));
  const scale = TILE_BOX / Math.max(width, height);
  const tileWidth = Math.max(2, 2 * Math.round((width * scale) / 2));
  const tileHeight = Math.max(2, 2 * Math.round((height * scale) / 2));
  const columns = Math.min(MAX_COLUMNS, count);
  const rows = Math.ceil(count / columns);
  return { intervalSec, count, tileWidth, tileHeight, columns, rows };
}

/**
 * The ffmpeg filter chain that picks the tiles from the decoded frames (one small frame
 * every `intervalSec`). The tiles are written as separate images during the encode and
 * joined into the sprite afterwards: an in-graph `tile` filter emits its only frame at the
 * very end, and ffmpeg 5.1 reports no progress until every output has received a frame.
 */
export function thumbnailFilter(plan: ThumbnailPlan): string {
  return `fps=1/${plan.intervalSec},scale=${plan.tileWidth}:${plan.tileHeight},setsar=1`;
}

/** The filter that joins the tile images into the sprite. */
export function spriteFilter(plan: ThumbnailPlan): string {
  return `tile=${plan.columns}x${plan.rows}`;
}

/** `HH:MM:SS.mmm` as WebVTT wants it. */
function vttTime(sec: number): string {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * The WebVTT text for `plan`: one cue per tile, e.g.
 * `00:00:05.000 --> 00:00:10.000` / `thumbs.jpg#xywh=160,0,160,90`.
 */
export function thumbnailVtt(
  plan: ThumbnailPlan,
  durationSec: number,
  sprite = "thumbs.jpg",
): string {
  const lines = ["WEBVTT", ""];
  for (let i = 0; i < plan.count; i++) {
    const start = i * plan.intervalSec;
    const end = Math.min((i + 1) * plan.intervalSec, durationSec);
    if (end <= start) break;
    const x = (i % plan.columns) * plan.tileWidth;
    const y = Math.floor(i / plan.columns) * plan.tileHeight;
    lines.push(
      `${vttTime(start)} --> ${vttTime(end)}`,
      `${sprite}#xywh=${x},${y},${plan.tileWidth},${plan.tileHeight}`,
      "",
    );
  }
  return lines.join("\n");
}
