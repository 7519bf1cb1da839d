/**
 * Captions in the manifests: the `captions/` file names of the stream folder, the HLS
 * subtitles group added to a master playlist, the WebVTT media playlist of one language,
 * and the text AdaptationSets added to an MPD. The manifests the pipeline writes are left
 * as they are; these functions are applied when a manifest is served, so a caption added
 * at any time (while processing, or long after) is in the next manifest a player reads,
 * and no pipeline publish can drop it. Pure: no I/O.
 *
 * @module
 */
import { languageName } from "./captions.ts";

/** A caption as the manifests need it. */
export interface ManifestCaption {
  /** Canonical BCP 47 tag. */
  lang: string;
  label: string | null;
}

/** Folder of the captions inside the stream URL space (`/stream/<id>/captions/…`). */
export const CAPTIONS_DIR = "captions";

/** The HLS subtitles group id. */
export const SUBTITLES_GROUP = "subs";

/** File names of one language's caption: the WebVTT file and its HLS media playlist. */
export function captionFiles(lang: string): { vtt: string; playlist: string } {
  return {
    vtt: `${CAPTIONS_DIR}/${lang}.vtt`,
    playlist: `${CAPTIONS_DIR}/${lang}.m3u8`,
  };
}

/**
 * The language of a caption path inside the captions folder (`en-US.vtt` → `{ lang, kind }`),
 * or null when the name is not one of ours.
 */
export function parseCaptionPath(
  name: string,
): { lang: string; kind: "vtt" | "playlist" } | null {
  const m = /^([A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*)\.(vtt|m3u8)$/.exec(name);
  if (!m) return null;
  return { lang: m[1], kind: m[2] === "vtt" ? "vtt" : "playlist" };
}

/** What players show for a caption: the label, else the language's English name. */
export function captionName(c: ManifestCaption): string {
  return c.label ?? languageName(c.lang);
}

/** Names unique within the list (HLS requires it within a group); quotes and controls removed. */
function uniqueNames(captions: ManifestCaption[]): string[] {
  // deno-lint-ignore no-control-regex
  const clean = (s: string) => s.replace(/["\u0000-\u001f\u007f]/g, "").trim();
  const names = captions.map((c) => clean(captionName(c)) || c.lang);
  return names.map((n, i) =>
    names.indexOf(n) === i && names.lastIndexOf(n) === i
      ? n
      : `${n} (${captions[i].lang})`
  );
}

/**
 * The master playlist with one `#EXT-X-MEDIA:TYPE=SUBTITLES` entry per caption and
 * `SUBTITLES="subs"` on every variant. Unchanged without captions.
 */
export function withHlsCaptions(
  master: string,
  captions: ManifestCaption[],
): string {
  if (captions.length === 0) return master;
  const names = uniqueNames(captions);
  const media = captions.map((c, i) =>
    `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${SUBTITLES_GROUP}",NAME="${
      names[i]
    }",LANGUAGE="${c.lang}",AUTOSELECT=YES,DEFAULT=NO,FORCED=NO,URI="${
      captionFiles(c.lang).playlist
    }"`
  );
  const lines = master.replace(/\r\n/g, "\n").split("\n");
  const out: string[] = [];
  let inserted = false;
  for (const line of lines) {
    if (line.startsWith("#EXT-X-STREAM-INF:")) {
      if (!inserted) {
        out.push(...media);
        inserted = true;
      }
      out.push(
        /(?:^|,)SUBTITLES=/.test(line.slice(18))
          ? line
          : `${line},SUBTITLES="${SUBTITLES_GROUP}"`,
      );
    } else out.push(line);
  }
  // A master without variants (none published yet) gets the entries at its end.
  if (!inserted) {
    const end = out.length && out[out.length - 1] === ""
      ? out.length - 1
      : out.length;
    out.splice(end, 0, ...media);
  }
  return out.join("\n");
}

/**
 * The WebVTT media playlist of one caption: the whole file as one segment spanning the
 * video (`durationSec`). The cues carry the video's own timeline: our CMAF segments start
 * at presentation time 0, so no `X-TIMESTAMP-MAP` is needed.
 */
export function captionPlaylist(lang: string, durationSec: number): string {
  const dur = Math.max(durationSec, 0.001);
  return [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    `#EXT-X-TARGETDURATION:${Math.ceil(dur)}`,
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    `#EXTINF:${dur.toFixed(3)},`,
    // Relative to this playlist, which sits in the same folder.
    `${lang}.vtt`,
    "#EXT-X-ENDLIST",
    "",
  ].join("\n");
}

function xml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * The MPD with one text AdaptationSet (`text/vtt`, `lang`, subtitle role) per caption in its
 * first Period, each a single sidecar WebVTT file. Unchanged without captions.
 */
export function withDashCaptions(
  mpd: string,
  captions: ManifestCaption[],
): string {
  if (captions.length === 0) return mpd;
  const end = mpd.indexOf("</Period>");
  if (end < 0) return mpd;
  const at = mpd.lastIndexOf("\n", end) + 1; // the start of the </Period> line
  const names = uniqueNames(captions);
  const sets = captions.map((c, i) =>
    [
      `\t\t<AdaptationSet id="caption-${
        xml(c.lang)
      }" contentType="text" mimeType="text/vtt" lang="${xml(c.lang)}">`,
      `\t\t\t<Label>${xml(names[i])}</Label>`,
      `\t\t\t<Role schemeIdUri="urn:mpeg:dash:role:2011" value="subtitle" />`,
      `\t\t\t<Representation id="caption-${xml(c.lang)}" bandwidth="256">`,
      `\t\t\t\t<BaseURL>${xml(captionFiles(c.lang).vtt)}</BaseURL>`,
      `\t\t\t</Representation>`,
      `\t\t</AdaptationSet>`,
    ].join("\n")
  ).join("\n");
  return `${mpd.slice(0, at)}${sets}\n${mpd.slice(at)}`;
}
