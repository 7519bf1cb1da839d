/** A small coloured label for a video's status. */
import type { VNode } from "preact";
import type { VideoStatus } from "../lib/api/present.ts";
import { formatPercent } from "../lib/ui/format.ts";

const LABELS: Record<VideoStatus, string> = {
  queued: "Queued",
  processing: "Processing",
  ready: "Ready",
  failed: "Failed",
};

/** Renders the badge; processing shows its percentage. */
export function StatusBadge(
  { status, progress }: { status: VideoStatus; progress?: number },
): VNode {
  const text = status === "processing" && progress !== undefined
    ? `${LABELS[status]} ${formatPercent(progress)}`
    : LABELS[status];
  return <span class={`badge badge-${status}`}>{text}</span>;
}
