/**
 * Renaming a phase's outputs to their final names, and the playlists published while a
 * rendition is still being written: EVENT media playlists (`#EXT-X-PLAYLIST-TYPE:EVENT`,
 * `#EXT-X-START:TIME-OFFSET=0` so players start at the beginning, no wall-clock dates) that
 * list only segments already on disk, and a master that lists only renditions with media.
 * Pure string functions.
 *
 * @module
 */

/** Renames `init-L.m4s`, `chunk-L-N.m4s` and `media_L.m3u8` with `finalId(L)`; other names unchanged. */
export function renameFile(
  name: string,
  finalId: (local: number) => number | null,
): string {
  const swap = (local: string, build: (id: number) => string) => {
    const id = finalId(Number(local));
    return id === null ? name : build(id);
  };
  let m = /^init-(\d+)\.m4s$/.exec(name);
  if (m) return swap(m[1], (id) => `init-${id}.m4s`);
  m = /^chunk-(\d+)-(\d+\.m4s)$/.exec(name);
  if (m) return swap(m[1], (id) => `chunk-${id}-${m![2]}`);
  m = /^media_(\d+)\.m3u8$/.exec(name);
  if (m) return swap(m[1], (id) => `media_${id}.m3u8`);
  return name;
}

/** A media playlist's init segment and segments, in order. */
export interface MediaPlaylistFiles {
  init: string | null;
  segments: string[];
  /** Whether ffmpeg finished it (`#EXT-X-ENDLIST`). */
  complete: boolean;
}

/** Reads the files a media playlist lists. */
export function playlistFiles(text: string): MediaPlaylistFiles {
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)?.[1] ?? null;
  const segments = text.split("\n").map((l) => l.trim()).filter((l) =>
    l && !l.startsWith("#")
  );
  return { init, segments, complete: text.includes("#EXT-X-ENDLIST") };
}

/** Where a media playlist stands: the Media Sequence Number of its last segment (one less
 * than the first when it lists none) and whether it is finished. */
export function playlistProgress(
  text: string,
): { lastSequence: number; complete: boolean } {
  const first = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
  const { segments, complete } = playlistFiles(text);
  return { lastSequence: first + segments.length - 1, complete };
}

/**
 * Rewrites one of ffmpeg's media playlists for publishing: URIs renamed, wall-clock dates
 * dropped, and `EVENT` (still growing or, with `#EXT-X-ENDLIST`, finished) or `VOD`.
 */
export function rewriteMediaPlaylist(
  text: string,
  rename: (uri: string) => string,
  type: "EVENT" | "VOD",
): string {
  const out: string[] = [];
  const target = targetDuration(text);
  for (const raw of text.split("\n")) {
    let line = raw.trimEnd();
    if (line.startsWith("#EXT-X-TARGETDURATION")) {
      line = `#EXT-X-TARGETDURATION:${target}`;
    }
    if (
      line.startsWith("#EXT-X-PROGRAM-DATE-TIME") ||
      line.startsWith("#EXT-X-PLAYLIST-TYPE") ||
      line.startsWith("#EXT-X-START") ||
      line.startsWith("#EXT-X-SERVER-CONTROL") ||
      line.startsWith("#EXT-X-INDEPENDENT-SEGMENTS")
    ) continue;
    if (line.startsWith("#EXT-X-MAP:URI=")) {
      out.push(line.replace(/URI="([^"]+)"/, (_, u) => `URI="${rename(u)}"`));
    } else if (line && !line.startsWith("#")) {
      out.push(rename(line));
    } else {
      out.push(line);
    }
    if (line.startsWith("#EXT-X-TARGETDURATION")) {
      out.push(`#EXT-X-PLAYLIST-TYPE:${type}`);
      if (type === "EVENT") {
        out.push("#EXT-X-START:TIME-OFFSET=0");
        // Blocking playlist reload (RFC 8216bis 6.2.5.2): players ask for the next segment
        // (`?_HLS_msn=N`) and the server answers as soon as it is published, instead of
        // polling every target duration; so one segment is enough to start on.
        out.push("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES");
      }
      out.push("#EXT-X-INDEPENDENT-SEGMENTS");
    }
  }
  return out.join("\n");
}

/**
 * The target duration RFC 8216 asks for: every EXTINF rounded to the nearest integer is at
 * most it, and it is at least 1 (ffmpeg writes 0 for a 0.5 s clip).
 */
export function targetDuration(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/#EXTINF:([\d.]+)/g)) {
    max = Math.max(max, Math.round(Number(m[1])));
  }
  const declared = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1] ?? 0);
  return Math.max(1, max, declared);
}

/**
 * Renames the URIs of a master playlist (`URI="…"` attributes and variant lines) and makes
 * sure it declares independent segments.
 */
export function rewriteMaster(
  text: string,
  rename: (uri: string) => string,
): string {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (line.startsWith("#EXT-X-INDEPENDENT-SEGMENTS")) continue;
    if (line.startsWith("#")) {
      out.push(line.replace(/URI="([^"]+)"/, (_, u) => `URI="${rename(u)}"`));
    } else {
      out.push(line ? rename(line) : line);
    }
    if (line.startsWith("#EXT-X-VERSION")) {
      out.push("#EXT-X-INDEPENDENT-SEGMENTS");
    }
  }
  return out.join("\n");
}

/** One variant of a master playlist: its `#EXT-X-STREAM-INF` attributes and URI. */
export interface Variant {
  attrs: string;
  uri: string;
}

/** The `#EXT-X-MEDIA` lines and variants of a master playlist. */
export function parseMaster(
  text: string,
): { media: string[]; variants: Variant[] } {
  const lines = text.split("\n").map((l) => l.trim());
  const media = lines.filter((l) => l.startsWith("#EXT-X-MEDIA:"));
  const variants: Variant[] = [];
  lines.forEach((l, i) => {
    if (!l.startsWith("#EXT-X-STREAM-INF:")) return;
    const uri = lines.slice(i + 1).find((x) => x && !x.startsWith("#")) ?? "";
    variants.push({ attrs: l.slice("#EXT-X-STREAM-INF:".length), uri });
  });
  return { media, variants };
}

/**
 * A master playlist from `#EXT-X-MEDIA` lines and variants. Variants without an audio group
 * get `audioGroup` (and `audioCodec` added to their CODECS) when there is one.
 */
export function buildMaster(
  media: string[],
  variants: Variant[],
  audio: { group: string; codec: string } | null,
): string {
  const out = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"];
  out.push(...media);
  for (const v of variants) {
    let attrs = v.attrs;
    if (audio && !/(^|,)AUDIO="/.test(attrs)) {
      attrs = attrs.replace(
        /CODECS="([^"]*)"/,
        (_, c: string) =>
          `CODECS="${c.includes(audio.codec) ? c : `${c},${audio.codec}`}"`,
      ) + `,AUDIO="${audio.group}"`;
    }
    out.push(`#EXT-X-STREAM-INF:${attrs}`, v.uri, "");
  }
  return out.join("\n");
}

/** The audio group id and codec a master's variants use, if any. */
export function audioOf(
  text: string,
): { group: string; codec: string } | null {
  const group = /TYPE=AUDIO,GROUP-ID="([^"]+)"/.exec(text)?.[1];
  if (!group) return null;
  const codec = /CODECS="[^"]*?(mp4a\.[0-9a-fA-F.]+)[^"]*"/.exec(text)?.[1] ??
    "mp4a.40.2";
  return { group, codec };
}
