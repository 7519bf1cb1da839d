import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import type { MediaInfo, VideoInfo } from "../../lib/media/mod.ts";
import { canCopyTopRung, planLadder } from "../../lib/media/mod.ts";

/** A MediaInfo for pure planning tests; display size = stored size unless overridden. */
function fakeInfo(
  width: number,
  height: number,
  video: Partial<VideoInfo> = {},
): MediaInfo {
  return {
    formatName: "mov",
    durationSec: 10,
    bitRate: 3_000_000,
    sizeBytes: 3_750_000,
    video: {
      index: 0,
      codec: "h264",
      profile: "High",
      pixFmt: "yuv420p",
      bitDepth: 8,
      width,
      height,
      displayWidth: width,
      displayHeight: height,
      rotation: 0,
      sar: { num: 1, den: 1 },
      fps: 30,
      vfr: false,
      bitRate: 2_800_000,
      hdr: false,
      colorTransfer: null,
      colorPrimaries: null,
      colorSpace: null,
      ...video,
    },
    audio: {
      index: 1,
      codec: "aac",
      profile: "LC",
      channels: 2,
      sampleRate: 48000,
    },
  };
}

const sizes = (info: MediaInfo): string[] =>
  planLadder(info).map((r) => `${r.width}x${r.height}`);

Deno.test("ladder - 1080p source gets 1080/720/480/360", () => {
  assertEquals(sizes(fakeInfo(1920, 1080)), [
    "1920x1080",
    "1280x720",
    "854x480",
    "640x360",
  ]);
});

Deno.test("ladder - 4K source is capped at 1080", () => {
  assertEquals(sizes(fakeInfo(3840, 2160))[0], "1920x1080");
  assertEquals(planLadder(fakeInfo(3840, 2160)).length, 4);
});

Deno.test("ladder - 900p source keeps 900 on top, then 720/480/360", () => {
  assertEquals(sizes(fakeInfo(1600, 900)), [
    "1600x900",
    "1280x720",
    "854x480",
    "640x360",
  ]);
});

Deno.test("ladder - 720p source gets 720/480/360", () => {
  assertEquals(sizes(fakeInfo(1280, 720)), ["1280x720", "854x480", "640x360"]);
});

Deno.test("ladder - never upscales a 240p source", () => {
  assertEquals(sizes(fakeInfo(426, 240)), ["426x240"]);
});

Deno.test("ladder - never upscales a 480p source, even by a pixel", () => {
  assertEquals(sizes(fakeInfo(853, 480)), ["852x480", "640x360"]);
});

Deno.test("ladder - portrait 720x1280 uses the width as the short side", () => {
  assertEquals(sizes(fakeInfo(720, 1280)), ["720x1280", "480x854", "360x640"]);
});

Deno.test("ladder - rotated video plans from the display size", () => {
  const info = fakeInfo(1280, 720, {
    rotation: 90,
    displayWidth: 720,
    displayHeight: 1280,
  });
  assertEquals(sizes(info), ["720x1280", "480x854", "360x640"]);
});

Deno.test("ladder - odd sizes become even", () => {
  for (const [w, h] of [[641, 361], [1279, 719], [333, 187], [1001, 1003]]) {
    for (const r of planLadder(fakeInfo(w, h))) {
      assert(
        r.width % 2 === 0 && r.height % 2 === 0,
        `${w}x${h} → ${r.width}x${r.height}`,
      );
      assert(
        r.width <= w && r.height <= h,
        `${w}x${h} upscaled to ${r.width}x${r.height}`,
      );
    }
  }
});

Deno.test("ladder - 4:3 keeps its aspect ratio", () => {
  assertEquals(sizes(fakeInfo(1440, 1080)), [
    "1440x1080",
    "960x720",
    "640x480",
    "480x360",
  ]);
});

Deno.test("ladder - bit rates follow the reference table and fall with size", () => {
  const rates = planLadder(fakeInfo(1920, 1080)).map((r) => r.videoBitrate);
  assertEquals(rates, [5_000_000, 2_800_000, 1_400_000, 800_000]);
  const small = planLadder(fakeInfo(426, 240))[0].videoBitrate;
  assert(small < 800_000 && small >= 100_000, String(small));
  for (const r of planLadder(fakeInfo(1920, 1080))) {
    assert(r.maxrate >= r.videoBitrate && r.bufsize >= r.maxrate);
    assertEquals(r.audioBitrate, 128_000);
  }
});

Deno.test("ladder - no audio means no audio bit rate", () => {
  const info = { ...fakeInfo(640, 360), audio: null };
  assertEquals(planLadder(info)[0].audioBitrate, 0);
});

Deno.test("ladder - copy flag only on the top rung when asked", () => {
  const rungs = planLadder(fakeInfo(1280, 720), { copyTopRung: true });
  assertEquals(rungs.map((r) => r.copy), [true, false, false]);
  assertEquals(rungs[0].videoBitrate, 2_800_000);
});

Deno.test("ladder - fast path accepts a plain H.264 720p source with 2 s GOPs", () => {
  assert(canCopyTopRung(fakeInfo(1280, 720), [2, 2, 2, 2]));
});

Deno.test("ladder - fast path refuses what the copy would break", () => {
  const gop = [2, 2, 2];
  const cases: [string, MediaInfo, number[]][] = [
    ["hevc", fakeInfo(1280, 720, { codec: "hevc" }), gop],
    [
      "10-bit",
      fakeInfo(1280, 720, { pixFmt: "yuv420p10le", bitDepth: 10 }),
      gop,
    ],
    [
      "rotated",
      fakeInfo(1280, 720, {
        rotation: 90,
        displayWidth: 720,
        displayHeight: 1280,
      }),
      gop,
    ],
    ["anamorphic", fakeInfo(1280, 720, { sar: { num: 4, den: 3 } }), gop],
    ["60 fps", fakeInfo(1280, 720, { fps: 60 }), gop],
    ["4K (top rung is scaled)", fakeInfo(3840, 2160), gop],
    ["long GOP", fakeInfo(1280, 720), [8.3, 8.3]],
    ["irregular GOP", fakeInfo(1280, 720), [4, 1, 4, 0.5]],
    ["avi", { ...fakeInfo(1280, 720), formatName: "avi" }, gop],
    ["HDR", fakeInfo(1280, 720, { hdr: true }), gop],
  ];
  for (const [why, info, intervals] of cases) {
    assertEquals(canCopyTopRung(info, intervals), false, why);
  }
});
