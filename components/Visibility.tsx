/**
 * A video's visibility: a badge for unlisted and private videos, and the owner's control
 * (a labelled `<select>`) that changes it.
 */
import type { VNode } from "preact";
import { useState } from "preact/hooks";
import type { Visibility } from "../lib/api/present.ts";

const LABELS: Record<Visibility, string> = {
  public: "Public",
  unlisted: "Unlisted",
  private: "Private",
};

const HINTS: Record<Visibility, string> = {
  public: "Listed in the library; anyone can watch.",
  unlisted: "Not listed; anyone with the link can watch.",
  private: "Only you, and people you send a signed link.",
};

/** "Unlisted" or "Private" (nothing for public videos). */
export function VisibilityBadge(
  { visibility }: { visibility: Visibility },
): VNode | null {
  if (visibility === "public") return null;
  return (
    <span
      class={`badge badge-${visibility}`}
      title={HINTS[visibility]}
      data-testid="visibility-badge"
    >
      {LABELS[visibility]}
    </span>
  );
}

/** Props of {@link VisibilitySelect}; `onChange` rejects with a message to show. */
export interface VisibilitySelectProps {
  value: Visibility;
  onChange(v: Visibility): Promise<void>;
  /** Names the video for screen readers when several controls share a page. */
  videoTitle?: string;
}

/** The owner's visibility control. */
export function VisibilitySelect(props: VisibilitySelectProps): VNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span class="visibility-control">
      <select
        aria-label={props.videoTitle
          ? `Visibility of “${props.videoTitle}”`
          : "Visibility"}
        title={HINTS[props.value]}
        value={props.value}
        disabled={busy}
        onChange={async (e) => {
          const next = e.currentTarget.value as Visibility;
          const select = e.currentTarget;
          setBusy(true);
          setError(null);
          try {
            await props.onChange(next);
          } catch (err) {
            select.value = props.value;
            setError((err as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {(Object.keys(LABELS) as Visibility[]).map((v) => (
          <option value={v}>{LABELS[v]}</option>
        ))}
      </select>
      {error && <span class="inline-error" role="alert">{error}</span>}
    </span>
  );
}
