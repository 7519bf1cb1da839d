/**
 * One row of the upload queue and the words the UI shows for it. Pure, so the wording can
 * be tested without a browser.
 */
import type { Video } from "../api/present.ts";
import type { UploadPhase } from "./tus_client.ts";
import { processingNote } from "./format.ts";
import {
  formatBytes,
  formatPercent,
  formatSpeed,
  formatTimeLeft,
} from "./format.ts";

/** Where a row is: the tus phases, then the video's processing, or a stop. */
export type ItemPhase =
  | "waiting"
  | UploadPhase
  | "paused"
  | "interrupted"
  | "error"
  | "processing"
  | "ready"
  | "failed";

/** State of one queued file. */
export interface UploadItem {
  key: string;
  /** tus fingerprint (name, size, modification time). */
  fingerprint: string;
  name: string;
  size: number;
  /** Null for an upload remembered from before a reload, until the file is chosen again. */
  file: File | null;
  /** For remembered uploads: the file's modification time and the upload URL. */
  lastModified?: number;
  storedUrl?: string;
  phase: ItemPhase;
  /** Bytes on the server (plus those in flight). */
  sent: number;
  /** Bytes per second, 0 when unknown. */
  speed: number;
  secondsLeft: number;
  /** When the next retry happens (ms since epoch). */
  retryAt: number | null;
  error: string | null;
  /** Whether trying again may help (network or server trouble, not a rejected file). */
  retryable?: boolean;
  videoId: string | null;
  video: Video | null;
}

/** True while bytes are (or are about to be) sent. */
export function isUploading(phase: ItemPhase): boolean {
  return phase === "creating" || phase === "resuming" ||
    phase === "uploading" || phase === "retrying" || phase === "verifying";
}

/**
 * The status line of a row, e.g. `45% · 12 MB of 27 MB · 4.1 MB/s · 8 s left`.
 * `now` (ms since epoch) counts down retries.
 */
export function describeItem(item: UploadItem, now = Date.now()): string {
  const fraction = item.size > 0 ? item.sent / item.size : 0;
  const bytes = `${formatBytes(item.sent)} of ${formatBytes(item.size)}`;
  switch (item.phase) {
    case "waiting":
      return "Waiting to upload…";
    case "creating":
      return "Starting upload…";
    case "resuming":
      return "Resuming upload…";
    case "uploading": {
      const parts = [formatPercent(fraction), bytes];
      if (item.speed > 0) parts.push(formatSpeed(item.speed));
      const left = formatTimeLeft(item.secondsLeft);
      if (left) parts.push(left);
      return parts.join(" · ");
    }
    case "retrying": {
      const secs = item.retryAt
        ? Math.max(0, Math.ceil((item.retryAt - now) / 1000))
        : 0;
      return secs > 0
        ? `Connection lost at ${
          formatPercent(fraction)
        }. Retrying in ${secs} s…`
        : `Connection lost at ${formatPercent(fraction)}. Retrying…`;
    }
    case "verifying":
      return "Uploaded. Checking the video…";
    case "paused":
      return `Paused at ${formatPercent(fraction)} · ${bytes}`;
    case "interrupted":
      return `Interrupted at ${
        formatPercent(fraction)
      }. Choose the same file again to resume.`;
    case "error":
      return item.error ?? "The upload failed.";
    case "processing": {
      const v = item.video;
      if (!v || v.status === "queued") {
        return "Uploaded. Waiting to be processed…";
      }
      const note = processingNote(v);
      if (note) return note;
      return v.progress > 0
        ? `Processing ${formatPercent(v.progress)}`
        : "Processing…";
    }
    case "ready":
      return "Ready to play";
    case "failed":
      return `Processing failed: ${item.video?.error ?? "unknown error"}`;
  }
}
