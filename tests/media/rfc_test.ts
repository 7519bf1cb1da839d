/// Streams every player plays to the end: what RFC 8216 and the DASH rules ask of the
/// playlists and the MPD, on real ffmpeg output (issue "Streams every player plays").
import assert from "node:assert/strict";
import { join } from "node:path";
import { probe, transcode } from "../../lib/media/mod.ts";
import { timelineEnds } from "../../lib/media/merge.ts";
import { parseMediaPlaylist } from "../../lib/media/bandwidth.ts";
import { FFMPEG, ffmpeg, FFPROBE, makeClip, withTempDir } from "./_clips.ts";

async function run(dir: string, clip: string) {
  const info = await probe(clip, { ffprobePath: FFPROBE });
  const out = join(dir, "out");
  const result = await transcode({
    input: clip,
    info,
    outDir: out,
    ffmpegPath: FFMPEG,
    ffprobePath: FFPROBE,
  });
  const read = (name: string) => Deno.readTextFile(join(out, name));
  return { info, out, result, read };
}

Deno.test("rfc - a clip 4 s × n + 2 frames long ends on a segment of at least a second", async () => {
  await withTempDir(async (dir) => {
    // 8 s + 2 frames at 30 fps: time-based keyframes used to make those 2 frames a segment.
    const clip = await makeClip(dir, {
      width: 640,
      height: 360,
      seconds: 8 + 2 / 30,
    });
    const { read, result } = await run(dir, clip);
    for (let i = 0; i <= result.renditions.length; i++) {
      const entries = parseMediaPlaylist(await read(`media_${i}.m3u8`));
      const last = entries.at(-1)!.durationSec;
      assert.ok(
        last >= 1 || i === result.renditions.length,
        `media_${i}: last segment ${last} s`,
      );
    }
  });
});

Deno.test("rfc - TARGETDURATION is at least every rounded EXTINF and never 0 (0.5 s clip)", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, { width: 320, height: 180, seconds: 0.5 });
    const { read, result } = await run(dir, clip);
    for (let i = 0; i <= result.renditions.length; i++) {
      const text = await read(`media_${i}.m3u8`);
      const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)![1]);
      assert.ok(target >= 1, `media_${i}: TARGETDURATION ${target}`);
      for (const e of parseMediaPlaylist(text)) {
        assert.ok(
          Math.round(e.durationSec) <= target,
          `${e.durationSec} > ${target}`,
        );
      }
    }
  });
});

Deno.test("rfc - BANDWIDTH is at least the peak of any 0.5–1.5 × target window, audio included; FRAME-RATE is set", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 854,
      height: 480,
      seconds: 9 + 1 / 30,
    });
    const { read, out } = await run(dir, clip);
    const master = await read("master.m3u8");
    const audioUri = /TYPE=AUDIO[^\n]*URI="([^"]+)"/.exec(master)![1];
    const windowPeak = async (name: string): Promise<number> => {
      const text = await read(name);
      const target = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)![1]);
      const entries = parseMediaPlaylist(text);
      const sizes = await Promise.all(
        entries.map(async (e) => (await Deno.stat(join(out, e.uri))).size),
      );
      let peak = 0;
      for (let i = 0; i < entries.length; i++) {
        let d = 0, b = 0;
        for (let j = i; j < entries.length; j++) {
          d += entries[j].durationSec;
          b += sizes[j];
          if (d > 1.5 * target) break;
          if (d >= 0.5 * target) peak = Math.max(peak, b * 8 / d);
        }
      }
      return peak;
    };
    const audioPeak = await windowPeak(audioUri);
    const lines = master.split("\n");
    let variants = 0;
    for (const [i, line] of lines.entries()) {
      if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
      variants++;
      const bandwidth = Number(/[:,]BANDWIDTH=(\d+)/.exec(line)![1]);
      assert.match(line, /FRAME-RATE=30\.000/);
      const videoPeak = await windowPeak(lines[i + 1].trim());
      assert.ok(
        bandwidth >= Math.floor(videoPeak + audioPeak),
        `${lines[i + 1]}: ${bandwidth} < ${videoPeak + audioPeak}`,
      );
    }
    assert.equal(variants, 2);
  });
});

Deno.test("rfc - the MPD's duration is the longest track when the audio outlasts the video", async () => {
  await withTempDir(async (dir) => {
    const clip = join(dir, "longer-audio.mp4");
    await ffmpeg([
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=320x180:rate=30:duration=6",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=440:sample_rate=48000:duration=6.5",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      clip,
    ]);
    const { read } = await run(dir, clip);
    const mpd = await read("manifest.mpd");
    const declared = /mediaPresentationDuration="PT([\d.]+)S"/.exec(mpd)![1];
    const longest = Math.max(...timelineEnds(mpd));
    assert.ok(longest > 6.2, `audio timeline ends at ${longest}`);
    assert.ok(Number(declared) + 0.001 >= longest, `${declared} < ${longest}`);
  });
});

Deno.test("rfc - a 853x479 source is never upscaled to 854x480", async () => {
  await withTempDir(async (dir) => {
    const clip = join(dir, "odd.mkv");
    await ffmpeg([
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=853x479:rate=25:duration=1",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv444p",
      clip,
    ]);
    const info = await probe(clip, { ffprobePath: FFPROBE });
    assert.deepEqual([info.video.displayWidth, info.video.displayHeight], [
      852,
      478,
    ]);
    const { result } = await run(dir, clip);
    const top = result.renditions[0];
    assert.ok(
      top.width <= 853 && top.height <= 479,
      `${top.width}x${top.height}`,
    );
  });
});
