/**
 * The player page's "Share" button and dialog: the link, the embed code (an iframe at the
 * video's aspect ratio), an optional start time (`?t=`), and copy buttons. A private video
 * has no public link: the owner picks how long a signed link lasts and the dialog asks the
 * server for one (`POST /api/videos/:id/playback`).
 */
import type { VNode } from "preact";
import { useRef, useState } from "preact/hooks";
import type { Video } from "../lib/api/present.ts";
import { apiFetch } from "../lib/ui/api_error.ts";
import { formatStartTime, parseStartTime } from "../lib/core/format.ts";

/** Props of {@link ShareDialog}. */
export interface ShareDialogProps {
  video: Video;
  /** The player's current position, offered as the start time. */
  currentTime(): number;
}

interface Signed {
  embedUrl: string;
  expiresAt: string;
}

const TTLS: [number, string][] = [
  [3600, "1 hour"],
  [86_400, "1 day"],
  [600, "10 minutes"],
];

/** The embed code for `src` at the video's aspect ratio. */
export function embedCode(video: Video, src: string): string {
  const w = video.width ?? 16;
  const h = video.height ?? 9;
  const esc = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<iframe src="${esc(src)}" title="${esc(video.title)}" ` +
    `style="width: 100%; aspect-ratio: ${w} / ${h}; border: 0" ` +
    `allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>`;
}

function withStart(url: string, t: number | null): string {
  if (t === null || t <= 0) return url;
  const u = new URL(url);
  u.searchParams.set("t", formatStartTime(t));
  return u.href;
}

function CopyField(
  { id, label, value, multiline }: {
    id: string;
    label: string;
    value: string;
    multiline?: boolean;
  },
): VNode {
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard permission: select the text so Ctrl+C works.
      ref.current?.select();
      document.execCommand?.("copy");
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div class="share-field">
      <label for={id}>{label}</label>
      {multiline
        ? <textarea id={id} ref={ref} readOnly value={value} />
        : <input id={id} ref={ref} readOnly value={value} />}
      <button
        type="button"
        onClick={copy}
        aria-label={`Copy ${label.toLowerCase()}`}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

/** The button and its dialog. */
export function ShareDialog(props: ShareDialogProps): VNode {
  const { video } = props;
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [startOn, setStartOn] = useState(false);
  const [startText, setStartText] = useState("0s");
  const [ttl, setTtl] = useState(TTLS[0][0]);
  const [signed, setSigned] = useState<Signed | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const open = () => {
    setStartText(formatStartTime(props.currentTime()));
    setError(null);
    dialogRef.current?.showModal();
  };
  const start = startOn ? parseStartTime(startText) : null;
  const origin = typeof location === "undefined"
    ? "http://localhost"
    : location.origin;
  const isPrivate = video.visibility === "private";
  const pageUrl = new URL(video.playerUrl, origin).href;
  const embedBase = isPrivate
    ? signed?.embedUrl ?? null
    : new URL(video.embedUrl, origin).href;

  const sign = async () => {
    setBusy(true);
    setError(null);
    try {
      const res = await apiFetch<Signed>(
        `/api/videos/${encodeURIComponent(video.id)}/playback`,
        { method: "POST", body: JSON.stringify({ ttlSec: ttl }) },
      );
      setSigned({
        embedUrl: new URL(res.embedUrl, origin).href,
        expiresAt: res.expiresAt,
      });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        aria-haspopup="dialog"
        onClick={open}
      >
        Share
      </button>
      <dialog
        ref={dialogRef}
        class="share-dialog"
        aria-labelledby="share-title"
      >
        <h2 id="share-title">Share “{video.title}”</h2>
        {isPrivate
          ? (
            <>
              <p class="muted">
                This video is private: only a signed link plays it, until it
                expires.
              </p>
              <div class="share-start">
                <label for="share-ttl">Link valid for</label>
                <select
                  id="share-ttl"
                  value={String(ttl)}
                  onChange={(e) => {
                    setTtl(Number(e.currentTarget.value));
                    setSigned(null);
                  }}
                >
                  {TTLS.map(([sec, label]) => (
                    <option value={String(sec)}>{label}</option>
                  ))}
                </select>
                <button
                  type="button"
                  class="primary"
                  disabled={busy}
                  onClick={sign}
                >
                  {busy ? "Creating…" : "Create signed link"}
                </button>
              </div>
              {signed && (
                <p class="muted small-text" data-testid="signed-expiry">
                  Expires {new Date(signed.expiresAt).toLocaleString()}
                </p>
              )}
            </>
          )
          : (
            <CopyField
              id="share-link"
              label="Link"
              value={withStart(pageUrl, start)}
            />
          )}
        {embedBase && (
          <>
            {isPrivate && (
              <CopyField
                id="share-link"
                label="Signed link"
                value={withStart(embedBase, start)}
              />
            )}
            <CopyField
              id="share-embed"
              label="Embed code"
              multiline
              value={embedCode(video, withStart(embedBase, start))}
            />
          </>
        )}
        <div class="share-start">
          <input
            id="share-start-on"
            type="checkbox"
            checked={startOn}
            onChange={(e) => setStartOn(e.currentTarget.checked)}
          />
          <label for="share-start-on">Start at</label>
          <input
            type="text"
            aria-label="Start time"
            value={startText}
            disabled={!startOn}
            onInput={(e) => setStartText(e.currentTarget.value)}
          />
          {startOn && start === null && (
            <span class="inline-error" role="alert">
              Use seconds or a time like 1m30s.
            </span>
          )}
        </div>
        {error && <p class="inline-error" role="alert">{error}</p>}
        <form method="dialog">
          <button type="submit">Close</button>
        </form>
      </dialog>
    </>
  );
}
