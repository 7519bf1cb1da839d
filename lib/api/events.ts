/**
 * Server-sent event streams of video changes: one video's, and the whole library's, with
 * each change presented as Video JSON for the viewer. A visitor's library stream carries
 * public videos only; a video that stops being public reaches it as `deleted` when this
 * stream had shown it (never otherwise: an unlisted video's id is its link), and a video
 * turned private ends its own stream like a deletion.
 *
 * @module
 */
import { sseResponse } from "../http/sse.ts";
import type { VideoRecord } from "../store/ports.ts";
import { canSee, type ChangeFeed, isListed } from "../videos/mod.ts";
import type { WebDeps } from "./state.ts";
import type { Viewer } from "./viewer.ts";

/** What the event streams need. */
export interface EventDeps {
  feed: ChangeFeed;
  /** Re-reads a video (it may have changed between reading and subscribing). */
  get(id: string): Promise<VideoRecord | null>;
  /** Who listens: what they may see, and how videos are shown to them. */
  viewer: Viewer;
  /** Aborted at shutdown: ends every stream. */
  closing: AbortSignal;
}

/** The event streams' dependencies, from the web process's parts. */
export function eventDeps(web: WebDeps, viewer: Viewer): EventDeps {
  return {
    feed: web.feed,
    get: (id) => web.videos.find(id, viewer.owner),
    viewer,
    closing: web.closing,
  };
}

const finished = (v: VideoRecord) =>
  v.status === "ready" || v.status === "failed";

/** `event: video` on every change of one video; `deleted` then end; ends after ready/failed. */
export function videoEvents(
  d: EventDeps,
  video: VideoRecord,
  signal?: AbortSignal,
): Response {
  const present = d.viewer.present;
  const owner = d.viewer.owner;
  return sseResponse((send) => {
    send.event("video", present(video));
    if (finished(video)) {
      send.close();
      return;
    }
    let rev = video.rev;
    const off = d.feed.subscribe((change) => {
      if (change.type === "deleted" && change.id === video.id) {
        send.event("deleted", { id: video.id });
        send.close();
      } else if (change.type === "video" && change.video.id === video.id) {
        if (change.video.rev <= rev) return;
        rev = change.video.rev;
        if (!canSee(change.video, owner)) {
          // Turned private: to this viewer it is gone.
          send.event("deleted", { id: video.id });
          send.close();
          return;
        }
        send.event("video", present(change.video));
        if (finished(change.video)) send.close();
      }
    });
    // The record may have changed between reading it and subscribing.
    d.get(video.id).then((now) => {
      if (!now) {
        send.event("deleted", { id: video.id });
        send.close();
      } else if (now.rev > rev) {
        rev = now.rev;
        send.event("video", present(now));
        if (finished(now)) send.close();
      }
    }, () => {/* the feed goes on */});
    return off;
  }, { signal: anySignal(signal, d.closing) });
}

/** Every created or changed video (`video`) and every deletion (`deleted`). */
export function libraryEvents(d: EventDeps, signal?: AbortSignal): Response {
  const { owner, present } = d.viewer;
  return sseResponse((send) => {
    send.comment("connected");
    /** Ids this (visitor's) stream has shown, so hiding one later can remove it. */
    const shown = new Set<string>();
    return d.feed.subscribe((change) => {
      if (change.type === "deleted") {
        // A deleted video's id opens nothing any more: every stream hears of it.
        shown.delete(change.id);
        send.event("deleted", { id: change.id });
      } else if (isListed(change.video, owner)) {
        if (!owner) shown.add(change.video.id);
        send.event("video", present(change.video));
      } else if (shown.delete(change.video.id)) {
        send.event("deleted", { id: change.video.id });
      }
    });
  }, { signal: anySignal(signal, d.closing) });
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}
