/**
 * Which webhook events a video write is: the one rule both backends apply inside the write's
 * transaction when they fill the outbox (`video_events`), so a transition is recorded exactly
 * once whichever process makes it. See docs/architecture.md, "Webhooks".
 *
 * @module
 */
import type { VideoEventType, VideoRecord } from "./ports.ts";

/** Every event type, in lifecycle order (the API's allowed values). */
export const VIDEO_EVENT_TYPES: readonly VideoEventType[] = [
  "video.created",
  "video.playable",
  "video.ready",
  "video.failed",
  "video.deleted",
];

/** How many delivery log entries each hook keeps (older ones are pruned on insert). */
export const DELIVERY_LOG_KEEP = 1000;

/** The part of a video that decides its events. */
type State = Pick<VideoRecord, "status" | "playable">;

/** True when Video JSON would say `playable` (a ready video always is). */
function playable(v: State): boolean {
  return v.playable || v.status === "ready";
}

/**
 * The events an update from `before` to `after` is, in the order they happened: becoming
 * playable comes before becoming ready (a single-pass encode does both in one write).
 */
export function transitionEvents(
  before: State,
  after: State,
): VideoEventType[] {
  const out: VideoEventType[] = [];
  if (!playable(before) && playable(after)) out.push("video.playable");
  if (before.status !== "ready" && after.status === "ready") {
    out.push("video.ready");
  }
  if (before.status !== "failed" && after.status === "failed") {
    out.push("video.failed");
  }
  return out;
}

/** True when a patch can change what {@link transitionEvents} looks at. */
export function mayTransition(patch: object): boolean {
  return "status" in patch || "playable" in patch;
}

/** The snapshot an event carries: the record without the probe output. */
export function eventSnapshot(v: VideoRecord): VideoRecord {
  return { ...v, media: null };
}
