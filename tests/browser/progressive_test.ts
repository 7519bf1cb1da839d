/// <reference lib="dom" />
/// Play in seconds: a clip that takes longer to process than it plays starts playing in
/// hls.js while it is still processing, plays 10 s without a stall, and the quality menu
/// grows to every rendition when the ladder is done; dash.js is offered once the static MPD
/// exists and says why before.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import { launchBrowser, withPage } from "./_browser.ts";

const SECONDS = 16;

/**
 * A noisy 1080p60 clip at 12 Mb/s with x264's default GOP (not copyable): its ladder takes
 * longer to encode here than the clip plays (about 21 s for 16 s).
 */
async function noisyClip(dir: string): Promise<string> {
  const path = join(dir, "noisy.mp4");
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=1920x1080:rate=60:duration=${SECONDS}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=330:sample_rate=48000:duration=${SECONDS}`,
    "-vf",
    "noise=alls=14:allf=t",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-b:v",
    "12M",
    "-maxrate",
    "12M",
    "-bufsize",
    "24M",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    path,
  ]);
  return path;
}

Deno.test({
  name:
    "progressive - plays while processing, no stall for 10 s, the quality menu grows; dash.js when ready",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "reel-progressive-" });
    await using server = await startServer();
    const browser = await launchBrowser();
    try {
      const clip = await noisyClip(dir);
      const form = new FormData();
      form.append(
        "file",
        new Blob([await Deno.readFile(clip)], { type: "video/mp4" }),
        "noisy.mp4",
      );
      const uploaded = performance.now();
      const res = await fetch(`${server.url}/api/videos`, {
        method: "POST",
        body: form,
      });
      assert.equal(res.status, 202);
      const { id } = await res.json();
      const api = async () =>
        await (await fetch(`${server.url}/api/videos/${id}`)).json();

      await withPage(browser, async (page) => {
        // Blocking playlist reloads: hls.js asks for the next segment and is answered when
        // it exists, which is what lets playback start on a single segment.
        const blocking: string[] = [];
        page.on("requestfinished", (r) => {
          if (/media_\d+\.m3u8\?_HLS_msn=\d+/.test(r.url())) {
            blocking.push(r.url());
          }
        });
        await page.goto(`${server.url}/player/${id}`);
        await page.waitForFunction(() =>
          document.documentElement.dataset.hydrated === "true"
        );
        // The page turns into the player by itself as soon as the video is playable.
        await page.locator(".player").waitFor({ timeout: 60_000 });
        const atPlayable = await api();
        assert.equal(atPlayable.status, "processing", "playable before ready");
        assert.equal(atPlayable.playable, true);
        assert.equal(atPlayable.dashUrl, null);
        assert.match(
          await page.getByTestId("engine-note").innerText(),
          /DASH is available when processing finishes/,
        );
        assert.equal(
          await page.locator("input[name=engine][value=dash]").isDisabled(),
          true,
        );

        await page.evaluate(() => {
          const v = document.querySelector("video")!;
          const w = globalThis as unknown as {
            __stalls: number;
            __played: boolean;
            __log: string[];
          };
          w.__stalls = 0;
          w.__played = false;
          w.__log = [];
          // A stall is a wait a viewer notices: from `waiting` to `playing` over 200 ms,
          // past the start (where a player may wait a moment for its first frames).
          let since: number | null = null;
          v.addEventListener("playing", () => {
            w.__played = true;
            if (since !== null && performance.now() - since > 200) {
              w.__stalls++;
              w.__log.push(
                `stalled ${(performance.now() - since).toFixed(0)} ms`,
              );
            }
            since = null;
          });
          v.addEventListener("waiting", () => {
            const b = v.buffered.length
              ? v.buffered.end(v.buffered.length - 1)
              : 0;
            w.__log.push(
              `waiting at ${v.currentTime.toFixed(2)} buffered to ${
                b.toFixed(2)
              }`,
            );
            if (w.__played && v.currentTime > 0.5) since = performance.now();
          });
        });
        await page.getByRole("button", { name: "Play video" }).click();
        await page.waitForFunction(
          () => document.querySelector("video")!.currentTime > 0.2,
          null,
          { timeout: 30_000 },
        );
        const firstFrameSec = (performance.now() - uploaded) / 1000;
        const whenPlaying = await api();
        assert.equal(
          whenPlaying.status,
          "processing",
          "playing while processing",
        );
        await page.waitForFunction(
          () => document.querySelector("video")!.currentTime >= 10,
          null,
          { timeout: 40_000 },
        );
        const stalls = await page.evaluate(() => {
          const w = globalThis as unknown as { __stalls: number };
          const v = document.querySelector("video")!;
          // A wait still going on counts too.
          return w.__stalls + (v.readyState < 3 ? 1 : 0);
        });
        const log = await page.evaluate(() =>
          (globalThis as unknown as { __log: string[] }).__log
        );
        assert.equal(
          stalls,
          0,
          `no stall in the first 10 s: ${log.join("; ")}`,
        );
        assert.ok(
          blocking.length >= 2,
          `hls.js reloads the growing playlists by blocking requests (${blocking.length})`,
        );
        console.log(
          `first frame ${firstFrameSec.toFixed(1)} s after the upload response`,
        );

        // The ladder finishes: the quality menu reaches every rendition without a reload.
        await page.waitForFunction(
          () => {
            const opts = [...document.querySelectorAll(
              "select[aria-label=Quality] option",
            )].map((o) => o.textContent);
            return ["1080p", "720p", "480p", "360p"].every((h) =>
              opts.includes(h)
            );
          },
          null,
          { timeout: 120_000 },
        );
        const done = await api();
        assert.equal(done.status, "ready");
        assert.ok(done.dashUrl);

        // dash.js is offered now, and plays.
        await page.locator("label", { hasText: "dash.js" }).click();
        await page.waitForFunction(() =>
          document.querySelector(".player")?.getAttribute("data-engine") ===
            "dash"
        );
        await page.waitForFunction(
          () => document.querySelector("video")!.readyState >= 2,
          null,
          { timeout: 30_000 },
        );
        // The clip may have played to its end meanwhile: play dash.js from 2 s.
        await page.evaluate(() => {
          const v = document.querySelector("video")!;
          v.currentTime = 2;
          v.play().catch(() => {});
        });
        await page.waitForFunction(
          () => document.querySelector("video")!.currentTime > 3.5,
          null,
          { timeout: 30_000 },
        );
      });
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
