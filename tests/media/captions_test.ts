import assert from "node:assert/strict";
import {
  canonicalLanguage,
  CaptionError,
  parseCaptions,
  toWebVtt,
} from "../../lib/media/captions.ts";
import {
  captionPlaylist,
  withDashCaptions,
  withHlsCaptions,
} from "../../lib/media/caption_manifests.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const vttOf = (s: string, name = "c.srt") =>
  toWebVtt(parseCaptions(enc(s), name));

function refused(text: string | Uint8Array, name: string): CaptionError {
  try {
    parseCaptions(typeof text === "string" ? enc(text) : text, name);
  } catch (err) {
    assert.ok(err instanceof CaptionError, String(err));
    return err;
  }
  throw new Error("accepted");
}

Deno.test("captions - SRT becomes WebVTT: commas to dots, numbers dropped, CRLF and BOM handled", () => {
  const srt =
    "\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\nworld\r\n\r\n" +
    "2\r\n00:01:02,5 --> 01:00:00,000\r\nSecond\r\n";
  assert.equal(
    vttOf(srt),
    "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\nworld\n\n" +
      "00:01:02.500 --> 01:00:00.000\nSecond\n",
  );
});

Deno.test("captions - SRT without index lines and with trailing blank lines still parses", () => {
  assert.equal(
    vttOf(
      "00:00:00,100 --> 00:00:00,900\nA\n\n\n\n00:00:01,000 --> 00:00:02,000\nB\n\n",
    ),
    "WEBVTT\n\n00:00:00.100 --> 00:00:00.900\nA\n\n00:00:01.000 --> 00:00:02.000\nB\n",
  );
});

Deno.test("captions - WebVTT keeps safe tags and valid settings, drops NOTE/STYLE and unknown settings", () => {
  const vtt =
    "WEBVTT - a title\nKind: captions\n\nNOTE a comment\nspanning lines\n\n" +
    "STYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:02.000 align:start line:90% bogus:1 region:r\n" +
    "<v Roger Bingham>We are <i>in</i> <b>New</b> <c.yellow>York</c></v>\n";
  assert.equal(
    vttOf(vtt, "x.VTT"),
    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000 align:start line:90%\n" +
      "<v Roger Bingham>We are <i>in</i> <b>New</b> <c.yellow>York</c></v>\n",
  );
});

Deno.test("captions - markup is sanitised: script, img, font and attributes dropped; stray < > & escaped", () => {
  const srt =
    "1\n00:00:01,000 --> 00:00:02,000\n<script>alert(1)</script><img src=x onerror=alert(2)>" +
    '<font color="red">red</font> <i onclick="x">i</i> a < b & c > d --> e &amp; &lt;\n';
  const out = vttOf(srt);
  assert.equal(
    out.split("\n")[3],
    "alert(1)red i a &lt; b &amp; c &gt; d --&gt; e &amp; &lt;",
  );
  assert.ok(!/<(script|img|font)/i.test(out));
});

Deno.test("captions - cues with no text left are dropped; a file of only those has no cues", () => {
  assert.equal(
    refused("1\n00:00:01,000 --> 00:00:02,000\n<b></b>\n", "a.srt").message,
    "The caption file has no cues.",
  );
});

Deno.test("captions - every bad file kind is refused with a sentence", () => {
  assert.equal(refused("", "a.vtt").kind, "empty");
  assert.equal(refused("\n\n  \n", "a.srt").kind, "empty");
  assert.equal(
    refused("WEBVTT\n\n00:01.000 --> 00:02.000\nx", "a.txt").kind,
    "type",
  );
  assert.equal(
    refused(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), "a.vtt").kind,
    "type",
  );
  assert.equal(
    refused(new Uint8Array([0xff, 0xfe, 0x41]), "a.srt").kind,
    "type",
  );
  assert.equal(
    refused("1\n00:00:01,000 --> 00:00:02,000\nSRT in a .vtt\n", "a.vtt").kind,
    "type",
  );
  assert.equal(
    refused("WEBVTT\n\nNOTE only a comment\n", "a.vtt").kind,
    "invalid",
  );
  const ts = refused("1\n00:00:01 --> 00:00:02,000\nx\n", "a.srt");
  assert.equal(ts.kind, "invalid");
  assert.match(
    ts.message,
    /^Line 2: the timestamps .* cannot be read; write them as 00:01:02,500\.$/,
  );
  assert.match(
    refused("1\n00:00:05,000 --> 00:00:02,000\nx\n", "a.srt").message,
    /^Line 2: the cue ends/,
  );
  assert.match(
    refused("1\nno timing here\n", "a.srt").message,
    /^Line 1: expected/,
  );
  assert.match(
    refused("WEBVTT\n\njust text\n", "a.vtt").message,
    /^Line 3: expected a cue timing line/,
  );
});

Deno.test("captions - language tags are checked and canonicalised", () => {
  assert.equal(canonicalLanguage("en"), "en");
  assert.equal(canonicalLanguage(" pt-br "), "pt-BR");
  assert.equal(canonicalLanguage("zh-hant-tw"), "zh-Hant-TW");
  for (
    const bad of [
      "",
      "e",
      "english language",
      "en_US",
      "../x",
      "en-",
      42,
      null,
      "a".repeat(40),
    ]
  ) {
    assert.equal(canonicalLanguage(bad), null, String(bad));
  }
});

const MASTER =
  '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_1",DEFAULT=YES,URI="media_2.m3u8"\n' +
  '#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=640x360,CODECS="avc1",AUDIO="group_A1"\nmedia_0.m3u8\n' +
  '#EXT-X-STREAM-INF:BANDWIDTH=2,RESOLUTION=320x180,CODECS="avc1",AUDIO="group_A1"\nmedia_1.m3u8\n';

Deno.test("caption manifests - HLS master gains a subtitles group and every variant names it", () => {
  const out = withHlsCaptions(MASTER, [
    { lang: "en", label: null },
    { lang: "fr", label: 'Français "SDH"' },
  ]);
  const lines = out.split("\n");
  assert.deepEqual(lines.filter((l) => l.includes("TYPE=SUBTITLES")), [
    '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",AUTOSELECT=YES,DEFAULT=NO,FORCED=NO,URI="captions/en.m3u8"',
    '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Français SDH",LANGUAGE="fr",AUTOSELECT=YES,DEFAULT=NO,FORCED=NO,URI="captions/fr.m3u8"',
  ]);
  const variants = lines.filter((l) => l.startsWith("#EXT-X-STREAM-INF"));
  assert.equal(variants.length, 2);
  for (const v of variants) assert.ok(v.endsWith(',SUBTITLES="subs"'), v);
  assert.ok(
    lines.indexOf(variants[0]) >
      lines.findIndex((l) => l.includes("SUBTITLES,")),
  );
  assert.equal(withHlsCaptions(MASTER, []), MASTER);
  // Names stay unique within the group.
  const twin = withHlsCaptions(MASTER, [{ lang: "en", label: "CC" }, {
    lang: "de",
    label: "CC",
  }]);
  assert.match(twin, /NAME="CC \(en\)"/);
  assert.match(twin, /NAME="CC \(de\)"/);
});

Deno.test("caption manifests - the WebVTT playlist is one VOD segment spanning the video", () => {
  assert.equal(
    captionPlaylist("pt-BR", 10.008),
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:11\n#EXT-X-MEDIA-SEQUENCE:0\n" +
      "#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:10.008,\npt-BR.vtt\n#EXT-X-ENDLIST\n",
  );
});

Deno.test("caption manifests - MPD gains one text/vtt AdaptationSet per caption in its Period", () => {
  const mpd =
    '<?xml version="1.0"?>\n<MPD>\n\t<Period id="0">\n\t\t<AdaptationSet id="0" contentType="video">\n\t\t</AdaptationSet>\n\t</Period>\n</MPD>\n';
  const out = withDashCaptions(mpd, [{ lang: "en", label: "A & <B>" }]);
  assert.ok(out.includes(
    '\t\t<AdaptationSet id="caption-en" contentType="text" mimeType="text/vtt" lang="en">\n' +
      "\t\t\t<Label>A &amp; &lt;B&gt;</Label>\n",
  ));
  assert.ok(out.includes("<BaseURL>captions/en.vtt</BaseURL>"));
  assert.ok(out.indexOf("caption-en") < out.indexOf("</Period>"));
  assert.equal(withDashCaptions(mpd, []), mpd);
});

Deno.test("captions - a WebVTT file named .srt is read as WebVTT", () => {
  assert.equal(
    vttOf("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", "a.srt"),
    "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n",
  );
});
