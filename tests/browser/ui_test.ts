/// <reference lib="dom" />
/**
 * The app's UI in real headless Chromium against the real server (tus upload, ffmpeg
 * transcode, SSE, hls.js and dash.js). Screenshots go to a temp folder printed at the start.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { startServer } from "../_server.ts";
import { makeClip } from "../media/_clips.ts";
import { launchBrowser, withPage } from "./_browser.ts";

const LONG = 180_000;

async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    document.documentElement.dataset.hydrated === "true"
  );
}

/** Records every phase an upload row goes through and the progress values it showed. */
async function recordRows(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen = { phases: [] as string[], uploadValues: [] as number[] };
    (globalThis as unknown as { __rows: typeof seen }).__rows = seen;
    const scan = () => {
      for (const row of document.querySelectorAll(".upload-row")) {
        const phase = row.getAttribute("data-phase") ?? "";
        if (seen.phases.at(-1) !== phase) seen.phases.push(phase);
        const bar = row.querySelector(
          "[role=progressbar][aria-label^='Uploading']",
        );
        const now = Number(bar?.getAttribute("aria-valuenow") ?? NaN);
        if (!Number.isNaN(now) && seen.uploadValues.at(-1) !== now) {
          seen.uploadValues.push(now);
        }
      }
    };
    new MutationObserver(scan).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
}

function rows(
  page: Page,
): Promise<{ phases: string[]; uploadValues: number[] }> {
  return page.evaluate(() =>
    (globalThis as unknown as {
      __rows: { phases: string[]; uploadValues: number[] };
    }).__rows
  );
}

const currentTime = (page: Page) =>
  page.evaluate(() => document.querySelector("video")!.currentTime);

Deno.test({
  name:
    "ui - upload with live progress, library, and playback with hls.js and dash.js",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const shots = await Deno.makeTempDir({ prefix: "reel-ui-screenshots-" });
    console.log(`Screenshots: ${shots}`);
    const media = await Deno.makeTempDir({ prefix: "reel-ui-media-" });
    const clip = await makeClip(media, {
      width: 1280,
      height: 720,
      seconds: 10,
      name: "harbour-720p.mp4",
    });
    await using server = await startServer();
    const browser = await launchBrowser();
    try {
      await withPage(browser, async (page, errors) => {
        const scripts: string[] = [];
        page.on("request", (r) => {
          if (r.resourceType() === "script") {
            scripts.push(new URL(r.url()).pathname);
          }
        });
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(`${server.url}/`);
        await hydrated(page);
        await page.getByText("No videos yet").waitFor();
        await page.screenshot({
          path: join(shots, "index-empty.png"),
          fullPage: true,
        });
        assert.ok(
          !scripts.some((s) => /hls|dash/.test(s)),
          "no player code on the index page",
        );

        // Upload through the real file input, throttled so progress is visible.
        await page.evaluate(
          () => ((globalThis as { __noReload?: boolean }).__noReload = true),
        );
        await recordRows(page);
        const cdp = await page.context().newCDPSession(page);
        await cdp.send("Network.enable");
        await cdp.send("Network.emulateNetworkConditions", {
          offline: false,
          latency: 0,
          downloadThroughput: -1,
          uploadThroughput: 3 * 1024 * 1024,
        });
        const finalPatch = page.waitForResponse((r) =>
          r.request().method() === "PATCH" &&
          r.headers()["x-video-id"] !== undefined
        );
        await page.setInputFiles("#file-input", clip);
        await page.locator(".upload-row[data-phase=uploading]").waitFor();
        const videoId = (await finalPatch).headers()["x-video-id"];
        await cdp.send("Network.emulateNetworkConditions", {
          offline: false,
          latency: 0,
          downloadThroughput: -1,
          uploadThroughput: -1,
        });

        // While it transcodes, the player page shows live progress and then turns into the
        // player without a reload.
        const watch = await page.context().newPage();
        await watch.goto(`${server.url}/player/${videoId}`);
        await hydrated(watch);
        const waitedForProcessing =
          await watch.locator(".stage-message").count() > 0;
        if (waitedForProcessing) {
          await watch.evaluate(
            () => ((globalThis as { __noReload?: boolean }).__noReload = true),
          );
          await watch.screenshot({
            path: join(shots, "player-processing.png"),
          });
        }

        await page.locator(".upload-row[data-phase=ready]").waitFor({
          timeout: LONG,
        });
        const seen = await rows(page);
        assert.ok(seen.phases.includes("uploading"), `phases: ${seen.phases}`);
        assert.ok(seen.phases.includes("processing"), `phases: ${seen.phases}`);
        assert.ok(
          seen.uploadValues.some((v) => v > 0 && v < 100),
          `upload progress in between: ${seen.uploadValues}`,
        );
        assert.ok(
          seen.phases.indexOf("uploading") < seen.phases.indexOf("processing"),
          `upload then processing: ${seen.phases}`,
        );

        // The library shows it with its poster, without a reload.
        const card = page.locator(`.video-card[data-video-id="${videoId}"]`);
        await card.locator("img").waitFor();
        await page.waitForFunction(
          (id) => {
            const img = document.querySelector<HTMLImageElement>(
              `.video-card[data-video-id="${id}"][data-status=ready] img`,
            );
            return !!img && img.complete && img.naturalWidth > 0;
          },
          videoId,
          { timeout: LONG },
        );
        assert.equal(
          await page.evaluate(() =>
            (globalThis as { __noReload?: boolean }).__noReload
          ),
          true,
        );
        assert.match(
          await card.locator(".video-facts").innerText(),
          /720p · 0:10/,
        );
        await page.screenshot({
          path: join(shots, "index-with-videos.png"),
          fullPage: true,
        });

        if (waitedForProcessing) {
          await watch.locator(".player").waitFor({ timeout: LONG });
          assert.equal(
            await watch.evaluate(() =>
              (globalThis as { __noReload?: boolean }).__noReload
            ),
            true,
          );
        }
        await watch.close();

        // Rename inline.
        await card.getByRole("button", { name: /^Rename/ }).click();
        await card.getByLabel("Video title").fill("Harbour at dawn");
        await card.getByLabel("Video title").press("Enter");
        await card.getByRole("link", { name: "Harbour at dawn" }).waitFor();

        // The player with hls.js (the default): plays, lists every rendition.
        scripts.length = 0;
        await page.locator(".upload-row").getByRole("link", { name: "Play" })
          .click();
        await page.waitForURL(`**/player/${videoId}`);
        await hydrated(page);
        await page.waitForFunction(() =>
          document.querySelector(".player")?.getAttribute("data-engine") ===
            "hls"
        );
        await page.getByRole("button", { name: "Play video" }).click();
        await page.waitForFunction(
          () => document.querySelector("video")!.currentTime > 3,
          null,
          { timeout: 60_000 },
        );
        const api = await (await fetch(`${server.url}/api/videos/${videoId}`))
          .json();
        const heights = (api.renditions as { height: number }[])
          .map((r) => r.height).sort((a, b) => b - a);
        assert.deepEqual(heights, [720, 480, 360]);
        const quality = page.getByLabel("Quality");
        assert.deepEqual(
          await quality.locator("option").allTextContents(),
          ["Auto", ...heights.map((h) => `${h}p`)],
        );
        assert.ok(
          scripts.some((s) => /\/hls[.-]/.test(s)),
          `hls.js loaded: ${scripts}`,
        );
        assert.ok(
          !scripts.some((s) => s.includes("dash")),
          "dash.js not loaded yet",
        );

        // Seek preview thumbnails from the sprite.
        const seek = page.locator(".seek");
        const box = (await seek.boundingBox())!;
        await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
        await page.locator(".seek-thumb").waitFor();
        assert.match(
          await page.locator(".seek-thumb").evaluate((el) =>
            (el as HTMLElement).style.backgroundImage
          ),
          /thumbs\.jpg/,
        );
        await page.screenshot({ path: join(shots, "player.png") });
        await page.mouse.move(box.x + box.width * 0.5, box.y - 200);

        // A fixed rendition changes the picture's height.
        await quality.selectOption({ label: "480p" });
        await page.waitForFunction(
          () => document.querySelector("video")!.videoHeight === 480,
          null,
          {
            timeout: 30_000,
          },
        );

        // Switch to dash.js: resumes near the same position and keeps playing.
        const before = await currentTime(page);
        await page.getByLabel("dash.js").check();
        await page.waitForFunction(() =>
          document.querySelector(".player")?.getAttribute("data-engine") ===
            "dash"
        );
        assert.ok(
          scripts.some((s) => s.includes("dash")),
          "dash.js loaded on demand",
        );
        await page.waitForFunction(
          () => {
            const v = document.querySelector("video")!;
            return v.readyState >= 2 && !v.paused;
          },
          null,
          { timeout: 30_000 },
        );
        const resumed = await currentTime(page);
        assert.ok(
          Math.abs(resumed - before) < 2,
          `resumed at ${resumed}, was ${before}`,
        );
        await page.waitForFunction(
          (t) => document.querySelector("video")!.currentTime > t + 1,
          resumed,
          { timeout: 30_000 },
        );
        assert.deepEqual(
          await quality.locator("option").allTextContents(),
          ["Auto", "720p", "480p", "360p"],
        );
        if (await currentTime(page) > 6) {
          await page.evaluate(
            () => (document.querySelector("video")!.currentTime = 1),
          );
        }
        await quality.selectOption({ label: "360p" });
        await page.waitForFunction(
          () => document.querySelector("video")!.videoHeight === 360,
          null,
          {
            timeout: 30_000,
          },
        );
        await quality.selectOption({ label: "720p" });
        await page.waitForFunction(
          () => document.querySelector("video")!.videoHeight === 720,
          null,
          {
            timeout: 30_000,
          },
        );

        // Keyboard: k pauses, m mutes.
        await page.locator("body").press("k");
        await page.waitForFunction(() =>
          document.querySelector("video")!.paused
        );
        await page.locator("body").press("m");
        assert.equal(
          await page.evaluate(() => document.querySelector("video")!.muted),
          true,
        );

        // Both stream addresses are shown.
        assert.match(
          await page.getByRole("textbox", { name: "HLS" }).inputValue(),
          /^http:\/\/.+\/master\.m3u8$/,
        );
        assert.match(
          await page.getByRole("textbox", { name: "DASH" }).inputValue(),
          /^http:\/\/.+\/manifest\.mpd$/,
        );

        // The chosen engine is remembered.
        await page.reload();
        await hydrated(page);
        await page.waitForFunction(() =>
          document.querySelector(".player")?.getAttribute("data-engine") ===
            "dash"
        );

        // Phone size, dark mode.
        await page.setViewportSize({ width: 390, height: 844 });
        await page.emulateMedia({ colorScheme: "dark" });
        await page.screenshot({
          path: join(shots, "player-phone-dark.png"),
          fullPage: true,
        });
        await page.goto(`${server.url}/`);
        await hydrated(page);
        await page.screenshot({
          path: join(shots, "index-phone-dark.png"),
          fullPage: true,
        });

        // Unknown and malformed ids get a friendly 404 (which Chromium logs as an error).
        const seenErrors = errors.length;
        const missing = await page.goto(`${server.url}/player/not-a-uuid`);
        assert.equal(missing?.status(), 404);
        await page.getByText("Video not found").waitFor();
        const notFound = errors.splice(seenErrors);
        assert.ok(
          notFound.every((e) => e.includes("status of 404")),
          String(notFound),
        );
      });
    } finally {
      await browser.close();
      await Deno.remove(media, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "ui - a non-video and an oversize file show the API's message and add nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const media = await Deno.makeTempDir({ prefix: "reel-ui-media-" });
    const fake = join(media, "notes.mp4");
    await Deno.writeTextFile(
      fake,
      "These are meeting notes, not a video.\n".repeat(40),
    );
    const big = await makeClip(media, {
      width: 1280,
      height: 720,
      seconds: 8,
      name: "too-big.mp4",
    });
    assert.ok((await Deno.stat(big)).size > 2_000_000);
    await using server = await startServer({
      env: { MAX_UPLOAD_BYTES: "2000000" },
    });
    const browser = await launchBrowser();
    try {
      await withPage(browser, async (page, errors) => {
        await page.goto(`${server.url}/`);
        await hydrated(page);

        const rejected = page.waitForResponse((r) =>
          r.request().method() === "PATCH" && r.status() >= 400
        );
        // Keyboard only: Tab reaches the real file input, Enter opens the file chooser.
        for (let i = 0; i < 10; i++) {
          await page.keyboard.press("Tab");
          if (
            await page.evaluate(() =>
              document.activeElement?.id === "file-input"
            )
          ) break;
        }
        const [chooser] = await Promise.all([
          page.waitForEvent("filechooser"),
          page.keyboard.press("Enter"),
        ]);
        assert.ok(chooser.isMultiple());
        await chooser.setFiles(fake);
        const notVideo = await (await rejected).json();
        assert.equal(notVideo.error.code, "not_a_video");
        const fakeRow = page.locator(".upload-row", { hasText: "notes.mp4" });
        await fakeRow.locator("[role=alert]", {
          hasText: notVideo.error.message,
        }).waitFor();

        const tooLarge = page.waitForResponse((r) =>
          r.request().method() === "POST" && r.url().endsWith("/api/uploads")
        );
        await page.setInputFiles("#file-input", big);
        const tooLargeRes = await tooLarge;
        assert.equal(tooLargeRes.status(), 413);
        const message = (await tooLargeRes.json()).error.message as string;
        const bigRow = page.locator(".upload-row", { hasText: "too-big.mp4" });
        await bigRow.locator("[role=alert]", { hasText: message }).waitFor();

        // Nothing reached the library, on the page or on the server.
        await page.waitForTimeout(500);
        await page.getByText("No videos yet").waitFor();
        const list = await (await fetch(`${server.url}/api/videos`)).json();
        assert.equal(list.videos.length, 0);

        // Chromium logs the refused uploads' 4xx answers; anything else (CSP!) is a failure.
        const unexpected = errors.filter((e) =>
          !/Failed to load resource: the server responded with a status of 41[35]/
            .test(e)
        );
        assert.deepEqual(unexpected, []);
        errors.length = 0;
      });
    } finally {
      await browser.close();
      await Deno.remove(media, { recursive: true });
    }
  },
});
