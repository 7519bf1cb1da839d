/**
 * The "Audio track" menu: one entry per audio track of the stream, named by its title or
 * language. Rendered only when there is more than one track to choose from.
 */
import type { VNode } from "preact";
import type { AudioTrackOption } from "../../lib/ui/audio_tracks.ts";

/** Props of {@link AudioTrackMenu}. */
export interface AudioTrackMenuProps {
  tracks: AudioTrackOption[];
  /** Key of the track playing, null while unknown. */
  current: string | null;
  onChange(key: string): void;
}

/** Renders the menu, or nothing for a single track. */
export function AudioTrackMenu(p: AudioTrackMenuProps): VNode | null {
  if (p.tracks.length < 2) return null;
  const playing = p.tracks.find((t) => t.key === p.current);
  return (
    <label class="control-select">
      <span class="visually-hidden">Audio track</span>
      <select
        aria-label="Audio track"
        data-playing={playing?.label}
        value={p.current ?? p.tracks[0].key}
        onChange={(e) => p.onChange(e.currentTarget.value)}
      >
        {p.tracks.map((t) => (
          <option key={t.key} value={t.key} lang={t.language ?? undefined}>
            {t.label}
          </option>
        ))}
      </select>
    </label>
  );
}
