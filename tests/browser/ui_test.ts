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

let shotsDir: string | null = null;
/** The run's screenshot folder, made (and printed) on first use. */
async function screenshots(): Promise<string> {
  if (!shotsDir) {
    shotsDir = await Deno.makeTempDir({ prefix: "reel-ui-screenshots-" });
    console.log(`Screenshots: ${shotsDir}`);
  }
  return shotsDir;
}

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
    "ui - upload (resumed after a reload) with live progress, library, hls.js and dash.js playback",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const shots = await screenshots();
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
        page.setDefaultTimeout(60_000);
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
        const tus: string[] = [];
        page.on("request", (r) => {
          if (r.url().includes("/api/uploads")) {
            tus.push(
              `${r.method()} ${r.headers()["upload-offset"] ?? ""}`.trim(),
            );
          }
        });
        const cdp = await page.context().newCDPSession(page);
        await cdp.send("Network.enable");
        const throttle = (bytesPerSecond: number) =>
          cdp.send("Network.emulateNetworkConditions", {
            offline: false,
            latency: 0,
            downloadThroughput: -1,
            uploadThroughput: bytesPerSecond,
          });
        await throttle(2 * 1024 * 1024);
        await page.setInputFiles("#file-input", clip);
        await page.locator(".upload-row[data-phase=uploading]").waitFor();
        await page.locator(".upload-status", { hasText: "MB/s" }).waitFor();
        await page.screenshot({ path: join(shots, "index-uploading.png") });

        // A reload in the middle: the same file chosen again resumes where it stopped.
        await page.waitForFunction(() => {
          const m = /^(\d+)%/.exec(
            document.querySelector(".upload-status")?.textContent ?? "",
          );
          return m !== null && Number(m[1]) >= 20;
        });
        await page.reload();
        await hydrated(page);
        await page.locator(".upload-row[data-phase=interrupted]").waitFor();
        await page.locator(".upload-status", {
          hasText: /Interrupted at [1-9]/,
        })
          .waitFor();
        await page.evaluate(
          () => ((globalThis as { __noReload?: boolean }).__noReload = true),
        );
        await recordRows(page);
        tus.length = 0;
        const [finalPatch] = await Promise.all([
          page.waitForResponse((r) =>
            r.request().method() === "PATCH" &&
            r.headers()["x-video-id"] !== undefined, { timeout: LONG }),
          page.setInputFiles("#file-input", clip),
        ]);
        assert.equal(
          tus.filter((t) => t.startsWith("POST")).length,
          0,
          String(tus),
        );
        assert.ok(
          tus.some((t) => /^PATCH [1-9]\d*$/.test(t)),
          `resumed from the server's offset: ${tus}`,
        );
        const videoId = finalPatch.headers()["x-video-id"];
        await throttle(-1);

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
        const dashFetched = page.waitForResponse((r) =>
          /\/dash[.-]/.test(new URL(r.url()).pathname)
        );
        await page.getByLabel("dash.js").check();
        await dashFetched;
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
    "ui - refused files show the API's message and add nothing; offline uploads retry",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const shots = await screenshots();
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
    const small = await makeClip(media, { seconds: 2, name: "small.mp4" });
    await using server = await startServer({
      env: { MAX_UPLOAD_BYTES: "2000000" },
    });
    const browser = await launchBrowser();
    try {
      await withPage(browser, async (page, errors) => {
        page.setDefaultTimeout(60_000);
        await page.goto(`${server.url}/`);
        await hydrated(page);

        // Keyboard only: Tab reaches the real file input, Enter opens the file chooser.
        // (Listening first lets Playwright intercept the chooser before it opens.)
        const chooserOpened = page.waitForEvent("filechooser", {
          timeout: LONG,
        });
        chooserOpened.catch(() => {});
        for (let i = 0; i < 10; i++) {
          await page.keyboard.press("Tab");
          const id = await page.evaluate(() => document.activeElement?.id);
          if (id === "file-input") break;
        }
        assert.equal(
          await page.evaluate(() => document.activeElement?.id),
          "file-input",
        );
        await page.keyboard.press("Enter");
        const chooser = await chooserOpened;
        assert.ok(chooser.isMultiple());
        const [rejected] = await Promise.all([
          page.waitForResponse(
            (r) => r.request().method() === "PATCH" && r.status() >= 400,
            { timeout: LONG },
          ),
          chooser.setFiles(fake),
        ]);
        const notVideo = await rejected.json();
        assert.equal(notVideo.error.code, "not_a_video");
        const fakeRow = page.locator(".upload-row", { hasText: "notes.mp4" });
        await fakeRow.locator("[role=alert]", {
          hasText: notVideo.error.message,
        }).waitFor();

        const [tooLargeRes] = await Promise.all([
          page.waitForResponse(
            (r) =>
              r.request().method() === "POST" &&
              r.url().endsWith("/api/uploads"),
            {
              timeout: LONG,
            },
          ),
          page.setInputFiles("#file-input", big),
        ]);
        assert.equal(tooLargeRes.status(), 413);
        const message = (await tooLargeRes.json()).error.message as string;
        const bigRow = page.locator(".upload-row", { hasText: "too-big.mp4" });
        await bigRow.locator("[role=alert]", { hasText: message }).waitFor();

        // Drag and drop (a synthetic drop with a real File): a .txt file is refused by
        // extension when the upload is created.
        const [unsupported] = await Promise.all([
          page.waitForResponse((r) =>
            r.request().method() === "POST" && r.url().endsWith("/api/uploads")
          ),
          page.evaluate(() => {
            const data = new DataTransfer();
            data.items.add(
              new File(["just text"], "readme.txt", { type: "text/plain" }),
            );
            const zone = document.querySelector(".dropzone")!;
            zone.dispatchEvent(
              new DragEvent("dragover", { dataTransfer: data, bubbles: true }),
            );
            zone.dispatchEvent(
              new DragEvent("drop", { dataTransfer: data, bubbles: true }),
            );
          }),
        ]);
        assert.equal(unsupported.status(), 415);
        const txtRow = page.locator(".upload-row", { hasText: "readme.txt" });
        await txtRow.locator("[role=alert]", {
          hasText: (await unsupported.json()).error.message,
        }).waitFor();

        // Nothing reached the library, on the page or on the server.
        await page.waitForTimeout(500);
        await page.getByText("No videos yet").waitFor();
        const list = await (await fetch(`${server.url}/api/videos`)).json();
        assert.equal(list.videos.length, 0);

        await page.screenshot({
          path: join(shots, "index-errors.png"),
          fullPage: true,
        });

        // Offline when the upload starts: the row says so and retries; back online, it
        // finishes by itself.
        const cdp = await page.context().newCDPSession(page);
        await cdp.send("Network.enable");
        const network = (offline: boolean) =>
          cdp.send("Network.emulateNetworkConditions", {
            offline,
            latency: 0,
            downloadThroughput: -1,
            uploadThroughput: -1,
          });
        await network(true);
        await page.setInputFiles("#file-input", small);
        const smallRow = page.locator(".upload-row", { hasText: "small.mp4" });
        await smallRow.locator(".upload-status", { hasText: "Connection lost" })
          .waitFor();
        await network(false);
        await page.locator(
          ".upload-row[data-phase=processing], .upload-row[data-phase=ready]",
          { hasText: "small.mp4" },
        ).waitFor({ timeout: LONG });

        // Chromium logs the refused uploads' 4xx answers and the offline attempts; anything
        // else (CSP!) is a failure.
        const unexpected = errors.filter((e) =>
          !/Failed to load resource: (the server responded with a status of 41[35]|net::ERR_INTERNET_DISCONNECTED)/
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
