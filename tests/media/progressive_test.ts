/// Progressive publishing: the first rendition is published while it is written, and every
/// published playlist lists only segments already published, as EVENT until it is complete.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  probe,
  type PublishFile,
  transcode,
  type TranscodeResult,
} from "../../lib/media/mod.ts";
import { FFMPEG, FFPROBE, makeClip, withTempDir } from "./_clips.ts";

interface Snapshot {
  /** Names published so far, after this call. */
  names: Set<string>;
  /** The playlists of this call: name → text. */
  playlists: Map<string, string>;
}

/** Transcodes `clip`, copying every published file into `pub` and recording each call. */
async function publishRun(dir: string, clip: string): Promise<{
  result: TranscodeResult;
  snapshots: Snapshot[];
  pub: string;
  out: string;
  plan: { width: number; height: number }[];
  ready: [number, number][];
}> {
  const info = await probe(clip, { ffprobePath: FFPROBE });
  const pub = join(dir, "pub");
  const out = join(dir, "out");
  await Deno.mkdir(pub);
  const names = new Set<string>();
  const snapshots: Snapshot[] = [];
  let plan: { width: number; height: number }[] = [];
  const ready: [number, number][] = [];
  const result = await transcode({
    input: clip,
    info,
    outDir: out,
    ffmpegPath: FFMPEG,
    ffprobePath: FFPROBE,
    onPlan: (sizes) => {
      plan = sizes;
      return Promise.resolve();
    },
    onPublish: async (files: PublishFile[]) => {
      const playlists = new Map<string, string>();
      for (const f of files) {
        await Deno.copyFile(f.path, join(pub, f.name));
        names.add(f.name);
        if (f.name.endsWith(".m3u8")) {
          playlists.set(f.name, await Deno.readTextFile(f.path));
        }
      }
      snapshots.push({ names: new Set(names), playlists });
    },
    onRenditionReady: (index, bitrate) => {
      ready.push([index, bitrate]);
      return Promise.resolve();
    },
  });
  return { result, snapshots, pub, out, plan, ready };
}

const uris = (text: string) =>
  text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));

function checkSnapshots(snapshots: Snapshot[]): void {
  for (const s of snapshots) {
    for (const [name, text] of s.playlists) {
      const listed = name === "master.m3u8"
        ? uris(text)
        : [/#EXT-X-MAP:URI="([^"]+)"/.exec(text)![1], ...uris(text)];
      for (const u of listed) {
        assert.ok(s.names.has(u), `${name} lists ${u} before it was published`);
      }
      if (name !== "master.m3u8") {
        assert.match(text, /#EXT-X-PLAYLIST-TYPE:EVENT/);
        assert.match(text, /#EXT-X-START:TIME-OFFSET=0/);
        assert.match(text, /#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES/);
        assert.doesNotMatch(text, /PROGRAM-DATE-TIME/);
      }
    }
  }
}

Deno.test("progressive - a re-encoded source publishes its lowest rung first, growing as EVENT", async () => {
  await withTempDir(async (dir) => {
    // x264's default GOP: not copyable, so the lowest rung is encoded ahead of the rest.
    const clip = await makeClip(dir, { width: 1280, height: 720, seconds: 14 });
    const run = await publishRun(dir, clip);
    assert.deepEqual(run.plan.map((r) => r.height), [720, 480, 360]);
    assert.equal(run.result.copiedTopRung, false);
    checkSnapshots(run.snapshots);

    // The poster comes first, then the 360p rendition (final index 2) and the audio (3).
    assert.equal([...run.snapshots[0].names][0], "poster.jpg");
    const withMaster = run.snapshots.find((s) =>
      s.playlists.has("master.m3u8")
    )!;
    const master = withMaster.playlists.get("master.m3u8")!;
    assert.deepEqual(
      uris(master),
      ["media_2.m3u8"],
      "only the rendition with media",
    );
    assert.match(master, /RESOLUTION=640x360/);
    assert.match(master, /URI="media_3.m3u8"/);

    // It grew: several publishes of media_2 before the last one, which ends the list.
    const versions = run.snapshots.flatMap((s) =>
      s.playlists.has("media_2.m3u8") ? [s.playlists.get("media_2.m3u8")!] : []
    );
    assert.ok(versions.length >= 2, `published ${versions.length} times`);
    assert.doesNotMatch(versions[0], /#EXT-X-ENDLIST/);
    assert.match(versions.at(-1)!, /#EXT-X-ENDLIST/);
    assert.ok(
      uris(versions[0]).length < uris(versions.at(-1)!).length,
      "the first version lists fewer segments than the last",
    );
    assert.ok(run.result.firstPublishSec! < run.result.elapsedSec);
    assert.equal(
      run.ready[0][0],
      2,
      "the first rendition is ready before the rest",
    );

    // Published segments are the final ones, byte for byte (they are cached as immutable).
    for (const name of run.snapshots.at(-1)!.names) {
      if (!name.endsWith(".m4s")) continue;
      const a = await Deno.readFile(join(run.pub, name));
      const b = await Deno.readFile(join(run.out, name));
      assert.deepEqual(a, b, `${name} changed after it was published`);
    }
    // The final folder is complete and VOD: every rendition in the master.
    const final = await Deno.readTextFile(join(run.out, "master.m3u8"));
    assert.deepEqual(uris(final), [
      "media_0.m3u8",
      "media_1.m3u8",
      "media_2.m3u8",
    ]);
    for (const i of [0, 1, 2, 3]) {
      const text = await Deno.readTextFile(join(run.out, `media_${i}.m3u8`));
      assert.match(text, /#EXT-X-PLAYLIST-TYPE:VOD/);
      assert.match(text, /#EXT-X-ENDLIST/);
    }
  });
});

Deno.test("progressive - a copy-eligible source publishes its top rung first, remuxed", async () => {
  await withTempDir(async (dir) => {
    const clip = await makeClip(dir, {
      width: 854,
      height: 480,
      seconds: 10,
      gop: 60,
      noSceneCut: true,
    });
    const run = await publishRun(dir, clip);
    assert.equal(run.result.copiedTopRung, true);
    checkSnapshots(run.snapshots);
    const master = run.snapshots.find((s) => s.playlists.has("master.m3u8"))!
      .playlists.get("master.m3u8")!;
    assert.deepEqual(uris(master), ["media_0.m3u8"]);
    assert.match(master, /RESOLUTION=854x480/);
    assert.equal(run.ready[0][0], 0);
    const mpd = await Deno.readTextFile(join(run.out, "manifest.mpd"));
    assert.equal(
      mpd.match(/<Representation /g)?.length,
      3,
      "two video + audio",
    );
  });
});
