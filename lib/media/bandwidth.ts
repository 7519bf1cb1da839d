/**
 * Replaces the nominal bandwidths ffmpeg writes into `master.m3u8` and `manifest.mpd` with ones
 * measured from the real segment files: ffmpeg's figure can be 20% under the real peak, which
 * makes players pick a rendition they cannot sustain.
 */

import { join } from "node:path";
import { OUTPUT_FILES } from "./layout.ts";

/** Measured bit rates of one representation (bits/s). */
export interface MeasuredRate {
  /** Representation id (= stream index in the dash output, = N of `media_N.m3u8`). */
  id: number;
  /** Highest per-segment bit rate (bytes·8 / segment duration). */
  peak: number;
  /** Total media bytes·8 / total duration. */
  average: number;
  durationSec: number;
  segments: number;
}

interface PlaylistEntry {
  uri: string;
  durationSec: number;
}

/** Parses the EXTINF entries of a media playlist. */
export function parseMediaPlaylist(text: string): PlaylistEntry[] {
  const entries: PlaylistEntry[] = [];
  let pending: number | null = null;
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line.startsWith("#EXTINF:")) {
      pending = parseFloat(line.slice(8));
    } else if (line && !line.startsWith("#") && pending !== null) {
      entries.push({ uri: line, durationSec: pending });
      pending = null;
    }
  }
  return entries;
}

/**
 * Measures representation `id` from `media_<id>.m3u8` and its segment sizes. The peak is the
 * one RFC 8216 defines: the highest bit rate over any run of consecutive segments lasting
 * 0.5–1.5 × the target duration, so a short last segment is measured with its neighbour
 * instead of being left out (or counted alone, which would inflate it many times over).
 */
export async function measureRepresentation(
  dir: string,
  id: number,
): Promise<MeasuredRate> {
  const text = await Deno.readTextFile(join(dir, `media_${id}.m3u8`));
  const entries = parseMediaPlaylist(text);
  const sizes: number[] = [];
  for (const e of entries) sizes.push((await Deno.stat(join(dir, e.uri))).size);
  const bytes = sizes.reduce((n, x) => n + x, 0);
  const durationSec = entries.reduce((n, e) => n + e.durationSec, 0);
  const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1]) ||
    Math.ceil(Math.max(0, ...entries.map((e) => e.durationSec)));
  let peak = 0;
  for (let i = 0; i < entries.length; i++) {
    let d = 0;
    let b = 0;
    for (let j = i; j < entries.length; j++) {
      d += entries[j].durationSec;
      b += sizes[j];
      if (d > 1.5 * target) break;
      if (d >= 0.5 * target && d > 0) peak = Math.max(peak, (b * 8) / d);
    }
  }
  const average = durationSec > 0 ? (bytes * 8) / durationSec : 0;
  return {
    id,
    peak: Math.round(Math.max(peak, average)),
    average: Math.round(average),
    durationSec,
    segments: entries.length,
  };
}

/**
 * Rewrites `BANDWIDTH`/`AVERAGE-BANDWIDTH` of every variant in the HLS master and `bandwidth`
 * of every MPD representation. A variant plays with any one of the audio tracks, so its
 * figures are the video's plus the largest track's (RFC 8216: BANDWIDTH covers the rendition
 * it may play with that needs the most).
 * Also marks the playlists as VOD with independent segments and drops the wall-clock
 * `EXT-X-PROGRAM-DATE-TIME` tags ffmpeg adds, which mean nothing for a VOD.
 */
export async function rewriteBandwidths(
  dir: string,
  video: MeasuredRate[],
  audio: MeasuredRate[],
  frameRate?: number,
): Promise<void> {
  const audioPeak = Math.max(0, ...audio.map((a) => a.peak));
  const audioAverage = Math.max(0, ...audio.map((a) => a.average));
  const byId = new Map(video.map((m) => [m.id, m]));
  const masterPath = join(dir, OUTPUT_FILES.hlsMaster);
  const master = (await Deno.readTextFile(masterPath)).split("\n");
  const out: string[] = [];
  for (let i = 0; i < master.length; i++) {
    const line = master[i];
    if (line.startsWith("#EXT-X-STREAM-INF:")) {
      const uri = master.slice(i + 1).find((l) =>
        l.trim() && !l.startsWith("#")
      ) ?? "";
      const m = byId.get(Number(/media_(\d+)\.m3u8/.exec(uri)?.[1]));
      if (m) {
        const peak = m.peak + audioPeak;
        const avg = m.average + audioAverage;
        let attrs = line.slice("#EXT-X-STREAM-INF:".length)
          .replace(/(^|,)AVERAGE-BANDWIDTH=\d+/, "")
          .replace(/(^|,)BANDWIDTH=\d+/, "")
          .replace(/(^|,)FRAME-RATE=[\d.]+/, "")
          .replace(/^,/, "");
        if (frameRate) attrs += `,FRAME-RATE=${frameRate.toFixed(3)}`;
        attrs = `BANDWIDTH=${peak},AVERAGE-BANDWIDTH=${avg}${
          attrs ? "," + attrs : ""
        }`;
        out.push(`#EXT-X-STREAM-INF:${attrs}`);
        continue;
      }
    }
    out.push(line);
    if (
      line.startsWith("#EXT-X-VERSION") &&
      !master.includes("#EXT-X-INDEPENDENT-SEGMENTS")
    ) {
      out.push("#EXT-X-INDEPENDENT-SEGMENTS");
    }
  }
  await Deno.writeTextFile(masterPath, out.join("\n"));

  for (const m of [...video, ...audio]) {
    const path = join(dir, `media_${m.id}.m3u8`);
    const lines = (await Deno.readTextFile(path)).split("\n")
      .filter((l) => !l.startsWith("#EXT-X-PROGRAM-DATE-TIME"));
    if (!lines.includes("#EXT-X-PLAYLIST-TYPE:VOD")) {
      const at = lines.findIndex((l) => l.startsWith("#EXT-X-TARGETDURATION"));
      lines.splice(at + 1, 0, "#EXT-X-PLAYLIST-TYPE:VOD");
    }
    await Deno.writeTextFile(path, lines.join("\n"));
  }

  const mpdPath = join(dir, OUTPUT_FILES.mpd);
  const all = new Map([...video, ...audio].map((m) => [m.id, m]));
  const mpd = (await Deno.readTextFile(mpdPath)).replace(
    /(<Representation id="(\d+)"[^>]*?bandwidth=")(\d+)(")/g,
    (whole, pre: string, id: string, _bw: string, post: string) => {
      const m = all.get(Number(id));
      return m ? `${pre}${m.peak}${post}` : whole;
    },
  );
  await Deno.writeTextFile(mpdPath, mpd);
}
