/// Every audio track kept: a source with several audio streams becomes one HLS audio group
/// entry and one DASH audio adaptation set per track, with the source's language, title and
/// default, in the progressive (two-phase), single-pass and copy pipelines; each track decodes
/// to its own tone; variants' BANDWIDTH covers the largest track.
import {
  deepStrictEqual as assertEquals,
  ok as assert,
  strictEqual,
} from "node:assert/strict";
import { join } from "node:path";
import {
  probe,
  transcode,
  type TranscodeOptions,
} from "../../lib/media/mod.ts";
import { measureRepresentation } from "../../lib/media/bandwidth.ts";
import {
  FFMPEG,
  FFPROBE,
  ffprobeJson,
  makeMultiAudioClip,
  withTempDir,
} from "./_clips.ts";
import { joinRepresentation, parseMaster } from "./_streams.ts";

/** Attributes of every `#EXT-X-MEDIA:TYPE=AUDIO` line of a master playlist. */
function audioEntries(master: string): Record<string, string>[] {
  return master.split("\n").filter((l) =>
    l.startsWith("#EXT-X-MEDIA:TYPE=AUDIO")
  ).map((l) =>
    Object.fromEntries(
      [...l.slice(13).matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g)].map((
        m,
      ) => [m[1], m[2].replace(/^"|"$/g, "")]),
    )
  );
}

/** Audio adaptation sets of an MPD: lang, Label, Role and representation id. */
function audioSets(mpd: string) {
  return [
    ...mpd.matchAll(
      /<AdaptationSet\b([^>]*contentType="audio"[^>]*)>([\s\S]*?)<\/AdaptationSet>/g,
    ),
  ].map((m) => ({
    lang: /\blang="([^"]*)"/.exec(m[1])?.[1] ?? null,
    label: /<Label>([^<]*)<\/Label>/.exec(m[2])?.[1] ?? null,
    role: /<Role [^>]*value="([^"]*)"/.exec(m[2])?.[1] ?? null,
    rep: Number(/<Representation id="(\d+)"/.exec(m[2])?.[1]),
  }));
}

/**
 * The dominant frequency of a file's audio, from its zero crossings (decoded by ffmpeg as a
 * client would), plus its channel count and sample rate.
 */
async function tone(
  path: string,
): Promise<{ hz: number; channels: number; rate: number }> {
  const stream = ((await ffprobeJson(["-show_streams", path])).streams as {
    channels: number;
    sample_rate: string;
  }[])[0];
  const out = await new Deno.Command(FFMPEG, {
    args: [
      "-v",
      "error",
      "-i",
      path,
      "-ac",
      "1",
      "-ar",
      "48000",
      "-f",
      "f32le",
      "pipe:1",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  const s = new Float32Array(
    out.stdout.buffer,
    out.stdout.byteOffset,
    out.stdout.byteLength / 4,
  );
  // Skip the encoder's priming at the start; count upward crossings over the rest.
  const from = 4800;
  let ups = 0;
  for (let i = from + 1; i < s.length; i++) {
    if (s[i - 1] < 0 && s[i] >= 0) ups++;
  }
  return {
    hz: ups / ((s.length - from) / 48000),
    channels: stream.channels,
    rate: Number(stream.sample_rate),
  };
}

async function run(
  dir: string,
  clip: string,
  extra: Partial<TranscodeOptions> = {},
) {
  const info = await probe(clip, { ffprobePath: FFPROBE });
  const out = join(dir, `out-${crypto.randomUUID().slice(0, 6)}`);
  const published: { name: string; text: string }[] = [];
  const result = await transcode({
    input: clip,
    info,
    outDir: out,
    ffmpegPath: FFMPEG,
    ffprobePath: FFPROBE,
    onPublish: async (files) => {
      for (const f of files) {
        if (f.name === "master.m3u8") {
          published.push({
            name: f.name,
            text: await Deno.readTextFile(f.path),
          });
        }
      }
    },
    ...extra,
  });
  return { info, result, out, published };
}

/** Checks the master, the MPD and each track's media against the expected tracks. */
async function assertTracks(
  out: string,
  scratch: string,
  expected: { name: string; lang?: string; def: boolean; hz: number }[],
  videoReps: number,
): Promise<void> {
  const master = await Deno.readTextFile(join(out, "master.m3u8"));
  const entries = audioEntries(master);
  assertEquals(
    entries.map((e) => [e.NAME, e.LANGUAGE, e.DEFAULT, e.AUTOSELECT]),
    expected.map((t) => [t.name, t.lang, t.def ? "YES" : "NO", "YES"]),
    master,
  );
  strictEqual(new Set(entries.map((e) => e["GROUP-ID"])).size, 1, master);
  assertEquals(
    entries.map((e) => e.URI),
    expected.map((_, j) => `media_${videoReps + j}.m3u8`),
  );
  // Every variant plays with the group, and its BANDWIDTH covers video + the largest track.
  const audioPeak = Math.max(
    ...await Promise.all(
      expected.map(async (_, j) =>
        (await measureRepresentation(out, videoReps + j)).peak
      ),
    ),
  );
  const variants = parseMaster(master);
  strictEqual(variants.length, videoReps);
  for (const v of variants) {
    strictEqual(v.attrs.AUDIO, entries[0]["GROUP-ID"]);
    assert(v.attrs.CODECS.includes("mp4a.40.2"), v.attrs.CODECS);
    const id = Number(/media_(\d+)/.exec(v.uri)![1]);
    const video = await measureRepresentation(out, id);
    assert(
      Number(v.attrs.BANDWIDTH) >= video.peak + audioPeak,
      `${v.uri}: BANDWIDTH ${v.attrs.BANDWIDTH} < ${video.peak} + ${audioPeak}`,
    );
  }

  const mpd = await Deno.readTextFile(join(out, "manifest.mpd"));
  assertEquals(
    audioSets(mpd),
    expected.map((t, j) => ({
      lang: t.lang ?? null,
      label: t.name,
      role: t.def ? "main" : "alternate",
      rep: videoReps + j,
    })),
  );

  for (const [j, t] of expected.entries()) {
    const file = await joinRepresentation(
      out,
      videoReps + j,
      join(scratch, `track-${crypto.randomUUID().slice(0, 6)}.mp4`),
    );
    const heard = await tone(file);
    assert(
      Math.abs(heard.hz - t.hz) < t.hz * 0.02,
      `${t.name}: heard ${heard.hz.toFixed(1)} Hz, expected ${t.hz}`,
    );
    assertEquals([heard.channels, heard.rate], [2, 48000], t.name);
  }
}

const TWO = [
  { frequency: 440, language: "eng", title: "English" },
  { frequency: 880, language: "fra", title: "Commentary" },
];

Deno.test("multi audio - two tracks in the progressive pipeline: both published, labelled and distinct", async () => {
  await withTempDir(async (dir) => {
    // 720p: three rungs, the lowest encoded first with both tracks.
    const clip = await makeMultiAudioClip(dir, TWO, {
      seconds: 9,
      width: 1280,
      height: 720,
    });
    const { result, out, published, info } = await run(dir, clip);
    strictEqual(info.audioStreams?.length, 2);
    strictEqual(result.renditions.length, 3);
    strictEqual(result.copiedTopRung, false);
    const expected = [
      { name: "English", lang: "en", def: true, hz: 440 },
      { name: "Commentary", lang: "fr", def: false, hz: 880 },
    ];
    await assertTracks(out, dir, expected, 3);
    // The master published while the first rendition was growing already lists both tracks.
    assert(published.length > 0, "the first rendition was published");
    assertEquals(
      audioEntries(published[0].text).map((e) => [e.NAME, e.DEFAULT, e.URI]),
      [
        ["English", "YES", "media_3.m3u8"],
        ["Commentary", "NO", "media_4.m3u8"],
      ],
    );
    assertEquals(parseMaster(published[0].text).map((v) => v.uri), [
      "media_2.m3u8",
    ]);
  });
});

Deno.test("multi audio - single pass keeps every track, the source's default first to play", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeMultiAudioClip(dir, [
      { frequency: 440, language: "eng" },
      { frequency: 660, language: "deu", default: true },
      { frequency: 880 },
    ]);
    const { out } = await run(dir, clip, { singlePass: true });
    await assertTracks(out, dir, [
      { name: "English", lang: "en", def: false, hz: 440 },
      { name: "German", lang: "de", def: true, hz: 660 },
      { name: "Track 3", def: false, hz: 880 },
    ], 1);
  });
});

Deno.test("multi audio - copy path with a 5.1 and a mono track: both stereo 48 kHz, tones kept", async () => {
  await withTempDir(async (dir) => {
    // 720p with regular 2 s GOPs in MP4: the top rung is a stream copy published first with
    // both tracks (re-encoded), the lower rungs follow.
    const clip = await makeMultiAudioClip(dir, [
      { frequency: 440, language: "eng", layout: "5.1" },
      {
        frequency: 880,
        language: "spa",
        handler: "Spanish dub",
        layout: "mono",
      },
    ], { seconds: 8, container: "mp4", width: 1280, height: 720, gop: 60 });
    const { result, out, info } = await run(dir, clip);
    assertEquals(info.audioStreams?.map((a) => a.channels), [6, 1]);
    strictEqual(result.copiedTopRung, true);
    await assertTracks(out, dir, [
      { name: "English", lang: "en", def: true, hz: 440 },
      { name: "Spanish dub", lang: "es", def: false, hz: 880 },
    ], 3);
  });
});
