/**
 * One video in the library grid: poster (16:9 reserved, so nothing shifts), title with inline
 * rename, facts, status with live progress, and actions (play, retry, delete with a
 * confirmation step).
 */
import type { VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Video } from "../lib/api/present.ts";
import {
  formatDuration,
  formatPercent,
  processingNote,
  videoFacts,
} from "../lib/ui/format.ts";
import { Icon } from "./Icons.tsx";
import { ProgressBar } from "./ProgressBar.tsx";
import { StatusBadge } from "./StatusBadge.tsx";
import { VisibilityBadge, VisibilitySelect } from "./Visibility.tsx";

/** Props of {@link VideoCard}; the actions reject with a message to show. */
export interface VideoCardProps {
  video: Video;
  onRename(title: string): Promise<void>;
  onVisibility(visibility: Video["visibility"]): Promise<void>;
  onDelete(): Promise<void>;
  onRetry(): Promise<void>;
  /** Hides rename, retry and delete (a visitor who is not signed in). */
  readOnly?: boolean;
}

type Mode = "view" | "edit" | "confirm-delete";

/** Renders the card. */
export function VideoCard(props: VideoCardProps): VNode {
  const { video } = props;
  const [mode, setMode] = useState<Mode>("view");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState(video.title);
  const inputRef = useRef<HTMLInputElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const editRef = useRef<HTMLButtonElement>(null);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const href = `/player/${video.id}`;
  const titleId = `video-title-${video.id}`;

  useEffect(() => {
    if (mode === "edit") inputRef.current?.select();
    if (mode === "confirm-delete") cancelRef.current?.focus();
  }, [mode]);

  const run = async (action: () => Promise<void>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      after?.();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const save = (e: Event) => {
    e.preventDefault();
    const title = draft.trim();
    if (!title || title === video.title) {
      setMode("view");
      return;
    }
    run(() => props.onRename(title), () => {
      setMode("view");
      requestAnimationFrame(() => editRef.current?.focus());
    });
  };

  const facts = videoFacts(video);

  return (
    <article
      class={`card video-card status-${video.status}`}
      aria-labelledby={titleId}
      data-video-id={video.id}
      data-status={video.status}
    >
      <a class="thumb" href={href} tabIndex={-1} aria-hidden="true">
        {video.posterUrl
          ? (
            <img
              src={video.posterUrl}
              alt=""
              width={640}
              height={360}
              loading="lazy"
              decoding="async"
            />
          )
          : (
            <span class="thumb-placeholder">
              <Icon name="film" size={40} />
            </span>
          )}
        {video.durationSec !== null && (
          <span class="thumb-duration">
            {formatDuration(video.durationSec)}
          </span>
        )}
        {(video.status === "ready" || video.playable) && (
          <span class="thumb-play">
            <Icon name="play" size={28} />
          </span>
        )}
      </a>
      <div class="card-body">
        {mode === "edit"
          ? (
            <form class="title-form" onSubmit={save}>
              <input
                ref={inputRef}
                class="title-input"
                type="text"
                aria-label="Video title"
                value={draft}
                maxLength={200}
                required
                disabled={busy}
                onInput={(e) => setDraft(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === "Escape") {
                    e.preventDefault();
                    setMode("view");
                    requestAnimationFrame(() => editRef.current?.focus());
                  }
                }}
              />
              <button
                type="submit"
                class="icon-button"
                disabled={busy}
                aria-label="Save title"
              >
                <Icon name="check" />
              </button>
              <button
                type="button"
                class="icon-button"
                disabled={busy}
                aria-label="Cancel renaming"
                onClick={() => setMode("view")}
              >
                <Icon name="close" />
              </button>
            </form>
          )
          : (
            <div class="title-row">
              <h3 class="video-title" id={titleId}>
                <a href={href}>{video.title}</a>
              </h3>
              {!props.readOnly && (
                <button
                  ref={editRef}
                  type="button"
                  class="icon-button subtle"
                  aria-label={`Rename “${video.title}”`}
                  title="Rename"
                  onClick={() => {
                    setDraft(video.title);
                    setError(null);
                    setMode("edit");
                  }}
                >
                  <Icon name="edit" size={18} />
                </button>
              )}
            </div>
          )}
        <p class="video-facts">
          {facts.join(" · ")}
          {props.readOnly && (
            <>
              {" "}
              <VisibilityBadge visibility={video.visibility} />
            </>
          )}
        </p>
        {!props.readOnly && (
          <div class="card-visibility">
            <VisibilityBadge visibility={video.visibility} />
            <VisibilitySelect
              value={video.visibility}
              videoTitle={video.title}
              onChange={props.onVisibility}
            />
          </div>
        )}
        <Status video={video} />
        {error && <p class="inline-error" role="alert">{error}</p>}
        {mode === "confirm-delete"
          ? (
            <div class="confirm" role="group" aria-label="Confirm deletion">
              <span>Delete this video and all its files?</span>
              <div class="actions">
                <button
                  type="button"
                  class="danger solid"
                  disabled={busy}
                  onClick={() => run(props.onDelete)}
                >
                  Delete
                </button>
                <button
                  ref={cancelRef}
                  type="button"
                  disabled={busy}
                  onClick={() => {
                    setMode("view");
                    requestAnimationFrame(() => deleteRef.current?.focus());
                  }}
                >
                  Cancel
                </button>
              </div>
            </div>
          )
          : (
            <div class="actions">
              {(video.status === "ready" || video.playable) && (
                <a class="button primary small" href={href}>
                  <Icon name="play" size={16} /> Play
                </a>
              )}
              {video.status === "failed" && !props.readOnly && (
                <button
                  type="button"
                  class="small"
                  disabled={busy}
                  onClick={() => run(props.onRetry)}
                >
                  <Icon name="retry" size={16} /> Retry
                </button>
              )}
              {!props.readOnly && (
                <button
                  ref={deleteRef}
                  type="button"
                  class="danger small"
                  aria-label={`Delete “${video.title}”`}
                  onClick={() => {
                    setError(null);
                    setMode("confirm-delete");
                  }}
                >
                  <Icon name="trash" size={16} /> Delete
                </button>
              )}
            </div>
          )}
      </div>
    </article>
  );
}

function Status({ video }: { video: Video }): VNode | null {
  if (video.status === "ready") return null;
  if (video.status === "failed") {
    return (
      <div class="card-status">
        <StatusBadge status="failed" />
        <p class="inline-error">{video.error ?? "Processing failed."}</p>
      </div>
    );
  }
  if (video.status === "queued") {
    return (
      <div class="card-status">
        <div class="status-line">
          <StatusBadge status="queued" />
          <span class="muted small-text">Waiting for a transcoder</span>
        </div>
      </div>
    );
  }
  const known = video.progress > 0;
  const note = processingNote(video);
  return (
    <div class="card-status">
      <div class="status-line">
        <StatusBadge status="processing" />
        {note
          ? <span class="muted small-text" data-testid="card-note">{note}</span>
          : known && (
            <span class="muted small-text">
              {formatPercent(video.progress)}
            </span>
          )}
      </div>
      <ProgressBar
        value={known ? video.progress : null}
        tone="processing"
        label={`Processing “${video.title}”`}
      />
    </div>
  );
}
