/**
 * A phone-like recording through the whole API: variable frame rate, portrait, with audio.
 * The result must be ready with aligned renditions (identical keyframe times, every segment
 * starting on a keyframe).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import { keyframeTimes, segmentStarts } from "../media/_streams.ts";
import { uploadMultipart, waitFor } from "./_api.ts";

Deno.test("phone video - variable frame rate portrait video comes out aligned across rungs", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "reel-vfr-" });
  try {
    const clip = join(tmp, "phone.mp4");
    // 30 fps for 2 s, then 20 fps, then 30 again (timestamps as a phone writes them).
    await ffmpeg([
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=480x854:rate=30",
      "-f",
      "lavfi",
      "-i",
      "sine=frequency=330:sample_rate=44100",
      "-t",
      "7",
      "-vf",
      "setpts='if(lt(N,60),N/30,if(lt(N,120),2+(N-60)/20,5+(N-120)/30))/TB'",
      "-fps_mode",
      "vfr",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-shortest",
      clip,
    ]); // deno-fmt-ignore
    await using s = await startServer();
    const up = await uploadMultipart(s, clip, "VID_20261127.mp4");
    assert.equal(up.status, 202, JSON.stringify(up.body));
    const { last } = await waitFor(s, up.body.id as string);
    assert.equal(last.status, "ready", last.error ?? "");
    assert.deepEqual(last.renditions.map((r) => [r.width, r.height]), [[
      480,
      854,
    ], [360, 640]]);

    const dir = join(s.dataDir, "streams", last.id);
    const kf0 = await keyframeTimes(dir, 0, tmp);
    const kf1 = await keyframeTimes(dir, 1, tmp);
    assert.ok(kf0.length >= 3);
    assert.deepEqual(
      kf1.map((t) => t.toFixed(3)),
      kf0.map((t) => t.toFixed(3)),
    );
    for (const id of [0, 1]) {
      const starts = await segmentStarts(dir, id, tmp);
      assert.ok(
        starts.every((p) => p.key),
        `every segment of rendition ${id} starts on a keyframe`,
      );
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
