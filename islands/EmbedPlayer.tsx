/**
 * The embed page's island: the player filling the frame (no site chrome), or a short message
 * while the video is not playable yet, which turns into the player by itself (public and
 * unlisted videos; a private embed shows what its signed link allowed when it loaded).
 */
import type { VNode } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Video } from "../lib/api/present.ts";
import type { EngineKind } from "../lib/ui/engine_choice.ts";
import { VideoPlayer } from "../components/player/VideoPlayer.tsx";
import { watchVideo } from "../lib/ui/live.ts";
import { formatPercent } from "../lib/ui/format.ts";

/** Props of the embed island. */
export interface EmbedPlayerProps {
  video: Video;
  startAt?: number;
  engine?: EngineKind;
  /** False for a private video seen through a token (its event stream is the owner's). */
  live: boolean;
}

/** The embed island. */
export default function EmbedPlayer(props: EmbedPlayerProps): VNode {
  const [video, setVideo] = useState(props.video);
  const [gone, setGone] = useState(false);
  const waiting = !video.hlsUrl &&
    (video.status === "queued" || video.status === "processing");

  useEffect(() => {
    if (!waiting || !props.live) return;
    return watchVideo(video.id, {
      onVideo: setVideo,
      onDeleted: () => setGone(true),
    });
  }, [waiting, video.id]);

  if (gone) {
    return (
      <div class="embed-message">
        <p>This video was removed.</p>
      </div>
    );
  }
  if (video.hlsUrl) {
    return (
      <VideoPlayer
        video={{ ...video, hlsUrl: video.hlsUrl }}
        startAt={props.startAt}
        engine={props.engine}
      />
    );
  }
  return (
    <div class="embed-message" data-state={video.status}>
      <p>
        {video.status === "failed"
          ? "This video could not be processed."
          : video.progress > 0
          ? `Preparing this video… ${formatPercent(video.progress)}`
          : "Preparing this video…"}
      </p>
    </div>
  );
}
