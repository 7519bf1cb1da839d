import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects,
  strictEqual,
} from "node:assert/strict";
import { join } from "node:path";
import { DomainError as ApiError } from "../../lib/api/mod.ts";
import { type InputLimits, probe } from "../../lib/media/mod.ts";
import {
  FFPROBE,
  makeAudioOnly,
  makeClip,
  makeImage,
  makeMultiAudioClip,
  withTempDir,
  writeText,
} from "./_clips.ts";

const LIMITS: InputLimits = {
  maxWidth: 7680,
  maxHeight: 4320,
  maxFps: 120,
  maxDurationSec: 14400,
};

/** Asserts that probing `path` fails with ApiError `code`; returns its message. */
async function probeFails(
  path: string,
  code: string,
  limits = LIMITS,
): Promise<string> {
  let message = "";
  await rejects(
    probe(path, { ffprobePath: FFPROBE, limits }),
    (err: unknown) => {
      assert(err instanceof ApiError, `expected ApiError, got ${err}`);
      strictEqual(err.code, code, err.message);
      message = err.message;
      return true;
    },
  );
  return message;
}

Deno.test("probe - reads an H.264/AAC mp4", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, { width: 320, height: 180, seconds: 2 });
    const info = await probe(clip, { ffprobePath: FFPROBE, limits: LIMITS });
    strictEqual(info.formatName, "mov");
    assert(Math.abs(info.durationSec - 2) < 0.1, String(info.durationSec));
    assert(info.sizeBytes > 0);
    const v = info.video;
    assertEquals(
      [
        v.codec,
        v.pixFmt,
        v.bitDepth,
        v.width,
        v.height,
        v.displayWidth,
        v.displayHeight,
      ],
      ["h264", "yuv420p", 8, 320, 180, 320, 180],
    );
    assertEquals([v.rotation, v.sar, v.fps, v.vfr, v.hdr], [
      0,
      { num: 1, den: 1 },
      30,
      false,
      false,
    ]);
    assertEquals(
      info.audio && [info.audio.codec, info.audio.profile, info.audio.channels],
      [
        "aac",
        "LC",
        1,
      ],
    );
  });
});

Deno.test("probe - every audio track with its language (BCP 47), title and default flag", async () => {
  await withTempDir(async (dir) => {
    const mkv = await makeMultiAudioClip(dir, [
      { frequency: 440, language: "eng", title: "English" },
      {
        frequency: 880,
        language: "fre",
        title: 'Say "hi"\nnow',
        default: true,
      },
      { frequency: 660, language: "und", layout: "5.1" },
    ], { seconds: 1 });
    const info = await probe(mkv, { ffprobePath: FFPROBE });
    assertEquals(
      info.audioStreams?.map((a) => [
        a.index,
        a.language,
        a.title,
        a.default,
        a.channels,
      ]),
      [
        [1, "en", "English", false, 1],
        [2, "fr", "Say hi now", true, 1],
        [3, null, null, false, 6],
      ],
    );
    strictEqual(info.audio, info.audioStreams![0]);
    // MP4 keeps no title; a handler name that is not a muxer's default stands in for it.
    const mp4 = await makeMultiAudioClip(dir, [
      { frequency: 440, language: "deu" },
      { frequency: 880, handler: "Commentary" },
    ], { seconds: 1, container: "mp4" });
    assertEquals(
      (await probe(mp4, { ffprobePath: FFPROBE })).audioStreams?.map((a) => [
        a.language,
        a.title,
      ]),
      [["de", null], [null, "Commentary"]],
    );
  });
});

Deno.test("probe - a video without audio has audio null", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, { audio: false });
    const info = await probe(clip, { ffprobePath: FFPROBE });
    strictEqual(info.audio, null);
    assertEquals(info.audioStreams, []);
    strictEqual(info.video.codec, "h264");
  });
});

Deno.test("probe - Matroska and WebM are accepted and named for -f", async () => {
  await withTempDir(async (dir) => {
    const mkv = await makeClip(dir, { container: "mkv", seconds: 1 });
    strictEqual(
      (await probe(mkv, { ffprobePath: FFPROBE })).formatName,
      "matroska",
    );
    const webm = await makeClip(dir, {
      codec: "vp9",
      seconds: 1,
      width: 160,
      height: 90,
    });
    const info = await probe(webm, { ffprobePath: FFPROBE });
    assertEquals([info.formatName, info.video.codec, info.audio?.codec], [
      "matroska",
      "vp9",
      "opus",
    ]);
  });
});

Deno.test("probe - rotation from the display matrix swaps the display size", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 320,
      height: 180,
      rotate: 90,
      seconds: 1,
    });
    const v = (await probe(clip, { ffprobePath: FFPROBE })).video;
    assertEquals([
      v.width,
      v.height,
      v.rotation,
      v.displayWidth,
      v.displayHeight,
    ], [
      320,
      180,
      90,
      180,
      320,
    ]);
  });
});

Deno.test("probe - anamorphic SAR widens the display size", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 240,
      height: 180,
      sar: "4:3",
      seconds: 1,
    });
    const v = (await probe(clip, { ffprobePath: FFPROBE })).video;
    assertEquals([v.sar, v.displayWidth, v.displayHeight], [
      { num: 4, den: 3 },
      320,
      180,
    ]);
  });
});

Deno.test("probe - 10-bit HDR10 is detected", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      pixFmt: "yuv420p10le",
      hdr: true,
      seconds: 1,
      audio: false,
    });
    const v = (await probe(clip, { ffprobePath: FFPROBE })).video;
    assertEquals([
      v.bitDepth,
      v.pixFmt,
      v.hdr,
      v.colorTransfer,
      v.colorPrimaries,
    ], [
      10,
      "yuv420p10le",
      true,
      "smpte2084",
      "bt2020",
    ]);
  });
});

Deno.test("probe - a text file named .mp4 is not a video (415)", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(
      dir,
      "notes.mp4",
      "Dear diary, today I uploaded a text file.\n",
    );
    const message = await probeFails(path, "not_a_video");
    assert(message.includes("plain text"), message);
  });
});

Deno.test("probe - an empty file is refused as empty_file (400)", async () => {
  await withTempDir(async (dir) => {
    const path = await writeText(dir, "empty.mp4", "");
    await probeFails(path, "empty_file");
  });
});

Deno.test("probe - a PNG renamed .mp4 is not a video (415)", async () => {
  await withTempDir(async (dir) => {
    const path = await makeImage(dir, "photo.mp4");
    const message = await probeFails(path, "not_a_video");
    assert(message.includes("image"), message);
  });
});

Deno.test("probe - audio-only files are not videos (415)", async () => {
  await withTempDir(async (dir) => {
    const m4a = await makeAudioOnly(dir, "song.mp4");
    const message = await probeFails(m4a, "not_a_video");
    assert(message.includes("no video stream"), message);
    const mp3 = await makeAudioOnly(dir, "song.mp3");
    await probeFails(mp3, "not_a_video");
  });
});

Deno.test("probe - an HLS playlist disguised as .mp4 is refused before it is opened", async () => {
  await withTempDir(async (dir) => {
    // The playlist points at a real, readable video: accepting it would mean ffprobe read it.
    const target = await makeClip(dir, {
      name: "someone-elses.mp4",
      seconds: 1,
    });
    const playlist = await writeText(
      dir,
      "upload.mp4",
      `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\n${target}\n#EXTINF:1,\n/etc/passwd\n` +
        "#EXT-X-ENDLIST\n",
    );
    const message = await probeFails(playlist, "not_a_video");
    assert(message.includes("HLS playlist"), message);
  });
});

Deno.test("probe - an ffconcat script disguised as .mp4 is refused", async () => {
  await withTempDir(async (dir) => {
    await makeClip(dir, { name: "someone-elses.mp4", seconds: 1 });
    const script = await writeText(
      dir,
      "upload.mp4",
      "ffconcat version 1.0\nfile someone-elses.mp4\nfile /etc/passwd\n",
    );
    const message = await probeFails(script, "not_a_video");
    assert(message.includes("ffconcat"), message);
  });
});

Deno.test("probe - a DASH manifest disguised as .mkv is refused", async () => {
  await withTempDir(async (dir) => {
    const mpd = await writeText(
      dir,
      "upload.mkv",
      `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" ` +
        `mediaPresentationDuration="PT1S"><Period><AdaptationSet><Representation id="0" ` +
        `bandwidth="1"><BaseURL>file:///etc/passwd</BaseURL></Representation></AdaptationSet>` +
        `</Period></MPD>\n`,
    );
    await probeFails(mpd, "not_a_video");
  });
});

Deno.test("probe - a name with a protocol prefix is still a local file", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, { seconds: 1, name: "x.mp4" });
    await Deno.mkdir(join(dir, "http:"));
    const odd = join(dir, "http:", "x.mp4");
    await Deno.rename(clip, odd);
    strictEqual((await probe(odd, { ffprobePath: FFPROBE })).formatName, "mov");
  });
});

Deno.test("probe - resolution over the limit is input_limits (422) naming the env vars", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 640,
      height: 360,
      seconds: 1,
      audio: false,
    });
    const message = await probeFails(clip, "input_limits", {
      ...LIMITS,
      maxWidth: 320,
      maxHeight: 240,
    });
    assert(message.includes("640x360"), message);
    assert(message.includes("MAX_INPUT_WIDTH/MAX_INPUT_HEIGHT"), message);
  });
});

Deno.test("probe - frame rate and duration limits", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      seconds: 3,
      fps: 60,
      audio: false,
      width: 160,
      height: 90,
    });
    const fps = await probeFails(clip, "input_limits", {
      ...LIMITS,
      maxFps: 30,
    });
    assert(fps.includes("MAX_INPUT_FPS"), fps);
    const long = await probeFails(clip, "input_limits", {
      ...LIMITS,
      maxDurationSec: 2,
    });
    assert(long.includes("MAX_DURATION_SEC"), long);
  });
});

Deno.test("probe - portrait 4K passes a landscape 4K limit", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 180,
      height: 320,
      seconds: 1,
      audio: false,
    });
    const info = await probe(clip, {
      ffprobePath: FFPROBE,
      limits: { ...LIMITS, maxWidth: 320, maxHeight: 180 },
    });
    strictEqual(info.video.displayHeight, 320);
  });
});
