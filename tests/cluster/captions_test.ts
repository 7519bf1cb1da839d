/// Captions on the scale-out backends: a real server on PostgreSQL (`DATABASE_URL`) and S3
/// (OpenStack Swift with s3api) keeps the WebVTT in the bucket and the record in the
/// database, serves both manifests with the caption, refuses a bad file leaving no object,
/// and removes the caption's object when the caption and when the video is deleted.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import { waitFor } from "../integration/_api.ts";
import { createDatabase, startPostgres } from "../store/_postgres.ts";
import { s3Env, startSwift } from "../storage/_swift.ts";
import { S3BlobStore } from "../../lib/storage/mod.ts";

const SRT = "1\n00:00:01,000 --> 00:00:02,000\nHallo\n";

Deno.test({
  name:
    "captions backends - PostgreSQL + S3: stored, served in both manifests, bad files leave nothing, deletes remove the object",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "reel-captions-s3-" });
    const pg = await startPostgres();
    const swift = await startSwift();
    const db = await createDatabase(pg);
    const bucket = `reel-captions-${crypto.randomUUID().slice(0, 8)}`;
    try {
      await using s = await startServer({
        env: {
          DATABASE_URL: db.url,
          SIGNING_SECRET: "captions-test-signing-secret-0123456789",
          ...s3Env(swift, bucket, tmp),
        },
      });
      const s3 = await S3BlobStore.open({
        bucket,
        endpoint: swift.endpoint,
        region: swift.region,
        credentials: {
          accessKeyId: swift.accessKeyId,
          secretAccessKey: swift.secretAccessKey,
        },
        createBucket: false,
      });
      try {
        const clip = join(tmp, "clip.mp4");
        await ffmpeg([
          "-f",
          "lavfi",
          "-i",
          "testsrc2=size=320x180:rate=30:duration=4",
          "-c:v",
          "libx264",
          "-preset",
          "ultrafast",
          "-pix_fmt",
          "yuv420p",
          clip,
        ]);
        const form = new FormData();
        form.append("file", new Blob([await Deno.readFile(clip)]), "clip.mp4");
        const up = await fetch(`${s.url}/api/videos`, {
          method: "POST",
          body: form,
        });
        assert.equal(up.status, 202);
        const { id } = await up.json();
        assert.equal((await waitFor(s, id)).last.status, "ready");
        const captionKeys = async () =>
          (await s3.list("")).map((b) => b.key).filter((k) =>
            k.includes(`captions/${id}/`)
          );

        const send = async (name: string, text: string | Uint8Array) => {
          const f = new FormData();
          f.append("file", new Blob([text as BlobPart]), name);
          f.append("lang", "de");
          return await fetch(`${s.url}/api/videos/${id}/captions`, {
            method: "POST",
            body: f,
          });
        };
        const bad = await send("x.vtt", new Uint8Array([1, 0, 2, 3]));
        assert.equal(bad.status, 415);
        await bad.body?.cancel();
        assert.deepEqual(
          await captionKeys(),
          [],
          "a refused file leaves no object",
        );

        const ok = await send("de.srt", SRT);
        assert.equal(ok.status, 201, await ok.clone().text());
        await ok.body?.cancel();
        assert.equal((await captionKeys()).length, 1);
        const vtt = await fetch(`${s.url}/stream/${id}/captions/de.vtt`);
        assert.equal(vtt.status, 200);
        assert.equal(
          await vtt.text(),
          "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHallo\n",
        );
        const master = await (await fetch(`${s.url}/stream/${id}/master.m3u8`))
          .text();
        assert.match(master, /TYPE=SUBTITLES,GROUP-ID="subs",NAME="German"/);
        const mpd = await (await fetch(`${s.url}/stream/${id}/manifest.mpd`))
          .text();
        assert.match(mpd, /mimeType="text\/vtt" lang="de"/);
        const video = await (await fetch(`${s.url}/api/videos/${id}`)).json();
        assert.deepEqual(video.captions, [{
          lang: "de",
          label: null,
          url: `/stream/${id}/captions/de.vtt`,
        }]);

        const del = await fetch(`${s.url}/api/videos/${id}/captions/de`, {
          method: "DELETE",
        });
        assert.equal(del.status, 204);
        assert.deepEqual(await captionKeys(), []);
        assert.equal((await send("de.srt", SRT)).status, 201);
        assert.equal(
          (await fetch(`${s.url}/api/videos/${id}`, { method: "DELETE" }))
            .status,
          204,
        );
        assert.deepEqual(await s3.list(""), [], "no object left in the bucket");
      } finally {
        s3.close();
      }
    } finally {
      await db.drop().catch(() => {});
      await swift.stop();
      await pg.stop();
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  },
});
