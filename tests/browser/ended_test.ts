/// <reference lib="dom" />
/// Every player reaches the end: hls.js and dash.js play from 90 % to `ended` on a clip
/// 4 s × n + 2 frames long and on one whose audio outlasts its video.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { startServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import { uploadReady as upload } from "../integration/_api.ts";
import { launchBrowser, openWithEngine, withPage } from "./_browser.ts";

async function playToEnd(page: Page, url: string, engine: "hls" | "dash") {
  await openWithEngine(page, url, engine);
  await page.getByRole("button", { name: "Play video" }).click();
  await page.waitForFunction(
    () => document.querySelector("video")!.currentTime > 0.3,
    null,
    {
      timeout: 20_000,
    },
  );
  const ended = await page.evaluate(() =>
    new Promise<{ ended: boolean; at: number; duration: number }>((resolve) => {
      const v = document.querySelector("video")!;
      const done = () =>
        resolve({ ended: v.ended, at: v.currentTime, duration: v.duration });
      v.addEventListener("ended", done, { once: true });
      setTimeout(done, 15_000);
      v.currentTime = v.duration * 0.9;
      v.play().catch(() => {});
    })
  );
  assert.ok(
    ended.ended,
    `${engine}: stopped at ${ended.at} of ${ended.duration} s`,
  );
}

Deno.test({
  name:
    "ended - hls.js and dash.js play to the end of a 4 s × n + 2 frames clip and of audio that outlasts the video",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "reel-ended-" });
    await using server = await startServer();
    const browser = await launchBrowser();
    try {
      const tail = join(dir, "tail.mp4");
      await ffmpeg([
        "-f",
        "lavfi",
        "-i",
        `testsrc2=size=640x360:rate=30:duration=${8 + 2 / 30}`,
        "-f",
        "lavfi",
        "-i",
        `sine=sample_rate=48000:duration=${8 + 2 / 30}`,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        tail,
      ]);
      const longAudio = join(dir, "long-audio.mp4");
      await ffmpeg([
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=640x360:rate=30:duration=6",
        "-f",
        "lavfi",
        "-i",
        "sine=sample_rate=48000:duration=6.5",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        longAudio,
      ]);
      for (const clip of [tail, longAudio]) {
        const id = await upload(server, clip);
        for (const engine of ["hls", "dash"] as const) {
          await withPage(
            browser,
            (page) => playToEnd(page, `${server.url}/player/${id}`, engine),
            {
              allowErrors: true,
            },
          );
        }
      }
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
