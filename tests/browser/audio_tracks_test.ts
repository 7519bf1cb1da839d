/// <reference lib="dom" />
/// Audio tracks in the player: a source with two audio tracks shows an "Audio track" menu
/// with both (named by title) in hls.js and dash.js; choosing the other one switches the
/// engine's current track and playback goes on with sound; a single-track video shows no
/// menu and still plays with sound.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startServer } from "../_server.ts";
import { makeClip, makeMultiAudioClip } from "../media/_clips.ts";
import { uploadReady as upload } from "../integration/_api.ts";
import { launchBrowser, openWithEngine, withPage } from "./_browser.ts";

/** 12 s, English at 440 Hz (default) and "Commentary" in French at 880 Hz. */
function twoTrackClip(dir: string): Promise<string> {
  return makeMultiAudioClip(dir, [
    { frequency: 440, language: "eng", title: "English" },
    { frequency: 880, language: "fra", title: "Commentary" },
  ], { seconds: 12 });
}

async function open(page: Page, url: string, engine: "hls" | "dash") {
  await openWithEngine(page, url, engine);
  await page.getByRole("button", { name: "Play video" }).click();
  await page.waitForFunction(
    () => document.querySelector("video")!.currentTime > 0.5,
    null,
    { timeout: 20_000 },
  );
}

/** Audio bytes Chromium has decoded so far (grows only while sound is being played). */
function audioBytes(page: Page): Promise<number> {
  return page.evaluate(() =>
    (document.querySelector("video") as HTMLVideoElement & {
      webkitAudioDecodedByteCount: number;
    }).webkitAudioDecodedByteCount
  );
}

Deno.test({
  name:
    "audio tracks - hls.js and dash.js switch tracks from the Audio track menu and play on; one track: no menu",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "reel-audio-" });
    await using server = await startServer();
    const browser = await launchBrowser();
    try {
      const two = await upload(server, await twoTrackClip(dir));
      const video = await (await fetch(`${server.url}/api/videos/${two}`))
        .json();
      assert.deepEqual(video.audioTracks, [
        { index: 0, language: "en", label: "English", default: true },
        { index: 1, language: "fr", label: "Commentary", default: false },
      ]);

      for (const engine of ["hls", "dash"] as const) {
        await withPage(browser, async (page) => {
          await open(page, `${server.url}/player/${two}`, engine);
          const menu = page.getByRole("combobox", { name: "Audio track" });
          await menu.waitFor({ timeout: 15_000 });
          const options = await menu.locator("option").allTextContents();
          assert.deepEqual(options, ["English", "Commentary"], engine);
          assert.deepEqual(
            await menu.evaluate((s: HTMLSelectElement) => [
              s.selectedOptions[0].textContent,
              s.getAttribute("data-playing"),
            ]),
            ["English", "English"],
            `${engine}: the default track plays first`,
          );
          // What the engine fetched so far: each track's segments carry their own
          // representation id (1 = English, 2 = Commentary).
          const before = await page.evaluate(() => ({
            t: document.querySelector("video")!.currentTime,
            names: performance.getEntriesByType("resource").map((r) => r.name)
              .filter((n) => /chunk-\d+-/.test(n)),
          }));
          const bytesBefore = await audioBytes(page);
          await menu.selectOption({ label: "Commentary" });
          // The engine reports the switch back (the menu's `data-playing` is its report).
          await page.waitForFunction(
            () =>
              document.querySelector('select[aria-label="Audio track"]')
                ?.getAttribute("data-playing") === "Commentary",
            null,
            { timeout: 15_000 },
          );
          // The other track's segments are fetched (representation 2 = the second track).
          await page.waitForFunction(
            () =>
              performance.getEntriesByType("resource").some((r) =>
                /chunk-2-\d+\.m4s/.test(r.name)
              ),
            null,
            { timeout: 15_000 },
          );
          // Playback goes on, with sound.
          await page.waitForFunction(
            (t) => document.querySelector("video")!.currentTime > t + 1.5,
            before.t,
            { timeout: 15_000 },
          );
          const state = await page.evaluate(() => {
            const v = document.querySelector("video")!;
            return { paused: v.paused, error: v.error?.message ?? null };
          });
          assert.deepEqual(state, { paused: false, error: null }, engine);
          assert.ok(
            (await audioBytes(page)) > bytesBefore,
            `${engine}: audio keeps being decoded after the switch`,
          );
          assert.ok(
            before.names.some((n) => /chunk-1-/.test(n)) &&
              !before.names.some((n) => /chunk-2-/.test(n)),
            `${engine}: only the default track was fetched before the switch`,
          );
        }, { allowErrors: true });
      }

      // One track: no menu, and the track plays (the light hls.js build played mute).
      const one = await upload(
        server,
        await makeClip(dir, { width: 640, height: 360, seconds: 6 }),
      );
      for (const engine of ["hls", "dash"] as const) {
        await withPage(browser, async (page) => {
          await open(page, `${server.url}/player/${one}`, engine);
          await page.waitForFunction(
            () => document.querySelector("video")!.currentTime > 1.5,
          );
          assert.equal(
            await page.getByRole("combobox", { name: "Audio track" }).count(),
            0,
            `${engine}: no audio menu for a single track`,
          );
          assert.ok((await audioBytes(page)) > 0, `${engine}: sound plays`);
        }, { allowErrors: true });
      }
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
