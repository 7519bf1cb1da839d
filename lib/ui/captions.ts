/**
 * Browser-side caption helpers: the name a caption has in the menu (the language's name,
 * then the owner's label), and which caption to turn on from the viewer's remembered choice.
 *
 * @module
 */

/** Where the viewer's caption choice is kept: a language tag, or "off". */
export const CAPTION_STORAGE_KEY = "reel.player.captions";

/** A caption as the menu needs it. */
export interface CaptionChoice {
  lang: string;
  label: string | null;
}

/**
 * The language's name in `locale` ("en" → "English", "pt-BR" → "Brazilian Portuguese"),
 * followed by the owner's label when it says more ("English — SDH").
 */
export function captionLabel(c: CaptionChoice, locale = "en"): string {
  let name = c.lang;
  try {
    name = new Intl.DisplayNames([locale], { type: "language" }).of(c.lang) ??
      c.lang;
  } catch {
    // An engine without the language data shows the tag.
  }
  const label = c.label?.trim();
  return label && label.toLowerCase() !== name.toLowerCase()
    ? `${name} — ${label}`
    : name;
}

/**
 * The caption to show for a remembered choice: the same tag, else one of the same language
 * (remembered `en-GB`, offered `en`); null for "off", nothing remembered or no match.
 */
export function pickCaption(
  remembered: string | null,
  langs: string[],
): string | null {
  if (!remembered || remembered === "off") return null;
  const want = remembered.toLowerCase();
  const exact = langs.find((l) => l.toLowerCase() === want);
  if (exact) return exact;
  const primary = want.split("-")[0];
  return langs.find((l) => l.toLowerCase().split("-")[0] === primary) ?? null;
}
