/**
 * One file in the upload queue: name and size, a progress bar (upload, then processing),
 * the status line or the API's error, and the actions that fit the row's phase.
 */
import type { VNode } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Icon } from "./Icons.tsx";
import { ProgressBar } from "./ProgressBar.tsx";
import { formatBytes, formatPercent } from "../lib/ui/format.ts";
import {
  describeItem,
  isUploading,
  type UploadItem,
} from "../lib/ui/upload_item.ts";

/** Props of {@link UploadRow}. */
export interface UploadRowProps {
  item: UploadItem;
  onCancel(): void;
  onPause(): void;
  onResume(): void;
  onChooseAgain(): void;
  onDismiss(): void;
}

/** Renders the row. */
export function UploadRow(props: UploadRowProps): VNode {
  const { item } = props;
  const [, tick] = useState(0);
  // Counts down "Retrying in N s" once a second.
  useEffect(() => {
    if (item.phase !== "retrying") return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [item.phase]);

  const uploading = isUploading(item.phase) || item.phase === "waiting";
  const fraction = item.size > 0 ? item.sent / item.size : 0;
  const status = describeItem(item);
  const isError = item.phase === "error" || item.phase === "failed";

  let bar: VNode | null = null;
  if (uploading || item.phase === "paused" || item.phase === "interrupted") {
    bar = (
      <ProgressBar
        value={item.phase === "waiting" ? 0 : fraction}
        tone="upload"
        label={`Uploading ${item.name}`}
        valueText={`${formatPercent(fraction)}, ${formatBytes(item.sent)} of ${
          formatBytes(item.size)
        }`}
      />
    );
  } else if (item.phase === "processing") {
    const v = item.video;
    // 0% looks stuck while ffmpeg starts: show a busy bar until progress is reported.
    const value = v && v.status === "processing" && v.progress > 0
      ? v.progress
      : null;
    bar = (
      <ProgressBar
        value={value}
        tone="processing"
        label={`Processing ${item.name}`}
      />
    );
  } else if (item.phase === "ready") {
    bar = <ProgressBar value={1} tone="done" label={`${item.name} is ready`} />;
  }

  return (
    <li class={`upload-row phase-${item.phase}`} data-phase={item.phase}>
      <span class="upload-icon">
        <Icon
          name={isError ? "alert" : item.phase === "ready" ? "check" : "film"}
          size={22}
        />
      </span>
      <div class="upload-main">
        <div class="upload-top">
          <span class="upload-name" title={item.name}>{item.name}</span>
          <span class="upload-size muted">{formatBytes(item.size)}</span>
        </div>
        {bar}
        {isError
          ? <p class="upload-status inline-error" role="alert">{status}</p>
          : <p class="upload-status muted">{status}</p>}
      </div>
      <div class="upload-actions">
        {isUploading(item.phase) && item.phase !== "verifying" && (
          <button type="button" class="small" onClick={props.onPause}>
            Pause
          </button>
        )}
        {(item.phase === "paused" ||
          (item.phase === "error" && item.retryable && item.file)) && (
          <button type="button" class="small" onClick={props.onResume}>
            {item.phase === "paused" ? "Resume" : "Try again"}
          </button>
        )}
        {item.phase === "interrupted" && (
          <button type="button" class="small" onClick={props.onChooseAgain}>
            Choose file
          </button>
        )}
        {(item.phase === "ready" ||
          (item.phase === "processing" && item.video?.playable)) &&
          item.videoId && (
          <a class="button primary small" href={`/player/${item.videoId}`}>
            <Icon name="play" size={16} /> Play
          </a>
        )}
        {uploading || item.phase === "paused" || item.phase === "interrupted"
          ? (
            <button
              type="button"
              class="small danger"
              aria-label={`Cancel upload of ${item.name}`}
              onClick={props.onCancel}
            >
              Cancel
            </button>
          )
          : (
            <button
              type="button"
              class="icon-button subtle"
              aria-label={`Dismiss ${item.name}`}
              title="Dismiss"
              onClick={props.onDismiss}
            >
              <Icon name="close" size={18} />
            </button>
          )}
      </div>
    </li>
  );
}
