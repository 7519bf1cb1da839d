/// <reference lib="dom" />
/// Both engines place every frame at the same time: a clip whose frames carry their own
/// number (as brightness) is played with hls.js and with dash.js, paused at the same
/// times, and the frame shown is read back from the picture. B-frames give the encoded
/// rungs a composition delay (an edit list in the init segment); a player that placed the
/// media by its raw timestamps would show a different frame.
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { startServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import { uploadReady } from "../integration/_api.ts";
import { launchBrowser, openWithEngine, withPage } from "./_browser.ts";

const FPS = 25;
/** Frame n has luma (n mod 20) × STEP + BASE (inside video range 16…235). */
const STEP = 10;
const BASE = 24;
const TIMES = [1.02, 2.5, 4.3, 7.9, 9.26];

/** The frame number (mod 20) shown at each of TIMES, read from the centre of the picture. */
async function framesAt(page: Page, times: number[]): Promise<number[]> {
  return await page.evaluate(
    async ({ times, step, base }) => {
      const v = document.querySelector("video")!;
      v.pause();
      const canvas = document.createElement("canvas");
      canvas.width = 16;
      canvas.height = 16;
      const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
      const out: number[] = [];
      for (const t of times) {
        await new Promise<void>((resolve) => {
          v.addEventListener("seeked", () => resolve(), { once: true });
          v.currentTime = t;
        });
        // The frame for the new position is on screen once a frame callback ran.
        await new Promise<void>((resolve) => {
          v.requestVideoFrameCallback(() => resolve());
          setTimeout(resolve, 500);
        });
        ctx.drawImage(
          v,
          v.videoWidth / 2 - 8,
          v.videoHeight / 2 - 8,
          16,
          16,
          0,
          0,
          16,
          16,
        );
        // The canvas holds full-range RGB: back to the video-range luma.
        const px = ctx.getImageData(8, 8, 1, 1).data;
        out.push(Math.round((px[0] * 219 / 255 + 16 - base) / step));
      }
      return out;
    },
    { times, step: STEP, base: BASE },
  );
}

/** The media_time of the first edit list entry of an init segment (0 without one). */
function editListShift(init: Uint8Array): number {
  const at = new TextDecoder("latin1").decode(init).indexOf("elst");
  if (at < 0) return 0;
  const view = new DataView(init.buffer, init.byteOffset + at + 4);
  const version = view.getUint8(0);
  // version, flags (4), entry count (4), then segment_duration and media_time.
  return version === 1 ? Number(view.getBigInt64(16)) : view.getInt32(12);
}

/** A 10 s clip whose frames carry their number, H.264 with `x264` options, and AAC. */
async function numberedClip(
  path: string,
  size: string,
  x264: string[],
): Promise<void> {
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `color=c=black:size=${size}:rate=${FPS}:duration=10`,
    "-f",
    "lavfi",
    "-i",
    "sine=sample_rate=48000:duration=10",
    "-vf",
    `geq=lum='mod(N\\,20)*${STEP}+${BASE}':cb=128:cr=128`,
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    ...x264,
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    path,
  ]);
}

/** Plays `id` with `engine` (at `quality`, or the engine's own choice) and reads the frames. */
async function framesWith(
  browser: Browser,
  url: string,
  engine: "hls" | "dash",
  quality: string | null,
): Promise<number[]> {
  return await withPage(browser, async (page) => {
    await openWithEngine(page, url, engine);
    await page.getByRole("button", { name: "Play video" }).click();
    await page.waitForFunction(
      () => document.querySelector("video")!.currentTime > 0.3,
      null,
      { timeout: 20_000 },
    );
    if (quality) {
      await page.locator("select[aria-label=Quality]").selectOption({
        label: quality,
      });
      await page.waitForFunction(
        (h) => document.querySelector("video")!.videoHeight === h,
        Number(quality.replace("p", "")),
        { timeout: 20_000 },
      );
    }
    return await framesAt(page, TIMES);
  });
}

const expected = TIMES.map((t) => Math.floor(t * FPS + 1e-6) % 20);

Deno.test({
  name:
    "placement - hls.js and dash.js show the source's frame at the same times on a copied top rung (one B-frame) and an encoded rung (x264's B-frame delay): edit lists applied alike",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "reel-placement-" });
    await using server = await startServer();
    const browser = await launchBrowser();
    try {
      const clip = join(dir, "copyable.mp4");
      // Copy-eligible: a keyframe every 2 s exactly; one B-frame (a shorter delay than the
      // encoded rungs' two).
      await numberedClip(clip, "854x480", [
        ...["-bf", "1", "-g", "50", "-keyint_min", "50", "-sc_threshold", "0"],
      ]);
      const id = await uploadReady(server, clip);
      const url = `${server.url}/player/${id}`;
      const shifts = [];
      for (const rep of [0, 1]) {
        const init = new Uint8Array(
          await (await fetch(`${server.url}/stream/${id}/init-${rep}.m4s`))
            .arrayBuffer(),
        );
        shifts.push(editListShift(init));
      }
      // The encoded rung starts with a composition delay its edit list takes back; the
      // copied rung keeps the source's, a different one.
      assert.ok(
        shifts[1] > 0,
        `the encoded rung's edit list shift ${shifts[1]}`,
      );
      assert.notEqual(shifts[0], shifts[1], `edit list shifts ${shifts}`);
      for (const engine of ["hls", "dash"] as const) {
        for (const quality of ["480p", "360p"]) {
          assert.deepEqual(
            await framesWith(browser, url, engine, quality),
            expected,
            `${engine} at ${quality} (edit list shifts ${shifts.join(", ")})`,
          );
        }
      }
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
