import {
  deepStrictEqual as assertEquals,
  ok as assert,
  strictEqual,
} from "node:assert/strict";
import { join } from "node:path";
import {
  measureRepresentation,
  rewriteBandwidths,
} from "../../lib/media/bandwidth.ts";
import { withTempDir, writeText } from "./_clips.ts";

/** A fake stream folder: one video representation (3 segments) and one audio. */
async function fakeStream(dir: string): Promise<void> {
  const media = (id: number, durations: number[]): string =>
    [
      "#EXTM3U",
      "#EXT-X-VERSION:6",
      "#EXT-X-TARGETDURATION:4",
      "#EXT-X-MEDIA-SEQUENCE:1",
      `#EXT-X-MAP:URI="init-${id}.m4s"`,
      ...durations.flatMap((d, n) => [
        `#EXTINF:${d.toFixed(6)},`,
        "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00.000+0000",
        `chunk-${id}-0000${n + 1}.m4s`,
      ]),
      "#EXT-X-ENDLIST",
      "",
    ].join("\n");
  await writeText(dir, "media_0.m3u8", media(0, [4, 4, 0.5]));
  await writeText(dir, "media_1.m3u8", media(1, [4, 4, 0.5]));
  // Video: 500 KB, 1 MB, then a 100 KB tail in half a second (1.6 Mbit/s if counted).
  for (
    const [name, size] of [
      ["chunk-0-00001.m4s", 500_000],
      ["chunk-0-00002.m4s", 1_000_000],
      [
        "chunk-0-00003.m4s",
        100_000,
      ],
      ["chunk-1-00001.m4s", 64_000],
      ["chunk-1-00002.m4s", 64_000],
      ["chunk-1-00003.m4s", 8_000],
    ] as const
  ) {
    await Deno.writeFile(join(dir, name), new Uint8Array(size));
  }
  await writeText(
    dir,
    "master.m3u8",
    [
      "#EXTM3U",
      "#EXT-X-VERSION:7",
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_1",DEFAULT=YES,URI="media_1.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=1000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="group_A1"',
      "media_0.m3u8",
      "",
    ].join("\n"),
  );
  await writeText(
    dir,
    "manifest.mpd",
    '<MPD><Representation id="0" mimeType="video/mp4" bandwidth="1000" width="1280">' +
      '</Representation><Representation id="1" mimeType="audio/mp4" bandwidth="128000">' +
      "</Representation></MPD>",
  );
}

Deno.test("bandwidth - peak and average come from segment sizes; a short tail is no peak", async () => {
  await withTempDir(async (dir) => {
    await fakeStream(dir);
    const video = await measureRepresentation(dir, 0);
    assertEquals([video.segments, video.durationSec], [3, 8.5]);
    strictEqual(video.peak, 2_000_000); // 1 MB in 4 s
    strictEqual(video.average, Math.round(1_600_000 * 8 / 8.5));
  });
});

Deno.test("bandwidth - master and MPD are rewritten with the measured values", async () => {
  await withTempDir(async (dir) => {
    await fakeStream(dir);
    const video = await measureRepresentation(dir, 0);
    const audio = await measureRepresentation(dir, 1);
    await rewriteBandwidths(dir, [video], [audio]);
    const master = await Deno.readTextFile(join(dir, "master.m3u8"));
    assert(master.includes("#EXT-X-INDEPENDENT-SEGMENTS"), master);
    assert(
      master.includes(
        `#EXT-X-STREAM-INF:BANDWIDTH=${
          video.peak + audio.peak
        },AVERAGE-BANDWIDTH=${
          video.average + audio.average
        },RESOLUTION=1280x720,`,
      ),
      master,
    );
    const mpd = await Deno.readTextFile(join(dir, "manifest.mpd"));
    assert(
      mpd.includes(
        `<Representation id="0" mimeType="video/mp4" bandwidth="${video.peak}"`,
      ),
    );
    assert(mpd.includes(`bandwidth="${audio.peak}"`));
    const media = await Deno.readTextFile(join(dir, "media_0.m3u8"));
    assert(
      !media.includes("PROGRAM-DATE-TIME") &&
        media.includes("#EXT-X-PLAYLIST-TYPE:VOD"),
    );
  });
});

Deno.test("bandwidth - a variant counts the largest of the audio tracks it may play with", async () => {
  await withTempDir(async (dir) => {
    await fakeStream(dir);
    // A second track, twice the size of the first.
    await Deno.writeTextFile(
      join(dir, "media_2.m3u8"),
      (await Deno.readTextFile(join(dir, "media_1.m3u8"))).replaceAll(
        "-1",
        "-2",
      ),
    );
    for (const [n, size] of [[1, 128_000], [2, 128_000], [3, 16_000]]) {
      await Deno.writeFile(
        join(dir, `chunk-2-0000${n}.m4s`),
        new Uint8Array(size),
      );
    }
    const video = await measureRepresentation(dir, 0);
    const small = await measureRepresentation(dir, 1);
    const large = await measureRepresentation(dir, 2);
    assert(large.peak > small.peak);
    await rewriteBandwidths(dir, [video], [small, large]);
    const master = await Deno.readTextFile(join(dir, "master.m3u8"));
    assert(
      master.includes(
        `BANDWIDTH=${video.peak + large.peak},AVERAGE-BANDWIDTH=${
          video.average + large.average
        },`,
      ),
      master,
    );
  });
});
