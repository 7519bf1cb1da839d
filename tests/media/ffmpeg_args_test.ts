import {
  deepStrictEqual as assertEquals,
  ok as assert,
  strictEqual,
} from "node:assert/strict";
import type { MediaInfo } from "../../lib/media/mod.ts";
import {
  buildFfmpegArgs,
  FORMAT_WHITELIST,
  planLadder,
  planThumbnails,
} from "../../lib/media/mod.ts";

function info(overrides: Partial<MediaInfo> = {}): MediaInfo {
  return {
    formatName: "mov",
    durationSec: 60,
    bitRate: 3_000_000,
    sizeBytes: 22_500_000,
    video: {
      index: 0,
      codec: "h264",
      profile: "High",
      pixFmt: "yuv420p",
      bitDepth: 8,
      width: 1280,
      height: 720,
      displayWidth: 1280,
      displayHeight: 720,
      rotation: 0,
      sar: { num: 1, den: 1 },
      fps: 30,
      vfr: false,
      bitRate: 2_800_000,
      hdr: false,
      colorTransfer: null,
      colorPrimaries: null,
      colorSpace: null,
    },
    audio: {
      index: 1,
      codec: "aac",
      profile: "LC",
      channels: 2,
      sampleRate: 48000,
    },
    ...overrides,
  };
}

function args(i: MediaInfo, copyTopRung = false): string[] {
  return buildFfmpegArgs({
    input: "/data/uploads/x/original",
    info: i,
    renditions: planLadder(i, { copyTopRung }),
    outDir: "/data/streams/x.tmp-1",
    preset: "veryfast",
    posterAtSec: 6,
    posterWidth: 1280,
    posterHeight: 720,
    thumbnails: planThumbnails(i.durationSec, 1280, 720),
  });
}

/** The value following `flag` (first occurrence). */
function valueOf(list: string[], flag: string): string | undefined {
  const i = list.indexOf(flag);
  return i >= 0 ? list[i + 1] : undefined;
}

Deno.test("ffmpeg args - the input is guarded and its demuxer forced", () => {
  const a = args(info());
  const input = a.indexOf("-i");
  const before = a.slice(0, input);
  strictEqual(valueOf(before, "-protocol_whitelist"), "file");
  strictEqual(valueOf(before, "-format_whitelist"), FORMAT_WHITELIST);
  strictEqual(valueOf(before, "-f"), "mov");
  strictEqual(a[input + 1], "file:/data/uploads/x/original");
  strictEqual(a.filter((x) => x === "-i").length, 1, "one input, one decode");
});

Deno.test("ffmpeg args - one split feeds every rung, the poster and the sprite tiles", () => {
  const graph = valueOf(args(info()), "-filter_complex")!;
  assert(graph.startsWith("[0:0]split=5[s0][s1][s2][s3][s4];"), graph);
  for (const size of ["1280:720", "854:480", "640:360"]) {
    assert(
      graph.includes(
        `scale=${size},setsar=1,setdar=dar=16/9:max=100,format=yuv420p`,
      ),
      size,
    );
  }
  assert(graph.includes("[poster]") && graph.includes("[thumbs]"), graph);
});

Deno.test("ffmpeg args - per-stream profiles, fixed GOPs without scene cuts", () => {
  const a = args(info());
  assertEquals([
    valueOf(a, "-profile:v:0"),
    valueOf(a, "-profile:v:1"),
    valueOf(a, "-profile:v:2"),
  ], [
    "high",
    "main",
    "main",
  ]);
  assert(
    !a.includes("-profile:v") && !a.includes("-profile"),
    "no global profile",
  );
  strictEqual(
    valueOf(a, "-force_key_frames:v:1"),
    "expr:gte(t,n_forced*2)*lt(t,59.000)",
    "every 2 s, none in the last second (no sliver of a last segment)",
  );
  strictEqual(valueOf(a, "-sc_threshold:v:2"), "0");
  strictEqual(valueOf(a, "-seg_duration"), "4");
  strictEqual(valueOf(a, "-adaptation_sets"), "id=0,streams=v id=1,streams=3");
  assertEquals([valueOf(a, "-ac"), valueOf(a, "-ar"), valueOf(a, "-b:a")], [
    "2",
    "48000",
    "128000",
  ]);
  strictEqual(valueOf(a, "-map_metadata"), "-1");
});

Deno.test("ffmpeg args - every audio stream is mapped into an adaptation set of its own", () => {
  const track = (index: number, channels: number) => ({
    index,
    codec: "aac",
    profile: "LC",
    channels,
    sampleRate: 48000,
  });
  const streams = [track(1, 6), track(2, 1), track(4, 2)];
  const a = args(info({ audio: streams[0], audioStreams: streams }));
  const maps = a.flatMap((x, i) => x === "-map" ? [a[i + 1]] : []);
  assertEquals(maps.filter((m) => m.startsWith("0:")), ["0:1", "0:2", "0:4"]);
  // Three video rungs are output streams 0–2; the tracks follow as 3, 4, 5.
  strictEqual(
    valueOf(a, "-adaptation_sets"),
    "id=0,streams=v id=1,streams=3 id=2,streams=4 id=3,streams=5",
  );
  strictEqual(valueOf(a, "-ac"), "2", "5.1 downmixed, mono upmixed: stereo");
  // A probe stored before multi-track support lists only `audio`.
  strictEqual(
    valueOf(args(info()), "-adaptation_sets"),
    "id=0,streams=v id=1,streams=3",
  );
});

Deno.test("ffmpeg args - without audio there is no audio map or adaptation set", () => {
  const a = args(info({ audio: null }));
  strictEqual(valueOf(a, "-adaptation_sets"), "id=0,streams=v");
  assert(!a.includes("-c:a") && !a.includes("0:1"));
});

Deno.test("ffmpeg args - the copy fast path copies v:0 and keys the rest from the source", () => {
  const a = args(info(), true);
  strictEqual(valueOf(a, "-c:v:0"), "copy");
  assert(!a.includes("-profile:v:0") && !a.includes("-crf:v:0"));
  strictEqual(valueOf(a, "-force_key_frames:v:1"), "source");
  strictEqual(valueOf(a, "-force_key_frames:v:2"), "source");
  const graph = valueOf(a, "-filter_complex")!;
  assert(graph.startsWith("[0:0]split=4"), graph);
  assert(
    !graph.includes("scale=1280:720,setsar=1,setdar"),
    "the copied size is not encoded again",
  );
});

Deno.test("ffmpeg args - HDR is tone-mapped once before the split and tagged BT.709", () => {
  const i = info();
  i.video = {
    ...i.video,
    pixFmt: "yuv420p10le",
    bitDepth: 10,
    hdr: true,
    colorTransfer: "smpte2084",
  };
  const a = args(i);
  const graph = valueOf(a, "-filter_complex")!;
  const split = graph.indexOf("split=");
  assert(
    graph.indexOf("tonemap=tonemap=hable") < split &&
      graph.includes("tin=smpte2084"),
    graph,
  );
  strictEqual(valueOf(a, "-color_trc:v"), "bt709");
});

Deno.test("ffmpeg args - more than 60 fps is reduced to 60", () => {
  const i = info();
  i.video = { ...i.video, fps: 120 };
  assert(valueOf(args(i), "-filter_complex")!.startsWith("[0:0]fps=60,split="));
});
