/**
 * The video's HLS and DASH addresses with copy buttons, for use in other players.
 */
import type { VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { Icon } from "../Icons.tsx";

/** Props of {@link StreamLinks}. */
export interface StreamLinksProps {
  hlsUrl: string;
  /** Null until processing finishes (the static MPD is written last). */
  dashUrl: string | null;
}

/** Renders both links. */
export function StreamLinks(props: StreamLinksProps): VNode {
  return (
    <div class="stream-links">
      <h2 class="panel-title">Stream addresses</h2>
      <CopyField label="HLS" url={props.hlsUrl} />
      {props.dashUrl
        ? <CopyField label="DASH" url={props.dashUrl} />
        : <p class="muted">DASH: available when processing finishes.</p>}
    </div>
  );
}

function CopyField({ label, url }: { label: string; url: string }): VNode {
  // Site-relative on the server; made absolute in the browser, where the origin is known.
  const [full, setFull] = useState(url);
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const id = `stream-url-${label.toLowerCase()}`;

  useEffect(() => setFull(new URL(url, location.href).href), [url]);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(null), 2000);
    return () => clearTimeout(t);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(full);
      setCopied("yes");
    } catch {
      // No clipboard API (plain http on another host): select it for Ctrl+C instead.
      inputRef.current?.select();
      setCopied("no");
    }
  };

  return (
    <div class="copy-field">
      <label for={id} class="copy-label">{label}</label>
      <input
        ref={inputRef}
        id={id}
        class="copy-input"
        type="text"
        readOnly
        value={full}
        onFocus={(e) => e.currentTarget.select()}
      />
      <button
        type="button"
        class="small"
        aria-label={`Copy ${label} address`}
        onClick={copy}
      >
        <Icon name={copied === "yes" ? "check" : "copy"} size={16} />
        {copied === "yes"
          ? "Copied"
          : copied === "no"
          ? "Press Ctrl+C"
          : "Copy"}
      </button>
    </div>
  );
}
