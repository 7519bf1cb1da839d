/**
 * Joins the phases' output folders into one stream folder with the names a single-pass
 * encode would have: representation files renamed to their final ids, one master playlist
 * listing every variant in ladder order, and one MPD whose video adaptation set holds every
 * representation (duration: the longest track); both name and flag the audio tracks.
 *
 * @module
 */
import { join } from "node:path";
import { OUTPUT_FILES } from "./layout.ts";
import {
  type AudioRendition,
  labelAudioMaster,
  labelAudioMpd,
} from "./audio_tracks.ts";
import {
  audioOf,
  buildMaster,
  parseMaster,
  renameFile,
  rewriteMaster,
  rewriteMediaPlaylist,
  type Variant,
} from "./hls_publish.ts";

/** One phase's folder and how its representation ids map to final ones. */
export interface PhaseOutput {
  dir: string;
  finalId: (local: number) => number | null;
}

/** Moves every file of the phases into `out` under its final name and writes the manifests. */
export async function mergePhases(
  phases: PhaseOutput[],
  out: string,
  audioTracks: readonly AudioRendition[] = [],
): Promise<void> {
  await Deno.mkdir(out, { recursive: true });
  const masters: string[] = [];
  const mpds: string[] = [];
  for (const { dir, finalId } of phases) {
    const rename = (name: string) => renameFile(name, finalId);
    for await (const e of Deno.readDir(dir)) {
      const from = join(dir, e.name);
      if (e.name === OUTPUT_FILES.hlsMaster) {
        masters.push(rewriteMaster(await Deno.readTextFile(from), rename));
      } else if (e.name === OUTPUT_FILES.mpd) {
        mpds.push(renumberMpd(await Deno.readTextFile(from), finalId));
      } else if (/^media_\d+\.m3u8$/.test(e.name)) {
        const text = await Deno.readTextFile(from);
        await Deno.writeTextFile(
          join(out, rename(e.name)),
          rewriteMediaPlaylist(text, rename, "VOD"),
        );
      } else if (e.isDirectory && e.name === OUTPUT_FILES.tiles) {
        await moveTiles(from, join(out, OUTPUT_FILES.tiles));
      } else if (e.isFile) {
        await Deno.rename(from, join(out, rename(e.name)));
      }
    }
  }
  await Deno.writeTextFile(
    join(out, OUTPUT_FILES.hlsMaster),
    labelAudioMaster(mergeMasters(masters), audioTracks),
  );
  await Deno.writeTextFile(
    join(out, OUTPUT_FILES.mpd),
    labelAudioMpd(mergeMpds(mpds), audioTracks),
  );
}

async function moveTiles(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const t of Deno.readDir(from)) {
    await Deno.rename(join(from, t.name), join(to, t.name));
  }
}

/** One master from the phases' (already renamed) masters, variants in final id order. */
export function mergeMasters(masters: string[]): string {
  const media: string[] = [];
  const variants: Variant[] = [];
  let audio: { group: string; codec: string } | null = null;
  for (const m of masters) {
    const parsed = parseMaster(m);
    media.push(...parsed.media);
    variants.push(...parsed.variants);
    audio ??= audioOf(m);
  }
  const idOf = (v: Variant) => Number(/media_(\d+)\.m3u8/.exec(v.uri)?.[1]);
  variants.sort((a, b) => idOf(a) - idOf(b));
  return buildMaster(media, variants, audio);
}

const REP = /<Representation\b[^>]*>[\s\S]*?<\/Representation>/g;

/** Renames `<Representation id="L"` to the final id (templates use $RepresentationID$). */
export function renumberMpd(
  mpd: string,
  finalId: (local: number) => number | null,
): string {
  return mpd.replace(
    /<Representation id="(\d+)"/g,
    (whole, id: string) => {
      const f = finalId(Number(id));
      return f === null ? whole : `<Representation id="${f}"`;
    },
  );
}

/** Seconds of an ISO 8601 duration like `PT1H2M3.5S`. */
function seconds(iso: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso);
  return m
    ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
    : 0;
}

/**
 * One MPD from the phases' (renumbered) MPDs: the one with audio is the base; every video
 * representation goes into its video adaptation set in id order; `maxWidth`/`maxHeight` and
 * `mediaPresentationDuration` (the longest) follow.
 */
export function mergeMpds(mpds: string[]): string {
  if (mpds.length === 1) return withLongestDuration(mpds[0]);
  const base = mpds.find((m) => m.includes('contentType="audio"')) ?? mpds[0];
  const videoSet =
    /(<AdaptationSet\b[^>]*contentType="video"[^>]*>)([\s\S]*?)(<\/AdaptationSet>)/;
  const reps: { id: number; xml: string; w: number; h: number }[] = [];
  let duration = 0;
  for (const m of mpds) {
    const set = videoSet.exec(m)?.[2] ?? "";
    for (const xml of set.match(REP) ?? []) {
      reps.push({
        id: Number(/id="(\d+)"/.exec(xml)?.[1]),
        xml,
        w: Number(/\swidth="(\d+)"/.exec(xml)?.[1] ?? 0),
        h: Number(/\sheight="(\d+)"/.exec(xml)?.[1] ?? 0),
      });
    }
    const d = /mediaPresentationDuration="([^"]+)"/.exec(m)?.[1];
    if (d) duration = Math.max(duration, seconds(d));
  }
  reps.sort((a, b) => a.id - b.id);
  const indent = "\n\t\t\t";
  let out = base.replace(videoSet, (_, open: string, _body, close: string) => {
    const head = open
      .replace(
        /maxWidth="\d+"/,
        `maxWidth="${Math.max(...reps.map((r) => r.w))}"`,
      )
      .replace(
        /maxHeight="\d+"/,
        `maxHeight="${Math.max(...reps.map((r) => r.h))}"`,
      );
    return `${head}${indent}${
      reps.map((r) => r.xml).join(indent)
    }\n\t\t${close}`;
  });
  if (duration > 0) {
    out = out.replace(
      /mediaPresentationDuration="[^"]+"/,
      `mediaPresentationDuration="${isoSeconds(duration)}"`,
    );
  }
  return withLongestDuration(out);
}

function isoSeconds(sec: number): string {
  return `PT${sec.toFixed(3).replace(/\.?0+$/, "")}S`;
}

/** Seconds each representation's SegmentTimeline covers (the end of its last segment). */
export function timelineEnds(mpd: string): number[] {
  const ends: number[] = [];
  for (const rep of mpd.match(REP) ?? []) {
    const timescale = Number(/timescale="(\d+)"/.exec(rep)?.[1] ?? 1);
    let t = 0;
    for (const m of rep.matchAll(/<S\s+([^>]*?)\/>/g)) {
      const attr = (name: string) =>
        Number(new RegExp(`\\b${name}="(\\d+)"`).exec(m[1])?.[1]);
      const start = attr("t");
      if (Number.isFinite(start)) t = start;
      t += (attr("d") || 0) * ((attr("r") || 0) + 1);
    }
    ends.push(t / timescale);
  }
  return ends;
}

/**
 * Sets `mediaPresentationDuration` to the longest track: ffmpeg writes the video's, and
 * dash.js declares the end there while the audio plays on, then seeks back and stays paused.
 */
export function withLongestDuration(mpd: string): string {
  const longest = Math.max(0, ...timelineEnds(mpd));
  const current = seconds(
    /mediaPresentationDuration="([^"]+)"/.exec(mpd)?.[1] ?? "",
  );
  if (longest <= current + 0.0005) return mpd;
  return mpd.replace(
    /mediaPresentationDuration="[^"]+"/,
    `mediaPresentationDuration="${isoSeconds(longest)}"`,
  );
}
