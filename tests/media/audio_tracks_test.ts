import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import {
  type AudioRendition,
  audioTracksOf,
  labelAudioMaster,
  labelAudioMpd,
  languageName,
} from "../../lib/media/audio_tracks.ts";
import type { AudioInfo } from "../../lib/media/probe.ts";

function stream(over: Partial<AudioInfo> = {}): AudioInfo {
  return {
    index: 1,
    codec: "aac",
    profile: "LC",
    channels: 2,
    sampleRate: 48000,
    ...over,
  };
}

function tracks(...streams: Partial<AudioInfo>[]) {
  const list = streams.map((s) => stream(s));
  return audioTracksOf({ audio: list[0] ?? null, audioStreams: list });
}

Deno.test("audio tracks - named by title, else language name, else Track N", () => {
  assertEquals(
    tracks(
      { title: "Director's commentary", language: "en" },
      { language: "fr" },
      {},
      { language: "qaa" },
    ).map((t) => t.label),
    ["Director's commentary", "French", "Track 3", "Track 4"],
  );
  assertEquals(languageName("pt-BR"), "Brazilian Portuguese");
});

Deno.test("audio tracks - names are unique within the group", () => {
  assertEquals(
    tracks({ language: "en" }, { language: "en" }, { title: "English" })
      .map((t) => t.label),
    ["English", "English (2)", "English (3)"],
  );
});

Deno.test("audio tracks - exactly one default: the source's, else the first", () => {
  const defaults = (...d: (boolean | undefined)[]) =>
    tracks(...d.map((x) => ({ default: x }))).map((t) => t.default);
  assertEquals(defaults(false, true, false), [false, true, false]);
  assertEquals(defaults(false, false), [true, false]);
  assertEquals(defaults(true, true), [true, false]);
  assertEquals(defaults(undefined), [true]);
});

Deno.test("audio tracks - a probe stored before multi-track support has its one track", () => {
  const legacy = { audio: stream() } as unknown as Parameters<
    typeof audioTracksOf
  >[0];
  assertEquals(audioTracksOf(legacy), [
    { index: 0, language: null, label: "Track 1", default: true },
  ]);
  assertEquals(audioTracksOf({ audio: null }), []);
  assertEquals(audioTracksOf(null), []);
});

const renditions: AudioRendition[] = [
  { id: 3, index: 0, language: "en", label: "English", default: false },
  { id: 4, index: 1, language: "fr", label: "Commentary", default: true },
];

Deno.test("audio tracks - the HLS master gets NAME, LANGUAGE, one DEFAULT, AUTOSELECT", () => {
  const master = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_3",DEFAULT=YES,URI="media_3.m3u8"',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_4",DEFAULT=NO,URI="media_4.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="avc1.64001f,mp4a.40.2",AUDIO="group_A1"',
    "media_0.m3u8",
  ].join("\n");
  const out = labelAudioMaster(master, renditions).split("\n");
  assertEquals(
    out[2],
    [
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="English"',
      'LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="2",URI="media_3.m3u8"',
    ].join(","),
  );
  assertEquals(
    out[3],
    [
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="Commentary"',
      'LANGUAGE="fr",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="media_4.m3u8"',
    ].join(","),
  );
  assertEquals(out.slice(4), master.split("\n").slice(4));
  // No LANGUAGE attribute when the source does not say.
  const unknown = labelAudioMaster(master, [{
    ...renditions[0],
    language: null,
  }]);
  assert(!unknown.split("\n")[2].includes("LANGUAGE"), unknown);
});

Deno.test("audio tracks - DASH audio sets get lang, Label and Role (main for the default)", () => {
  const set = (id: number, lang = "") =>
    `\t\t<AdaptationSet id="${
      id - 2
    }" contentType="audio" startWithSAP="1"${lang}>\n` +
    `\t\t\t<Representation id="${id}" mimeType="audio/mp4" bandwidth="1">\n` +
    `\t\t\t</Representation>\n\t\t</AdaptationSet>`;
  const mpd = `<MPD><Period>\n${set(3, ' lang="eng"')}\n${
    set(4)
  }\n</Period></MPD>`;
  const out = labelAudioMpd(mpd, renditions);
  assert(
    out.includes(
      '<AdaptationSet id="1" contentType="audio" startWithSAP="1" lang="en">\n' +
        "\t\t\t<Label>English</Label>\n" +
        '\t\t\t<Role schemeIdUri="urn:mpeg:dash:role:2011" value="alternate" />\n' +
        '\t\t\t<Representation id="3"',
    ),
    out,
  );
  assert(
    out.includes(
      '<AdaptationSet id="2" contentType="audio" startWithSAP="1" lang="fr">\n' +
        "\t\t\t<Label>Commentary</Label>\n" +
        '\t\t\t<Role schemeIdUri="urn:mpeg:dash:role:2011" value="main" />',
    ),
    out,
  );
  // Labelling twice changes nothing (no second Label or Role).
  assertEquals(labelAudioMpd(out, renditions), out);
  // Titles are XML-escaped.
  assert(
    labelAudioMpd(mpd, [{ ...renditions[0], label: "A & <B>" }]).includes(
      "<Label>A &amp; &lt;B&gt;</Label>",
    ),
  );
});
