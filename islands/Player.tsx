/**
 * The player page's island: the video's title and facts, then the player as soon as the video
 * is playable (its first rendition is published, the rest may still be encoding; the quality
 * menu grows as renditions finish); before that, live progress that turns into the player
 * without a reload; when processing failed, the reason and a retry button.
 */
import type { VNode } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Video } from "../lib/api/present.ts";
import { VideoPlayer } from "../components/player/VideoPlayer.tsx";
import { StreamLinks } from "../components/player/StreamLinks.tsx";
import { CaptionsManager } from "../components/player/CaptionsManager.tsx";
import { ProgressBar } from "../components/ProgressBar.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import {
  VisibilityBadge,
  VisibilitySelect,
} from "../components/Visibility.tsx";
import { ShareDialog } from "../components/ShareDialog.tsx";
import { Icon } from "../components/Icons.tsx";
import { apiFetch } from "../lib/ui/api_error.ts";
import { watchVideo } from "../lib/ui/live.ts";
import { formatPercent, processingNote, videoFacts } from "../lib/ui/format.ts";

/** Props of the player island. */
export interface PlayerProps {
  video: Video;
  /** The viewer may change the video (owner): visibility control, signed share links. */
  canWrite?: boolean;
  /** Where playback starts, in seconds (`?t=`). */
  startAt?: number;
}

type PlayableVideo = Video & { hlsUrl: string };

/** Playable as soon as the first rendition is published, while the rest still encodes. */
function isPlayable(v: Video): v is PlayableVideo {
  return (v.status === "ready" || v.status === "processing") && v.playable &&
    !!v.hlsUrl;
}

/** The player island. */
export default function Player(props: PlayerProps): VNode {
  const [video, setVideo] = useState(props.video);
  const [deleted, setDeleted] = useState(false);
  const [retrying, setRetrying] = useState(false);
  const [retryError, setRetryError] = useState<string | null>(null);
  const live = video.status === "queued" || video.status === "processing";

  useEffect(() => {
    if (!live) return;
    return watchVideo(video.id, {
      onVideo: setVideo,
      onDeleted: () => setDeleted(true),
    });
  }, [live, video.id]);

  useEffect(() => {
    document.title = `${video.title} · Reel`;
  }, [video.title]);

  const retry = async () => {
    setRetrying(true);
    setRetryError(null);
    try {
      setVideo(
        await apiFetch<Video>(
          `/api/videos/${encodeURIComponent(video.id)}/retry`,
          {
            method: "POST",
          },
        ),
      );
    } catch (err) {
      setRetryError((err as Error).message);
    } finally {
      setRetrying(false);
    }
  };

  if (deleted) {
    return (
      <section class="message-page">
        <h1>This video was deleted</h1>
        <p>
          <a class="button" href="/">Go to the library</a>
        </p>
      </section>
    );
  }

  const facts = videoFacts(video);

  return (
    <div class="watch">
      <div class="watch-head">
        <a class="back-link" href="/">← Library</a>
        <h1 class="watch-title">{video.title}</h1>
        <p class="muted">
          {facts.join(" · ")}
          {video.status !== "ready" && (
            <>
              {" "}
              <StatusBadge status={video.status} />
            </>
          )} <VisibilityBadge visibility={video.visibility} />
        </p>
        <div class="watch-actions">
          {props.canWrite && (
            <VisibilitySelect
              value={video.visibility}
              onChange={async (visibility) => {
                setVideo(
                  await apiFetch<Video>(
                    `/api/videos/${encodeURIComponent(video.id)}`,
                    {
                      method: "PATCH",
                      body: JSON.stringify({ visibility }),
                    },
                  ),
                );
              }}
            />
          )}
          {
            <ShareDialog
              video={video}
              currentTime={() =>
                document.querySelector<HTMLVideoElement>(".player-video")
                  ?.currentTime ?? 0}
            />
          }
        </div>
      </div>
      {isPlayable(video)
        ? (
          <>
            <VideoPlayer video={video} startAt={props.startAt} />
            {processingNote(video) && (
              <p class="muted processing-note" data-testid="processing-note">
                {processingNote(video)}
              </p>
            )}
            <StreamLinks hlsUrl={video.hlsUrl} dashUrl={video.dashUrl} />
          </>
        )
        : video.status === "failed"
        ? (
          <div class="stage-message is-failed" data-state="failed">
            <Icon name="alert" size={40} />
            <h2>Processing failed</h2>
            <p>{video.error ?? "The video could not be processed."}</p>
            <button
              type="button"
              class="primary"
              disabled={retrying}
              onClick={retry}
            >
              <Icon name="retry" size={18} />{" "}
              {retrying ? "Retrying…" : "Retry processing"}
            </button>
            {retryError && <p class="inline-error" role="alert">{retryError}
            </p>}
          </div>
        )
        : (
          <div class="stage-message" data-state={video.status}>
            <Icon name="film" size={40} />
            <h2>
              {video.status === "queued"
                ? "Waiting to be processed…"
                : video.progress > 0
                ? `Processing ${formatPercent(video.progress)}`
                : "Processing…"}
            </h2>
            <ProgressBar
              value={video.status === "processing" && video.progress > 0
                ? video.progress
                : null}
              tone="processing"
              label={`Processing “${video.title}”`}
            />
            <p class="muted">
              The video is being prepared for adaptive streaming. This page
              switches to the player by itself when it is ready.
            </p>
          </div>
        )}
      {props.canWrite && video.status !== "failed" && (
        <CaptionsManager
          videoId={video.id}
          captions={video.captions}
          onChange={(captions) => setVideo((v) => ({ ...v, captions }))}
        />
      )}
    </div>
  );
}
