/**
 * A video's audio tracks: every audio stream of the source becomes an audio rendition of its
 * own (AAC stereo), named and flagged here once — for Video JSON, the HLS audio group
 * (`#EXT-X-MEDIA:TYPE=AUDIO`) and the DASH audio adaptation sets (`lang`, `Label`, `Role`).
 * Pure functions.
 *
 * @module
 */
import type { AudioInfo, MediaInfo } from "./probe.ts";

export { MAX_AUDIO_STREAMS } from "./probe.ts";

/** One audio track as Video JSON and the players show it. */
export interface AudioTrack {
  /** Position among the video's audio tracks (source order), from 0. */
  index: number;
  /** BCP 47 language tag, or null when the source does not say. */
  language: string | null;
  /** The title, else the language's name, else "Track N"; unique among the tracks. */
  label: string;
  /** The track players start with: the source's default, else the first. Exactly one. */
  default: boolean;
}

/** An audio track and the representation id of its rendition in the stream folder. */
export interface AudioRendition extends AudioTrack {
  id: number;
}

/** Channels of every audio rendition (5.1 is downmixed, mono upmixed). */
export const AUDIO_CHANNELS = 2;

/** The audio streams of a probe result, also one stored before multi-track support. */
export function audioStreamsOf(
  info: Pick<MediaInfo, "audio" | "audioStreams"> | null | undefined,
): AudioInfo[] {
  if (!info || typeof info !== "object") return [];
  if (Array.isArray(info.audioStreams)) return info.audioStreams;
  return info.audio ? [info.audio] : [];
}

let names: Intl.DisplayNames | null = null;

/** The English name of a BCP 47 language (`fr` → "French"), null when unknown. */
export function languageName(tag: string): string | null {
  try {
    names ??= new Intl.DisplayNames(["en"], { type: "language" });
    const name = names.of(tag);
    return name && name.toLowerCase() !== tag.toLowerCase() ? name : null;
  } catch {
    return null;
  }
}

/**
 * Names and flags the tracks of a probe result (or a stored one, which may lack the newer
 * fields).
 *
 * @example audioTracksOf(info).map((t) => t.label) // ["English", "Commentary"]
 */
export function audioTracksOf(
  info: Pick<MediaInfo, "audio" | "audioStreams"> | null | undefined,
): AudioTrack[] {
  const streams = audioStreamsOf(info);
  const def = Math.max(0, streams.findIndex((s) => s.default === true));
  const used = new Map<string, number>();
  return streams.map((s, index) => {
    const language = s.language ?? null;
    const base = s.title ||
      (language && languageName(language)) || `Track ${index + 1}`;
    // RFC 8216: names in one group differ ("English", "English (2)").
    const seen = used.get(base.toLowerCase()) ?? 0;
    used.set(base.toLowerCase(), seen + 1);
    const label = seen === 0 ? base : `${base} (${seen + 1})`;
    return { index, language, label, default: index === def };
  });
}

/** Attribute-safe text: no double quotes or line breaks (RFC 8216 quoted-string). */
function quoted(text: string): string {
  return text.replace(/["\r\n]/g, " ");
}

/**
 * Rewrites the `#EXT-X-MEDIA:TYPE=AUDIO` entries of a master playlist (one per audio
 * rendition, matched by its `media_<id>.m3u8` URI) with the tracks' NAME, LANGUAGE, DEFAULT
 * (exactly one), AUTOSELECT and CHANNELS; the group and URI stay.
 */
export function labelAudioMaster(
  master: string,
  tracks: readonly AudioRendition[],
): string {
  const byId = new Map(tracks.map((t) => [t.id, t]));
  return master.split("\n").map((line) => {
    if (!/^#EXT-X-MEDIA:.*\bTYPE=AUDIO\b/.test(line)) return line;
    const uri = /\bURI="([^"]*)"/.exec(line)?.[1];
    const group = /\bGROUP-ID="([^"]*)"/.exec(line)?.[1];
    const t = byId.get(Number(/media_(\d+)\.m3u8/.exec(uri ?? "")?.[1]));
    if (!t || !uri || !group) return line;
    const attrs = [
      "TYPE=AUDIO",
      `GROUP-ID="${group}"`,
      `NAME="${quoted(t.label)}"`,
      ...(t.language ? [`LANGUAGE="${quoted(t.language)}"`] : []),
      `DEFAULT=${t.default ? "YES" : "NO"}`,
      "AUTOSELECT=YES",
      `CHANNELS="${AUDIO_CHANNELS}"`,
      `URI="${uri}"`,
    ];
    return `#EXT-X-MEDIA:${attrs.join(",")}`;
  }).join("\n");
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const AUDIO_SET =
  /(<AdaptationSet\b[^>]*contentType="audio"[^>]*>)([\s\S]*?)(<\/AdaptationSet>)/g;

/**
 * Gives every audio adaptation set of an MPD (matched by its representation id) the track's
 * `lang`, a `Label` and a `Role`: `main` for the default track, `alternate` for the others
 * (dash.js treats a set without a Role as main, so the others need one).
 */
export function labelAudioMpd(
  mpd: string,
  tracks: readonly AudioRendition[],
): string {
  const byId = new Map(tracks.map((t) => [t.id, t]));
  return mpd.replace(
    AUDIO_SET,
    (whole, open: string, body: string, close: string) => {
      const t = byId.get(
        Number(/<Representation id="(\d+)"/.exec(body)?.[1]),
      );
      if (!t) return whole;
      let head = open.replace(/\s+lang="[^"]*"/, "");
      if (t.language) head = head.replace(/>$/, ` lang="${xml(t.language)}">`);
      const rest = body
        .replace(/\s*<Label>[\s\S]*?<\/Label>/g, "")
        .replace(/\s*<Role\b[^>]*\/>/g, "");
      const indent = /\n(\s*)<Representation/.exec(rest)?.[1] ?? "\t\t\t";
      const role = t.default ? "main" : "alternate";
      return `${head}\n${indent}<Label>${xml(t.label)}</Label>` +
        `\n${indent}<Role schemeIdUri="urn:mpeg:dash:role:2011" value="${role}" />` +
        `${rest}${close}`;
    },
  );
}
