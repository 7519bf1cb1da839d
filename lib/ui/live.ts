/// <reference lib="dom" />
/**
 * Live updates over server-sent events. The library stream (`/api/events`) is shared by every
 * island of a page (one connection); per-video streams (`/api/videos/:id/events`) are capped,
 * because HTTP/1.1 allows a browser only six connections per site and uploads need some.
 */
import type { Video } from "../api/present.ts";

/** Callbacks for video changes. */
export interface VideoListener {
  onVideo(video: Video): void;
  onDeleted?(id: string): void;
  /** The library stream reconnected; events may have been missed meanwhile. */
  onReconnect?(): void;
}

const listeners = new Set<VideoListener>();
let library: EventSource | null = null;

function parse<T>(e: Event): T | null {
  try {
    return JSON.parse((e as MessageEvent<string>).data) as T;
  } catch {
    return null;
  }
}

/** Listens to the library stream; returns the unsubscribe function. */
export function subscribeLibrary(listener: VideoListener): () => void {
  listeners.add(listener);
  if (!library) {
    const es = new EventSource("/api/events");
    let opened = false;
    es.addEventListener("open", () => {
      if (opened) { for (const l of listeners) l.onReconnect?.(); }
      opened = true;
    });
    es.addEventListener("video", (e) => {
      const v = parse<Video>(e);
      if (v) { for (const l of listeners) l.onVideo(v); }
    });
    es.addEventListener("deleted", (e) => {
      const d = parse<{ id: string }>(e);
      if (d) { for (const l of listeners) l.onDeleted?.(d.id); }
    });
    library = es;
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && library) {
      library.close();
      library = null;
    }
  };
}

/** Per-video streams open at once on this page. */
const MAX_VIDEO_STREAMS = 2;
let openStreams = 0;
const waiting: (() => void)[] = [];

/**
 * Follows one video until it is ready, failed or deleted. At most two such streams are
 * open at once; later ones start when a slot frees. Returns the stop function.
 */
export function watchVideo(id: string, listener: VideoListener): () => void {
  let es: EventSource | null = null;
  let stopped = false;
  const release = () => {
    if (!es) return;
    es.close();
    es = null;
    openStreams--;
    waiting.shift()?.();
  };
  const open = () => {
    if (stopped) return;
    openStreams++;
    const source = new EventSource(
      `/api/videos/${encodeURIComponent(id)}/events`,
    );
    es = source;
    source.addEventListener("video", (e) => {
      const v = parse<Video>(e);
      if (!v) return;
      listener.onVideo(v);
      // The server ends the stream here; closing stops EventSource from reconnecting.
      if (v.status === "ready" || v.status === "failed") release();
    });
    source.addEventListener("deleted", () => {
      listener.onDeleted?.(id);
      release();
    });
    source.addEventListener("error", () => {
      // CLOSED: the server refused (404); CONNECTING: the browser retries by itself.
      if (source.readyState === EventSource.CLOSED) release();
    });
  };
  if (openStreams < MAX_VIDEO_STREAMS) open();
  else waiting.push(open);
  return () => {
    stopped = true;
    const i = waiting.indexOf(open);
    if (i !== -1) waiting.splice(i, 1);
    release();
  };
}
