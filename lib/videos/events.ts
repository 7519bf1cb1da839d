/** Server-sent event streams of video changes: one video's, and the whole library's. */
import { sseResponse } from "../http/sse.ts";
import type { Services } from "../services.ts";
import type { VideoRecord } from "../store/videos.ts";
import { presentVideo } from "./present.ts";

const finished = (v: VideoRecord) =>
  v.status === "ready" || v.status === "failed";

/** `event: video` on every change of one video; `deleted` then end; ends after ready/failed. */
export function videoEvents(
  s: Services,
  video: VideoRecord,
  signal?: AbortSignal,
): Response {
  return sseResponse((send) => {
    send.event("video", presentVideo(video, s.config.publicUrl));
    if (finished(video)) {
      send.close();
      return;
    }
    const off = s.feed.subscribe((change) => {
      if (change.type === "deleted" && change.id === video.id) {
        send.event("deleted", { id: video.id });
        send.close();
      } else if (change.type === "video" && change.video.id === video.id) {
        send.event("video", presentVideo(change.video, s.config.publicUrl));
        if (finished(change.video)) send.close();
      }
    });
    // The record may have changed between reading it and subscribing.
    const now = s.videos.get(video.id);
    if (!now) {
      send.event("deleted", { id: video.id });
      send.close();
    } else if (now.rev !== video.rev) {
      send.event("video", presentVideo(now, s.config.publicUrl));
      if (finished(now)) send.close();
    }
    return off;
  }, { signal });
}

/** Every created or changed video (`video`) and every deletion (`deleted`). */
export function libraryEvents(s: Services, signal?: AbortSignal): Response {
  signal = signal
    ? AbortSignal.any([signal, s.closing.signal])
    : s.closing.signal;
  return sseResponse((send) => {
    send.comment("connected");
    return s.feed.subscribe((change) => {
      if (change.type === "deleted") send.event("deleted", { id: change.id });
      else send.event("video", presentVideo(change.video, s.config.publicUrl));
    });
  }, { signal });
}
