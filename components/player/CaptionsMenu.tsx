/**
 * The player's "Captions" menu: a real `<select>` with "Off" and one entry per language,
 * named by the language. Renders nothing when the video has no captions.
 */
import type { VNode } from "preact";
import { type CaptionChoice, captionLabel } from "../../lib/ui/captions.ts";

/** Props of {@link CaptionsMenu}. */
export interface CaptionsMenuProps {
  captions: CaptionChoice[];
  /** The language shown, or null for off. */
  selected: string | null;
  onChange(lang: string | null): void;
}

/** Renders the menu. */
export function CaptionsMenu(p: CaptionsMenuProps): VNode | null {
  if (p.captions.length === 0) return null;
  return (
    <label class="control-select">
      <span class="visually-hidden">Captions</span>
      <select
        aria-label="Captions"
        value={p.selected ?? "off"}
        onChange={(e) => {
          const v = e.currentTarget.value;
          p.onChange(v === "off" ? null : v);
        }}
      >
        <option value="off">Off</option>
        {p.captions.map((c) => (
          <option key={c.lang} value={c.lang}>{captionLabel(c)}</option>
        ))}
      </select>
    </label>
  );
}
