/**
 * The player's progress bar: a real range input (keyboard and screen readers work), the
 * buffered and played parts drawn behind it, and a seek preview (sprite thumbnail + time)
 * that follows the pointer. Sizes and positions are set on DOM nodes through refs, never as
 * `style` attributes, which the page's CSP refuses.
 */
import type { VNode } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import { formatDuration } from "../../lib/ui/format.ts";
import { thumbnailAt, type ThumbnailCue } from "../../lib/ui/vtt_thumbnails.ts";

/** Props of {@link SeekBar}. */
export interface SeekBarProps {
  currentTime: number;
  duration: number;
  /** End of the buffered range around the current time, in seconds. */
  bufferedEnd: number;
  cues: ThumbnailCue[];
  onSeek(time: number): void;
}

/** Width of the preview when there is no thumbnail (just the time). */
const BARE_PREVIEW_WIDTH = 56;

/** Renders the seek bar. */
export function SeekBar(props: SeekBarProps): VNode {
  const { currentTime, duration, bufferedEnd, cues } = props;
  const rootRef = useRef<HTMLDivElement>(null);
  const playedRef = useRef<HTMLDivElement>(null);
  const bufferedRef = useRef<HTMLDivElement>(null);
  const previewRef = useRef<HTMLDivElement>(null);
  const thumbRef = useRef<HTMLDivElement>(null);
  const timeRef = useRef<HTMLSpanElement>(null);
  const known = Number.isFinite(duration) && duration > 0;

  useLayoutEffect(() => {
    const f = known ? Math.min(1, currentTime / duration) : 0;
    const b = known ? Math.min(1, bufferedEnd / duration) : 0;
    if (playedRef.current) playedRef.current.style.transform = `scaleX(${f})`;
    if (bufferedRef.current) {
      bufferedRef.current.style.transform = `scaleX(${b})`;
    }
  }, [currentTime, duration, bufferedEnd, known]);

  const showPreview = (clientX: number) => {
    const root = rootRef.current;
    const preview = previewRef.current;
    if (!root || !preview || !known) return;
    const rect = root.getBoundingClientRect();
    const x = Math.min(rect.width, Math.max(0, clientX - rect.left));
    const time = (x / rect.width) * duration;
    const cue = thumbnailAt(cues, time);
    const thumb = thumbRef.current!;
    let width = BARE_PREVIEW_WIDTH;
    if (cue) {
      thumb.hidden = false;
      thumb.style.width = `${cue.w}px`;
      thumb.style.height = `${cue.h}px`;
      thumb.style.backgroundImage = `url("${cue.url}")`;
      thumb.style.backgroundPosition = `-${cue.x}px -${cue.y}px`;
      width = cue.w;
    } else {
      thumb.hidden = true;
    }
    timeRef.current!.textContent = formatDuration(time);
    const left = Math.min(rect.width - width, Math.max(0, x - width / 2));
    preview.style.transform = `translateX(${left}px)`;
    preview.hidden = false;
  };

  const hidePreview = () => {
    if (previewRef.current) previewRef.current.hidden = true;
  };

  return (
    <div
      ref={rootRef}
      class="seek"
      onPointerMove={(e) => showPreview(e.clientX)}
      onPointerLeave={hidePreview}
    >
      <div class="seek-track" aria-hidden="true">
        <div ref={bufferedRef} class="seek-buffered" />
        <div ref={playedRef} class="seek-played" />
      </div>
      <input
        class="seek-input"
        type="range"
        min={0}
        max={known ? duration : 0}
        step="any"
        value={known ? currentTime : 0}
        disabled={!known}
        aria-label="Seek"
        aria-valuetext={`${formatDuration(currentTime)} of ${
          formatDuration(known ? duration : null)
        }`}
        onInput={(e) => props.onSeek(Number(e.currentTarget.value))}
        onBlur={hidePreview}
      />
      <div ref={previewRef} class="seek-preview" hidden aria-hidden="true">
        <div ref={thumbRef} class="seek-thumb" hidden />
        <span ref={timeRef} class="seek-time" />
      </div>
    </div>
  );
}
