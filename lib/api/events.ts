/**
 * Server-sent event streams of video changes: one video's, and the whole library's, with
 * each change presented as Video JSON.
 *
 * @module
 */
import { sseResponse } from "../http/sse.ts";
import type { VideoRecord } from "../store/ports.ts";
import type { ChangeFeed } from "../videos/mod.ts";
import { presentVideo } from "./present.ts";
import type { WebDeps } from "./state.ts";

/** What the event streams need. */
export interface EventDeps {
  feed: ChangeFeed;
  /** Re-reads a video (it may have changed between reading and subscribing). */
  get(id: string): Promise<VideoRecord | null>;
  publicUrl: string | null;
  /** Aborted at shutdown: ends every stream. */
  closing: AbortSignal;
}

/** The event streams' dependencies, from the web process's parts. */
export function eventDeps(web: WebDeps): EventDeps {
  return {
    feed: web.feed,
    get: (id) => web.videos.find(id),
    publicUrl: web.settings.publicUrl,
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
  const present = (v: VideoRecord) => presentVideo(v, d.publicUrl);
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
  return sseResponse((send) => {
    send.comment("connected");
    return d.feed.subscribe((change) => {
      if (change.type === "deleted") send.event("deleted", { id: change.id });
      else send.event("video", presentVideo(change.video, d.publicUrl));
    });
  }, { signal: anySignal(signal, d.closing) });
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}
