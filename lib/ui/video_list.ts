/**
 * The library's list of videos kept newest first while live events, uploads and "Load more"
 * pages arrive in any order. Pure functions returning new arrays (for Preact state).
 */
import type { Video } from "../api/present.ts";

/** Newest first; ties broken by id so the order is stable. */
export function compareNewestFirst(a: Video, b: Video): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

/**
 * Adds or replaces `video`. A new video older than the last loaded one is left out when
 * more pages exist (`complete` false): "Load more" brings it in its place.
 */
export function upsertVideo(
  list: readonly Video[],
  video: Video,
  complete = true,
): Video[] {
  const i = list.findIndex((v) => v.id === video.id);
  if (i !== -1) {
    const next = list.slice();
    next[i] = video;
    return next;
  }
  const last = list.at(-1);
  if (!complete && last && compareNewestFirst(video, last) > 0) {
    return list.slice();
  }
  const next = [...list, video];
  next.sort(compareNewestFirst);
  return next;
}

/** Removes the video `id`. */
export function removeVideo(list: readonly Video[], id: string): Video[] {
  return list.filter((v) => v.id !== id);
}

/** Appends a page of older videos, skipping ones already present. */
export function appendPage(
  list: readonly Video[],
  page: readonly Video[],
): Video[] {
  const seen = new Set(list.map((v) => v.id));
  const next = [...list, ...page.filter((v) => !seen.has(v.id))];
  next.sort(compareNewestFirst);
  return next;
}
