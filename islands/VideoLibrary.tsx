/**
 * The library: a grid of video cards rendered on the server from the first page, then kept
 * live by the library event stream (new, changed and deleted videos) and by uploads made on
 * this page (the shared `recent` signal). Older videos come with "Load more".
 */
import type { VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Signal } from "@preact/signals";
import type { Video } from "../lib/api/present.ts";
import { VideoCard } from "../components/VideoCard.tsx";
import { Icon } from "../components/Icons.tsx";
import { ApiFailure, apiFetch } from "../lib/ui/api_error.ts";
import { subscribeLibrary } from "../lib/ui/live.ts";
import { appendPage, removeVideo, upsertVideo } from "../lib/ui/video_list.ts";

/** Props of the library island. */
export interface VideoLibraryProps {
  /** The first page, newest first (rendered on the server). */
  initial: Video[];
  /** Cursor of the next page; null when `initial` is everything. */
  nextCursor: string | null;
  /** Videos just created by the upload dropzone on the same page. */
  recent?: Signal<Video[]>;
  /** False for a visitor who may not change videos (API_TOKEN set, not signed in). */
  canEdit?: boolean;
  /** Page size of "Load more". */
  pageSize?: number;
}

interface Page {
  videos: Video[];
  nextCursor: string | null;
}

/** The library island. */
export default function VideoLibrary(props: VideoLibraryProps): VNode {
  const pageSize = props.pageSize ?? 24;
  const [videos, setVideos] = useState<Video[]>(props.initial);
  const [cursor, setCursor] = useState<string | null>(props.nextCursor);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  // Read inside long-lived callbacks (event stream), which would otherwise see stale state.
  const cursorRef = useRef(cursor);
  cursorRef.current = cursor;
  const statusRef = useRef(new Map<string, Video["status"]>());

  const apply = (video: Video) => {
    const before = statusRef.current.get(video.id);
    statusRef.current.set(video.id, video.status);
    if (before && before !== video.status) {
      if (video.status === "ready") {
        setAnnouncement(`“${video.title}” is ready to play.`);
      }
      if (video.status === "failed") {
        setAnnouncement(`Processing “${video.title}” failed.`);
      }
    }
    setVideos((list) => upsertVideo(list, video, cursorRef.current === null));
  };
  const drop = (id: string) => {
    statusRef.current.delete(id);
    setVideos((list) => removeVideo(list, id));
  };

  useEffect(() => {
    for (const v of props.initial) statusRef.current.set(v.id, v.status);
    const off = subscribeLibrary({
      onVideo: apply,
      onDeleted: drop,
      onReconnect: () => {
        // Events may have been missed while disconnected: refresh the first page.
        apiFetch<Page>(`/api/videos?limit=${pageSize}`).then((page) => {
          for (const v of page.videos) apply(v);
        }).catch(() => {});
      },
    });
    const offRecent = props.recent?.subscribe((list) => {
      for (const v of list) apply(v);
    });
    return () => {
      off();
      offRecent?.();
    };
  }, []);

  const loadMore = async () => {
    if (!cursor) return;
    setLoading(true);
    setLoadError(null);
    try {
      const page = await apiFetch<Page>(
        `/api/videos?limit=${pageSize}&cursor=${encodeURIComponent(cursor)}`,
      );
      for (const v of page.videos) statusRef.current.set(v.id, v.status);
      setVideos((list) => appendPage(list, page.videos));
      setCursor(page.nextCursor);
    } catch (err) {
      setLoadError((err as Error).message);
    } finally {
      setLoading(false);
    }
  };

  const url = (id: string) => `/api/videos/${encodeURIComponent(id)}`;

  return (
    <section class="library" aria-labelledby="library-heading">
      <div class="section-head">
        <h2 id="library-heading">Library</h2>
        {videos.length > 0 && (
          <span class="muted small-text">
            {cursor === null
              ? `${videos.length} ${videos.length === 1 ? "video" : "videos"}`
              : `${videos.length}+ videos`}
          </span>
        )}
      </div>
      {videos.length === 0
        ? (
          <div class="empty-state">
            <Icon name="film" size={48} />
            <h3>No videos yet</h3>
            <p class="muted">
              Videos you upload appear here while they are processed, and can be
              played as soon as they are ready.
            </p>
          </div>
        )
        : (
          <ul class="video-grid" aria-label="Videos">
            {videos.map((v) => (
              <li key={v.id}>
                <VideoCard
                  video={v}
                  readOnly={props.canEdit === false}
                  onRename={async (title) => {
                    apply(
                      await apiFetch<Video>(url(v.id), {
                        method: "PATCH",
                        body: JSON.stringify({ title }),
                      }),
                    );
                  }}
                  onVisibility={async (visibility) => {
                    apply(
                      await apiFetch<Video>(url(v.id), {
                        method: "PATCH",
                        body: JSON.stringify({ visibility }),
                      }),
                    );
                  }}
                  onDelete={async () => {
                    try {
                      await apiFetch<null>(url(v.id), { method: "DELETE" });
                    } catch (err) {
                      // Already gone (deleted elsewhere): just take it off the grid.
                      if (
                        !(err instanceof ApiFailure && err.status === 404)
                      ) throw err;
                    }
                    setAnnouncement(`“${v.title}” was deleted.`);
                    drop(v.id);
                  }}
                  onRetry={async () => {
                    apply(
                      await apiFetch<Video>(`${url(v.id)}/retry`, {
                        method: "POST",
                      }),
                    );
                  }}
                />
              </li>
            ))}
          </ul>
        )}
      {cursor !== null && (
        <div class="load-more">
          <button type="button" onClick={loadMore} disabled={loading}>
            {loading ? "Loading…" : "Load more"}
          </button>
          {loadError && <p class="inline-error" role="alert">{loadError}</p>}
        </div>
      )}
      <p class="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}
