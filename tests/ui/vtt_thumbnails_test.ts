import assert from "node:assert/strict";
import {
  parseThumbnails,
  parseTimestamp,
  thumbnailAt,
} from "../../lib/ui/vtt_thumbnails.ts";

const VTT = `WEBVTT

1
00:00:00.000 --> 00:00:02.000
thumbs.jpg#xywh=0,0,160,90

00:00:02.000 --> 00:00:04.000
thumbs.jpg#xywh=160,0,160,90

00:04.000 --> 00:06.500
sprites/b.jpg#xywh=0,90,160,90

00:00:06.500 --> 00:00:08.000
no-fragment.jpg
`;

Deno.test("vtt thumbnails - parses cues and resolves sprite URLs against the track", () => {
  const cues = parseThumbnails(VTT, "http://reel.test/stream/abc/thumbs.vtt");
  assert.equal(cues.length, 3);
  assert.deepEqual(cues[1], {
    start: 2,
    end: 4,
    url: "http://reel.test/stream/abc/thumbs.jpg",
    x: 160,
    y: 0,
    w: 160,
    h: 90,
  });
  assert.equal(cues[2].url, "http://reel.test/stream/abc/sprites/b.jpg");
  assert.equal(cues[2].end, 6.5);
});

Deno.test("vtt thumbnails - finds the tile for a time", () => {
  const cues = parseThumbnails(VTT, "http://reel.test/t.vtt");
  assert.equal(thumbnailAt(cues, 0)?.x, 0);
  assert.equal(thumbnailAt(cues, 1.99)?.x, 0);
  assert.equal(thumbnailAt(cues, 2)?.x, 160);
  assert.equal(thumbnailAt(cues, 5)?.y, 90);
  assert.equal(thumbnailAt(cues, 99)?.y, 90, "past the end: the last tile");
  assert.equal(thumbnailAt([], 1), null);
});

Deno.test("vtt thumbnails - rejects files that are not WebVTT", () => {
  assert.deepEqual(parseThumbnails("<html>", "http://reel.test/t.vtt"), []);
  assert.deepEqual(
    parseThumbnails("\uFEFFWEBVTT\r\n\r\n", "http://reel.test/t.vtt"),
    [],
  );
});

Deno.test("vtt thumbnails - timestamps with and without hours", () => {
  assert.equal(parseTimestamp("01:02:03.500"), 3723.5);
  assert.equal(parseTimestamp("02:03.250"), 123.25);
  assert.ok(Number.isNaN(parseTimestamp("abc")));
});
