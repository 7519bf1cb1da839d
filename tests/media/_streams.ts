/**
 * Helpers to inspect a transcoded stream folder in tests: playlists, MPD representations and
 * per-segment keyframe checks via ffprobe.
 */

import { join } from "node:path";
import { ffprobeJson } from "./_clips.ts";

/** One `#EXT-X-STREAM-INF` variant of an HLS master playlist. */
export interface Variant {
  attrs: Record<string, string>;
  uri: string;
}

/** Parses the variants of `master.m3u8`. */
export function parseMaster(text: string): Variant[] {
  const lines = text.split("\n").map((l) => l.trim());
  const out: Variant[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith("#EXT-X-STREAM-INF:")) return;
    const attrs: Record<string, string> = {};
    for (const m of line.slice(18).matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g)) {
      attrs[m[1]] = m[2].replace(/^"|"$/g, "");
    }
    const uri = lines.slice(i + 1).find((l) => l && !l.startsWith("#")) ?? "";
    out.push({ attrs, uri });
  });
  return out;
}

/** Segment file names of a media playlist, in order. */
export function playlistSegments(text: string): string[] {
  return text.split("\n").map((l) => l.trim()).filter((l) =>
    l && !l.startsWith("#")
  );
}

/** `<Representation …>` attributes of an MPD, keyed by name. */
export function mpdRepresentations(mpd: string): Record<string, string>[] {
  return [...mpd.matchAll(/<Representation ([^>]*)>/g)].map((m) =>
    Object.fromEntries(
      [...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]]),
    )
  );
}

/** Concatenates init + segments of representation `id` into one playable fMP4 file. */
export async function joinRepresentation(
  dir: string,
  id: number,
  out: string,
): Promise<string> {
  const segments = playlistSegments(
    await Deno.readTextFile(join(dir, `media_${id}.m3u8`)),
  );
  const parts = [
    join(dir, `init-${id}.m4s`),
    ...segments.map((s) => join(dir, s)),
  ];
  const bytes = await Promise.all(parts.map((p) => Deno.readFile(p)));
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    all.set(b, at);
    at += b.length;
  }
  await Deno.writeFile(out, all);
  return out;
}

/** Video packets (pts seconds, keyframe flag) of a file. */
export async function videoPackets(
  path: string,
): Promise<{ pts: number; key: boolean }[]> {
  const json = await ffprobeJson([
    "-select_streams",
    "v:0",
    "-show_entries",
    "packet=pts_time,flags,size",
    path,
  ]);
  const packets = (json.packets ?? []) as { pts_time: string; flags: string }[];
  return packets.map((p) => ({
    pts: Number(p.pts_time),
    key: p.flags.includes("K"),
  }));
}

/**
 * For each segment of representation `id`: its first video timestamp and whether it starts
 * with a keyframe (init + that segment alone, as a player that switched to it would see it).
 */
export async function segmentStarts(
  dir: string,
  id: number,
  scratch: string,
): Promise<{ pts: number; key: boolean }[]> {
  const segments = playlistSegments(
    await Deno.readTextFile(join(dir, `media_${id}.m3u8`)),
  );
  const init = await Deno.readFile(join(dir, `init-${id}.m4s`));
  const starts = [];
  for (const seg of segments) {
    const data = await Deno.readFile(join(dir, seg));
    const file = join(scratch, `start-${id}-${seg}.mp4`);
    const all = new Uint8Array(init.length + data.length);
    all.set(init);
    all.set(data, init.length);
    await Deno.writeFile(file, all);
    starts.push((await videoPackets(file)).sort((a, b) => a.pts - b.pts)[0]);
  }
  return starts;
}

/** Keyframe times of representation `id` (init + all segments). */
export async function keyframeTimes(
  dir: string,
  id: number,
  scratch: string,
): Promise<number[]> {
  const file = await joinRepresentation(
    dir,
    id,
    join(scratch, `joined-${id}.mp4`),
  );
  return (await videoPackets(file)).filter((p) => p.key).map((p) => p.pts).sort(
    (a, b) => a - b,
  );
}
