/**
 * Inline SVG icons (24×24, `currentColor`), so no icon font or image request is needed.
 * Decorative: hidden from assistive technology; the button around one carries the label.
 */
import type { VNode } from "preact";

const PATHS = {
  play:
    "M8 5.14v13.72a1 1 0 0 0 1.5.86l11-6.86a1 1 0 0 0 0-1.72l-11-6.86A1 1 0 0 0 8 5.14Z",
  pause: "M7 5h3.5v14H7zM13.5 5H17v14h-3.5z",
  volume:
    "M4 9v6h4l5 4.5V4.5L8 9H4Zm12.5 3A4.5 4.5 0 0 0 14 8v8a4.47 4.47 0 0 0 2.5-4ZM14 3.23v2.06a7 7 0 0 1 0 13.42v2.06a9 9 0 0 0 0-17.54Z",
  muted:
    "M4 9v6h4l5 4.5V4.5L8 9H4Zm12.59 3 2.7-2.7-1.41-1.42-2.71 2.71-2.7-2.7-1.42 1.41L13.76 12l-2.7 2.7 1.41 1.42 2.71-2.71 2.7 2.7 1.42-1.41Z",
  fullscreen:
    "M5 5h5v2H7v3H5V5Zm9 0h5v5h-2V7h-3V5ZM5 14h2v3h3v2H5v-5Zm12 0h2v5h-5v-2h3v-3Z",
  exitFullscreen:
    "M8 5h2v5H5V8h3V5Zm6 0h2v3h3v2h-5V5ZM5 14h5v5H8v-3H5v-2Zm9 0h5v2h-3v3h-2v-5Z",
  pip:
    "M3 5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v6h-2V5H5v14h6v2H5a2 2 0 0 1-2-2V5Zm10 9a1 1 0 0 1 1-1h7a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1h-7a1 1 0 0 1-1-1v-6Z",
  upload:
    "M12 3 6.5 8.5l1.42 1.42L11 6.83V16h2V6.83l3.08 3.09L17.5 8.5 12 3ZM5 18v2h14v-2H5Z",
  film:
    "M4 4h16a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1Zm1 2v2h2V6H5Zm12 0v2h2V6h-2ZM5 10v4h2v-4H5Zm12 0v4h2v-4h-2ZM5 16v2h2v-2H5Zm12 0v2h2v-2h-2ZM9 6v12h6V6H9Z",
  trash:
    "M9 3h6l1 1h4v2H4V4h4l1-1ZM6 8h12l-1 12a1 1 0 0 1-1 1H8a1 1 0 0 1-1-1L6 8Zm4 2v8h1.5v-8H10Zm2.5 0v8H14v-8h-1.5Z",
  edit:
    "m14.06 4.94 5 5L8 21H3v-5L14.06 4.94Zm1.41-1.41 1.77-1.77a1 1 0 0 1 1.41 0l3.59 3.59a1 1 0 0 1 0 1.41L20.47 8.5l-5-4.97Z",
  retry: "M12 5V2L7.5 6.5 12 11V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7Z",
  close:
    "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6 6.4 5Z",
  check: "m9.5 16.2-4.2-4.2-1.4 1.4 5.6 5.6 11-11-1.4-1.4-9.6 9.6Z",
  copy:
    "M8 3h10a2 2 0 0 1 2 2v12h-2V5H8V3ZM5 7h9a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2Zm0 2v11h9V9H5Z",
  alert:
    "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm-1 5h2v7h-2V7Zm0 9h2v2h-2v-2Z",
  pauseCircle:
    "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20ZM9 8h2v8H9V8Zm4 0h2v8h-2V8Z",
} as const;

/** The names of the available icons. */
export type IconName = keyof typeof PATHS;

/** Renders the icon `name` at `size` pixels (default 20). */
export function Icon(
  { name, size = 20, class: cls }: {
    name: IconName;
    size?: number;
    class?: string;
  },
): VNode {
  return (
    <svg
      class={cls ? `icon ${cls}` : "icon"}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="currentColor"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
