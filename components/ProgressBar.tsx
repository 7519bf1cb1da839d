/**
 * An accessible progress bar: `role="progressbar"` with aria-valuenow/min/max and a text
 * value, drawn by a native `<progress>` so no inline style is needed (the CSP forbids it).
 */
import type { VNode } from "preact";
import { percent } from "../lib/ui/format.ts";

/** Props of {@link ProgressBar}. */
export interface ProgressBarProps {
  /** 0–1; null draws an indeterminate (busy) bar. */
  value: number | null;
  /** Accessible name, e.g. "Uploading clip.mp4". */
  label: string;
  /** Spoken value, e.g. "45%, 12 MB of 27 MB"; defaults to the percentage. */
  valueText?: string;
  /** `upload`, `processing`, … for colour. */
  tone?: "upload" | "processing" | "done" | "error";
  class?: string;
}

/** Renders the bar. */
export function ProgressBar(props: ProgressBarProps): VNode {
  const { value, label, tone = "upload" } = props;
  const pct = value === null ? null : percent(value);
  return (
    <div
      class={`progress progress-${tone}${props.class ? ` ${props.class}` : ""}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct ?? undefined}
      aria-valuetext={props.valueText ?? (pct === null ? "Working" : `${pct}%`)}
    >
      {pct === null
        ? <progress aria-hidden="true" tabIndex={-1} />
        : <progress aria-hidden="true" tabIndex={-1} value={pct} max={100} />}
    </div>
  );
}
