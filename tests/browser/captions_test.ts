/// <reference lib="dom" />
/// Captions in Chromium: a caption uploaded after the video is ready (no re-transcode) is
/// offered in the "Captions" menu of hls.js and of dash.js, its cues show at their times on
/// our CMAF timeline, the choice is remembered on reload, and the owner's section uploads
/// and deletes captions with readable errors.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { startServer, type TestServer } from "../_server.ts";
import { ffmpeg } from "../media/_clips.ts";
import { listFiles, waitFor } from "../integration/_api.ts";
import { launchBrowser, openWithEngine, withPage } from "./_browser.ts";

const SRT = "1\n00:00:02,000 --> 00:00:03,000\nEarly cue\n\n" +
  "2\n00:00:06,000 --> 00:00:07,500\nLate <b>cue</b>\n";

async function uploadClip(
  s: TestServer,
  dir: string,
  token?: string,
): Promise<string> {
  const clip = join(dir, "clip.mp4");
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x180:rate=30:duration=10",
    "-f",
    "lavfi",
    "-i",
    "sine=sample_rate=48000:duration=10",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    clip,
  ]);
  const form = new FormData();
  form.append("file", new Blob([await Deno.readFile(clip)]), "clip.mp4");
  const res = await fetch(`${s.url}/api/videos`, {
    method: "POST",
    body: form,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  assert.equal(res.status, 202);
  const { id } = await res.json();
  const { last } = await waitFor(s, id);
  assert.equal(last.status, "ready");
  return id;
}

/** The text of the active cues of the showing text track, at the video's current time. */
function activeCues(page: Page): Promise<{ time: number; texts: string[] }> {
  return page.evaluate(() => {
    const v = document.querySelector("video")!;
    const texts: string[] = [];
    for (const t of Array.from(v.textTracks)) {
      if (t.mode !== "showing") continue;
      for (const c of Array.from(t.activeCues ?? [])) {
        texts.push((c as VTTCue).text);
      }
    }
    return { time: v.currentTime, texts };
  });
}

/** Seeks (paused) to `t` and waits until the showing track's active cues are settled. */
async function cuesAt(page: Page, t: number): Promise<string[]> {
  await page.evaluate((at) => {
    const v = document.querySelector("video")!;
    v.pause();
    v.currentTime = at;
  }, t);
  await page.waitForFunction(
    (at) => {
      const v = document.querySelector("video")!;
      return Math.abs(v.currentTime - at) < 0.05 && !v.seeking &&
        v.readyState >= 2;
    },
    t,
    { timeout: 20_000 },
  );
  // The engine loads the caption file for this position; give it a moment, then read.
  let last: string[] = [];
  const end = Date.now() + 8_000;
  while (Date.now() < end) {
    const now = await activeCues(page);
    last = now.texts;
    if (last.length > 0) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  return last;
}

async function play(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Play video" }).click();
  await page.waitForFunction(
    () => document.querySelector("video")!.currentTime > 0.3,
    null,
    { timeout: 20_000 },
  );
}

/** Each cue shows inside its time and not 0.2 s before it (our CMAF timeline is kept). */
async function cueTimes(page: Page, engine: string): Promise<void> {
  assert.deepEqual(await cuesAt(page, 2.5), ["Early cue"], engine);
  assert.deepEqual(await cuesAt(page, 6.3), ["Late <b>cue</b>"], engine);
  for (const t of [4.5, 5.8]) {
    await page.evaluate((at) => {
      document.querySelector("video")!.currentTime = at;
    }, t);
    await page.waitForTimeout(1000);
    assert.deepEqual((await activeCues(page)).texts, [], `${engine} at ${t} s`);
  }
}

Deno.test({
  name:
    "captions - hls.js and dash.js show a caption added after ready at its cue times, chosen in the Captions menu and remembered",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "reel-captions-" });
    await using server = await startServer();
    const browser = await launchBrowser();
    try {
      const id = await uploadClip(server, dir);
      const streamDir = join(server.dataDir, "streams", id);
      const before = await listFiles(streamDir);
      const form = new FormData();
      form.append("lang", "en");
      form.append("file", new Blob([SRT]), "talk.srt");
      const res = await fetch(`${server.url}/api/videos/${id}/captions`, {
        method: "POST",
        body: form,
      });
      assert.equal(res.status, 201, await res.text());
      assert.deepEqual(
        await listFiles(streamDir),
        before,
        "no re-transcode: the stream folder is untouched",
      );

      for (const engine of ["hls", "dash"] as const) {
        await withPage(browser, async (page) => {
          await openWithEngine(page, `${server.url}/player/${id}`, engine);
          const menu = page.getByRole("combobox", { name: "Captions" });
          assert.deepEqual(
            await menu.locator("option").allTextContents(),
            ["Off", "English"],
          );
          assert.equal(await menu.inputValue(), "off");
          await play(page);
          assert.deepEqual(await cuesAt(page, 2.5), [], `${engine}: off`);
          // Chosen while paused: the cue on screen now shows without a seek.
          await menu.selectOption({ label: "English" });
          await page.waitForFunction(
            () =>
              Array.from(document.querySelector("video")!.textTracks).some((
                t,
              ) => t.mode === "showing" && (t.activeCues?.length ?? 0) > 0),
            null,
            { timeout: 10_000 },
          );
          await cueTimes(page, engine);

          // Remembered: a reload turns English on by itself; "Off" is remembered too.
          await page.reload();
          await page.waitForFunction(
            (e) =>
              document.querySelector(".player")?.getAttribute("data-engine") ===
                e,
            engine,
          );
          assert.equal(await menu.inputValue(), "en");
          await play(page);
          assert.deepEqual(
            await cuesAt(page, 2.5),
            ["Early cue"],
            `${engine}: remembered`,
          );
          await menu.selectOption({ label: "Off" });
          assert.deepEqual(await cuesAt(page, 6.3), [], `${engine}: off again`);
          assert.equal(
            await page.evaluate(() =>
              localStorage.getItem("reel.player.captions")
            ),
            "off",
          );
        });
      }
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "captions - the owner's section uploads, lists and deletes captions with readable errors; others do not see it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "reel-captions-ui-" });
    const token = "owner-token-for-captions";
    await using server = await startServer({ env: { API_TOKEN: token } });
    const browser = await launchBrowser();
    try {
      const id = await uploadClip(server, dir, token);
      // A visitor (not signed in) gets the player but no captions section.
      await withPage(browser, async (page) => {
        await page.goto(`${server.url}/player/${id}`);
        await page.waitForSelector(".player[data-engine]");
        assert.equal(
          await page.getByRole("heading", { name: "Captions" }).count(),
          0,
        );
        assert.equal(
          await page.getByRole("combobox", { name: "Captions" }).count(),
          0,
          "no menu without captions",
        );
      });

      await withPage(browser, async (page) => {
        await page.goto(`${server.url}/login`);
        await page.getByLabel(/token/i).fill(token);
        await page.getByRole("button", { name: /sign in/i }).click();
        await page.waitForURL((u) => !u.pathname.startsWith("/login"));
        await page.goto(`${server.url}/player/${id}`);
        await page.waitForSelector(".player[data-engine]");
        const section = page.locator("section.captions-manager");
        await section.getByText("No captions yet.").waitFor();

        const choose = async (name: string, data: string | Uint8Array) =>
          await section.getByLabel(/Caption file/).setInputFiles({
            name,
            mimeType: "application/octet-stream",
            buffer: Buffer.from(
              typeof data === "string" ? new TextEncoder().encode(data) : data,
            ),
          });
        // A binary file: the server's sentence is shown, nothing is listed.
        await choose("x.vtt", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]));
        await section.getByLabel(/Language/).fill("fr");
        await section.getByRole("button", { name: "Upload captions" }).click();
        await section.getByRole("alert").filter({ hasText: /not text/ })
          .waitFor();
        // A bad language tag.
        await choose("talk.srt", SRT);
        await section.getByLabel(/Language/).fill("French please");
        await section.getByRole("button", { name: "Upload captions" }).click();
        await section.getByRole("alert").filter({
          hasText: "is not a BCP 47 language tag",
        }).waitFor();
        // A good one.
        await section.getByLabel(/Language/).fill("fr");
        await section.getByLabel(/Label/).fill("Sous-titres");
        await section.getByRole("button", { name: "Upload captions" }).click();
        await section.getByRole("status").filter({ hasText: "saved" })
          .waitFor();
        assert.equal(
          await section.locator("li[data-lang=fr] span").first().textContent(),
          "French — Sous-titres",
        );
        // The player offers it at once (the engine restarts to read the new master).
        const menu = page.getByRole("combobox", { name: "Captions" });
        await menu.waitFor();
        assert.deepEqual(await menu.locator("option").allTextContents(), [
          "Off",
          "French — Sous-titres",
        ]);
        await section.getByRole("button", {
          name: "Delete French — Sous-titres captions",
        }).click();
        await section.getByText("No captions yet.").waitFor();
        await menu.waitFor({ state: "detached" });
      }, { allowErrors: true });
      const list =
        await (await fetch(`${server.url}/api/videos/${id}/captions`))
          .json();
      assert.deepEqual(list, []);
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
