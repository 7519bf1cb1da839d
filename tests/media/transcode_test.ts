import {
  deepStrictEqual as assertEquals,
  ok as assert,
  rejects,
  strictEqual,
} from "node:assert/strict";
import { join } from "node:path";
import {
  isProcessAlive,
  type MediaInfo,
  probe,
  transcode,
  type TranscodeResult,
} from "../../lib/media/mod.ts";
import {
  FFMPEG,
  FFPROBE,
  ffprobeJson,
  makeClip,
  withTempDir,
} from "./_clips.ts";
import {
  keyframeTimes,
  mpdRepresentations,
  parseMaster,
  playlistSegments,
  segmentStarts,
  videoPackets,
} from "./_streams.ts";

/** Probes `clip` and transcodes it into `dir/out`. */
async function run(
  dir: string,
  clip: string,
  extra: { onProgress?: (f: number) => void } = {},
): Promise<{ info: MediaInfo; result: TranscodeResult; out: string }> {
  const info = await probe(clip, { ffprobePath: FFPROBE });
  const out = join(dir, "out");
  const result = await transcode({
    input: clip,
    info,
    outDir: out,
    ffmpegPath: FFMPEG,
    ffprobePath: FFPROBE,
    ...extra,
  });
  return { info, result, out };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** First video stream of a file as ffprobe reports it. */
async function videoStream(path: string): Promise<Record<string, unknown>> {
  const json = await ffprobeJson([
    "-select_streams",
    "v:0",
    "-show_streams",
    path,
  ]);
  return (json.streams as Record<string, unknown>[])[0];
}

/** Asserts every rendition's segments start on keyframes at the same times. */
async function assertAligned(
  out: string,
  videoReps: number,
  scratch: string,
): Promise<void> {
  const keyframes = [];
  const starts = [];
  for (let id = 0; id < videoReps; id++) {
    keyframes.push(await keyframeTimes(out, id, scratch));
    starts.push(await segmentStarts(out, id, scratch));
  }
  for (let id = 0; id < videoReps; id++) {
    assert(
      starts[id].every((s) => s.key),
      `rendition ${id}: a segment starts without keyframe`,
    );
    assertEquals(
      starts[id].map((s) => s.pts.toFixed(3)),
      starts[0].map((s) => s.pts.toFixed(3)),
    );
    assertEquals(
      keyframes[id].map((t) => t.toFixed(3)),
      keyframes[0].map((t) => t.toFixed(3)),
    );
  }
}

Deno.test("transcode - 720p with audio: 3 aligned rungs shared by HLS and DASH", async (t) => {
  await withTempDir(async (dir) => {
    // A long-GOP source (one keyframe every 250 frames) must still come out aligned.
    const clip = await makeClip(dir, {
      width: 1280,
      height: 720,
      seconds: 6,
      gop: 250,
    });
    const progress: number[] = [];
    const started = performance.now();
    const { result, out } = await run(dir, clip, {
      onProgress: (f) => progress.push(f),
    });
    console.log(
      `720p 6 s clip transcoded in ${
        ((performance.now() - started) / 1000).toFixed(2)
      } s`,
    );

    await t.step("the ladder is 720/480/360, encoded (not copied)", () => {
      assertEquals(result.renditions.map((r) => `${r.width}x${r.height}`), [
        "1280x720",
        "854x480",
        "640x360",
      ]);
      strictEqual(result.copiedTopRung, false);
      assert(
        Math.abs(result.durationSec - 6) < 0.2,
        String(result.durationSec),
      );
      for (const r of result.renditions) {
        assert(r.bitrate > 128_000, JSON.stringify(r));
      }
    });

    await t.step(
      "master.m3u8 has measured BANDWIDTH, RESOLUTION and CODECS per variant",
      async () => {
        const variants = parseMaster(
          await Deno.readTextFile(join(out, "master.m3u8")),
        );
        assertEquals(variants.map((v) => v.attrs.RESOLUTION), [
          "1280x720",
          "854x480",
          "640x360",
        ]);
        for (const [i, v] of variants.entries()) {
          assert(
            /^avc1\.[0-9a-f]{6},mp4a\.40\.2$/.test(v.attrs.CODECS),
            v.attrs.CODECS,
          );
          const peak = Number(v.attrs.BANDWIDTH);
          const avg = Number(v.attrs["AVERAGE-BANDWIDTH"]);
          assert(peak >= avg && avg > 0, JSON.stringify(v.attrs));
          strictEqual(avg, result.renditions[i].bitrate);
          strictEqual(v.attrs.AUDIO, "group_A1");
        }
        assert(
          variants[0].attrs.CODECS.startsWith("avc1.64"),
          "top rung is High profile",
        );
        assert(
          variants[2].attrs.CODECS.startsWith("avc1.4d"),
          "360p is Main profile",
        );
      },
    );

    await t.step(
      "manifest.mpd lists the same renditions and the audio",
      async () => {
        const reps = mpdRepresentations(
          await Deno.readTextFile(join(out, "manifest.mpd")),
        );
        assertEquals(reps.map((r) => r.width && `${r.width}x${r.height}`), [
          "1280x720",
          "854x480",
          "640x360",
          undefined,
        ]);
        strictEqual(reps[3].mimeType, "audio/mp4");
        strictEqual(reps[3].audioSamplingRate, "48000");
      },
    );

    await t.step(
      "HLS and DASH reference the same .m4s files, all present",
      async () => {
        const mpd = await Deno.readTextFile(join(out, "manifest.mpd"));
        assert(
          mpd.includes('media="chunk-$RepresentationID$-$Number%05d$.m4s"'),
        );
        assert(mpd.includes('initialization="init-$RepresentationID$.m4s"'));
        const files = new Set<string>();
        for (let id = 0; id < 4; id++) {
          const segs = playlistSegments(
            await Deno.readTextFile(join(out, `media_${id}.m3u8`)),
          );
          assert(segs.length >= 2, `media_${id} has ${segs.length} segments`);
          segs.forEach((s, n) =>
            strictEqual(s, `chunk-${id}-${String(n + 1).padStart(5, "0")}.m4s`)
          );
          segs.forEach((s) => files.add(s));
        }
        for (const f of files) assert(await exists(join(out, f)), f);
        const onDisk = [...Deno.readDirSync(out)].map((e) => e.name).filter((
          n,
        ) => n.startsWith("chunk-"));
        assertEquals(onDisk.sort(), [...files].sort());
      },
    );

    await t.step(
      "every segment starts on a keyframe at the same time in every rung",
      async () => {
        const scratch = await Deno.makeTempDir({ dir });
        await assertAligned(out, 3, scratch);
        const keys = await keyframeTimes(out, 0, scratch);
        assertEquals(keys.map((k) => Math.round(k - keys[0])), [0, 2, 4]);
      },
    );

    await t.step(
      "the renditions decode as 8-bit 4:2:0 H.264 with square pixels",
      async () => {
        const scratch = await Deno.makeTempDir({ dir });
        const { joinRepresentation } = await import("./_streams.ts");
        const s = await videoStream(
          await joinRepresentation(out, 1, join(scratch, "r1.mp4")),
        );
        assertEquals([s.codec_name, s.pix_fmt, s.width, s.height], [
          "h264",
          "yuv420p",
          854,
          480,
        ]);
      },
    );

    await t.step(
      "poster.jpg, thumbs.jpg and thumbs.vtt exist and agree",
      async () => {
        const poster = await videoStream(join(out, "poster.jpg"));
        assertEquals([poster.width, poster.height], [1280, 720]);
        const sprite = await videoStream(join(out, "thumbs.jpg"));
        const vtt = await Deno.readTextFile(join(out, "thumbs.vtt"));
        assert(vtt.startsWith("WEBVTT\n"));
        const cues = [
          ...vtt.matchAll(/thumbs\.jpg#xywh=(\d+),(\d+),(\d+),(\d+)/g),
        ].map((m) => m.slice(1).map(Number));
        strictEqual(cues.length, 6);
        for (const [x, y, w, h] of cues) {
          assert(
            x + w <= Number(sprite.width) && y + h <= Number(sprite.height),
            `${x},${y}`,
          );
          assertEquals([w, h], [160, 90]);
        }
      },
    );

    await t.step("progress rises monotonically and ends at 1", () => {
      assert(progress.length >= 1);
      progress.forEach((p, i) =>
        assert(p >= 0 && p <= 1 && (i === 0 || p > progress[i - 1]))
      );
      strictEqual(progress.at(-1), 1);
    });

    await t.step("no temporary folder is left behind", () => {
      const names = [...Deno.readDirSync(dir)].map((e) => e.name);
      assert(!names.some((n) => n.includes(".tmp-")), names.join());
    });
  });
});

Deno.test("transcode - 240p source gets a single rung", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 426,
      height: 240,
      seconds: 2,
      gop: 250,
    });
    const { result, out } = await run(dir, clip);
    assertEquals(result.renditions.map((r) => `${r.width}x${r.height}`), [
      "426x240",
    ]);
    const variants = parseMaster(
      await Deno.readTextFile(join(out, "master.m3u8")),
    );
    strictEqual(variants.length, 1);
  });
});

Deno.test("transcode - portrait 9:16 without audio: portrait rungs, no audio set", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 480,
      height: 854,
      seconds: 2,
      audio: false,
    });
    const { result, out } = await run(dir, clip);
    assertEquals(result.renditions.map((r) => `${r.width}x${r.height}`), [
      "480x854",
      "360x640",
    ]);
    const mpd = await Deno.readTextFile(join(out, "manifest.mpd"));
    assert(!mpd.includes('contentType="audio"'), "no audio adaptation set");
    const master = await Deno.readTextFile(join(out, "master.m3u8"));
    assert(!master.includes("TYPE=AUDIO"), master);
    for (const v of parseMaster(master)) {
      assert(!v.attrs.CODECS.includes("mp4a"), v.attrs.CODECS);
    }
  });
});

Deno.test("transcode - a display-matrix rotation is applied once and not signalled again", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 640,
      height: 360,
      seconds: 2,
      rotate: 90,
    });
    const { result, out } = await run(dir, clip);
    strictEqual(result.copiedTopRung, false);
    assertEquals(result.renditions.map((r) => `${r.width}x${r.height}`), [
      "360x640",
    ]);
    const { joinRepresentation } = await import("./_streams.ts");
    const joined = await joinRepresentation(out, 0, join(dir, "r0.mp4"));
    const s = await videoStream(joined);
    assertEquals([s.width, s.height], [360, 640]);
    const side = (s.side_data_list ?? []) as { rotation?: number }[];
    assert(side.every((d) => !d.rotation), JSON.stringify(side));
    const poster = await videoStream(join(out, "poster.jpg"));
    assertEquals([poster.width, poster.height], [360, 640]);
  });
});

Deno.test("transcode - 10-bit HDR10 becomes 8-bit 4:2:0 BT.709 H.264", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 640,
      height: 360,
      seconds: 2,
      pixFmt: "yuv420p10le",
      hdr: true,
    });
    const { out } = await run(dir, clip);
    const { joinRepresentation } = await import("./_streams.ts");
    const s = await videoStream(
      await joinRepresentation(out, 0, join(dir, "r0.mp4")),
    );
    assertEquals([s.codec_name, s.profile, s.pix_fmt, s.color_transfer], [
      "h264",
      "Main",
      "yuv420p",
      "bt709",
    ]);
  });
});

Deno.test("transcode - 10-bit SDR becomes 8-bit 4:2:0", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 320,
      height: 180,
      seconds: 2,
      pixFmt: "yuv420p10le",
    });
    const { result, out } = await run(dir, clip);
    strictEqual(result.copiedTopRung, false);
    const { joinRepresentation } = await import("./_streams.ts");
    const s = await videoStream(
      await joinRepresentation(out, 0, join(dir, "r0.mp4")),
    );
    assertEquals([s.codec_name, s.pix_fmt], ["h264", "yuv420p"]);
  });
});

Deno.test("transcode - fast path copies a suitable H.264 top rung and stays aligned", async () => {
  await withTempDir(async (dir) => {
    // 2 s GOPs, no scene cuts: what a camera or an earlier encode typically gives.
    const clip = await makeClip(dir, {
      width: 854,
      height: 480,
      seconds: 6,
      gop: 60,
      noSceneCut: true,
    });
    const { result, out } = await run(dir, clip);
    strictEqual(result.copiedTopRung, true);
    assertEquals(result.renditions.map((r) => `${r.width}x${r.height}`), [
      "854x480",
      "640x360",
    ]);
    const scratch = await Deno.makeTempDir({ dir });
    await assertAligned(out, 2, scratch);
    // The copied rung carries the source's packets unchanged.
    const { joinRepresentation } = await import("./_streams.ts");
    const joined = await joinRepresentation(out, 0, join(scratch, "copy.mp4"));
    const sizes = async (path: string): Promise<string[]> => {
      const json = await ffprobeJson([
        "-select_streams",
        "v:0",
        "-show_entries",
        "packet=size",
        path,
      ]);
      return (json.packets as { size: string }[]).map((p) => p.size);
    };
    assertEquals(await sizes(joined), await sizes(clip));
    const keys = (await videoPackets(joined)).filter((p) => p.key).length;
    strictEqual(keys, 3);
  });
});

Deno.test("transcode - aborting kills ffmpeg and leaves nothing behind", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 1280,
      height: 720,
      seconds: 6,
      gop: 250,
    });
    const info = await probe(clip, { ffprobePath: FFPROBE });
    const controller = new AbortController();
    let pid = 0;
    const out = join(dir, "out");
    const job = transcode({
      input: clip,
      info,
      outDir: out,
      ffmpegPath: FFMPEG,
      signal: controller.signal,
      onSpawn: (p) => {
        pid = p;
        setTimeout(() => controller.abort(), 300);
      },
    });
    await rejects(job, (err: unknown) => (err as Error).name === "AbortError");
    assert(pid > 0);
    strictEqual(isProcessAlive(pid), false);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert(!names.some((n) => n.startsWith("out")), names.join());
  });
});

Deno.test("transcode - a corrupt input fails with a readable reason and leaves nothing", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, { seconds: 2 });
    const info = await probe(clip, { ffprobePath: FFPROBE });
    // The file changes after it was accepted: garbage where the video was.
    await Deno.writeFile(clip, crypto.getRandomValues(new Uint8Array(4096)));
    const out = join(dir, "out");
    await rejects(
      transcode({ input: clip, info, outDir: out, ffmpegPath: FFMPEG }),
      (err: unknown) => {
        const message = (err as Error).message;
        assert(/^ffmpeg failed: \S/.test(message), message);
        assert(!message.includes("Conversion failed"), message);
        assert(!message.includes(dir), `leaks a server path: ${message}`);
        return true;
      },
    );
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert(!names.some((n) => n.startsWith("out")), names.join());
  });
});
