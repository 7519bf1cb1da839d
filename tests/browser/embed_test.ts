/// <reference lib="dom" />
/// Embeds in a real browser: a page on another local origin plays `/embed/<id>` in an
/// iframe (hls.js and dash.js), `?t=30` starts at 30 s, a page on an origin not in
/// `EMBED_ORIGINS` is refused by the browser, a private video's signed embed plays, and the
/// player page's Share dialog gives the link and embed code with the start time.
import assert from "node:assert/strict";
import type { Frame, Page } from "playwright-core";
import { startServer, type TestServer } from "../_server.ts";
import { makeClip } from "../media/_clips.ts";
import { waitFor } from "../integration/_api.ts";
import { launchBrowser, withPage } from "./_browser.ts";

async function upload(
  s: TestServer,
  path: string,
  visibility = "public",
): Promise<string> {
  const form = new FormData();
  form.append("visibility", visibility);
  form.append("file", new Blob([await Deno.readFile(path)]), "clip.mp4");
  const res = await fetch(`${s.url}/api/videos`, {
    method: "POST",
    body: form,
  });
  assert.equal(res.status, 202);
  const { id } = await res.json();
  const { last } = await waitFor(s, id);
  assert.equal(last.status, "ready");
  return id;
}

/** A free loopback port (listened on, then let go). */
function freePort(): number {
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

async function embedFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector("#player");
  const frame = await handle.contentFrame();
  assert.ok(frame, "the iframe has a frame");
  return frame;
}

async function playsFrom(frame: Frame, engine: string, from: number) {
  await frame.waitForFunction(
    (e) => document.querySelector(".player")?.getAttribute("data-engine") === e,
    engine,
    { timeout: 20_000 },
  );
  await frame.getByRole("button", { name: "Play video" }).click();
  await frame.waitForFunction(
    (t) => {
      const v = document.querySelector("video")!;
      return !v.paused && v.currentTime > t + 0.5;
    },
    from,
    { timeout: 30_000 },
  );
  const at = await frame.evaluate(() =>
    document.querySelector("video")!.currentTime
  );
  assert.ok(at >= from && at < from + 10, `${engine}: playing at ${at} s`);
}

Deno.test({
  name:
    "embed - another origin plays it in an iframe from ?t=30 with both engines; a foreign origin is refused",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    // Host pages on their own ports (other origins than the app's); only one is allowed.
    const allowed = { url: `http://127.0.0.1:${freePort()}` };
    const foreign = { url: `http://127.0.0.1:${freePort()}` };
    const server = await startServer({
      env: { EMBED_ORIGINS: allowed.url },
    });
    const browser = await launchBrowser();
    const hosts: Deno.HttpServer[] = [];
    try {
      const clip = await makeClip(dir, {
        seconds: 36,
        width: 320,
        height: 180,
      });
      const id = await upload(server, clip);
      const src = (q: string) => `${server.url}/embed/${id}?${q}`;
      const port = (u: string) => Number(new URL(u).port);

      const serveHost = (at: string, iframeSrc: string) => {
        const s = Deno.serve({
          port: port(at),
          hostname: "127.0.0.1",
          onListen: () => {},
        }, () =>
          new Response(
            `<!doctype html><title>Host</title><h1>Blog post</h1>` +
              `<iframe id="player" src="${iframeSrc}" width="640" height="360" ` +
              `allow="autoplay; fullscreen" allowfullscreen></iframe>`,
            { headers: { "content-type": "text/html" } },
          ));
        hosts.push(s);
      };

      for (const engine of ["hls", "dash"]) {
        serveHost(allowed.url, src(`t=30&engine=${engine}`));
        await withPage(browser, async (page) => {
          await page.goto(allowed.url);
          const frame = await embedFrame(page);
          await playsFrom(frame, engine, 30);
          // No site chrome inside the frame.
          assert.equal(await frame.locator(".site-header").count(), 0);
        });
        await hosts.pop()!.shutdown();
      }

      serveHost(foreign.url, src("t=30"));
      await withPage(browser, async (page, errors) => {
        await page.goto(foreign.url);
        const handle = await page.waitForSelector("#player");
        // Chromium refuses the frame (CSP frame-ancestors): no player document in it.
        await new Promise((r) => setTimeout(r, 2000));
        const frame = await handle.contentFrame();
        const players = frame
          ? await frame.evaluate(() =>
            document.querySelectorAll("video").length
          )
            .catch(() => 0)
          : 0;
        assert.equal(players, 0, "the foreign origin got a player");
        assert.ok(
          errors.some((e) => /frame-ancestors|Refused to frame/i.test(e)) ||
            frame?.url().startsWith("chrome-error:"),
          `no refusal seen: ${errors.join(" | ")} / ${frame?.url()}`,
        );
      }, { allowErrors: true });
    } finally {
      for (const h of hosts) await h.shutdown().catch(() => {});
      await browser.close();
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "embed - a private video plays only through its signed embed link; the Share dialog gives link and embed code with ?t=",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const server = await startServer();
    const browser = await launchBrowser();
    try {
      const clip = await makeClip(dir, { seconds: 6, width: 320, height: 180 });
      const pub = await upload(server, clip);
      const prv = await upload(server, clip, "private");
      const grant = await (await fetch(
        `${server.url}/api/videos/${prv}/playback`,
        { method: "POST", body: JSON.stringify({ ttlSec: 600 }) },
      )).json();
      const unsigned = await fetch(`${server.url}/embed/${prv}`);
      assert.equal(unsigned.status, 404);
      await unsigned.body?.cancel();
      await withPage(browser, async (page) => {
        await page.goto(`${server.url}${grant.embedUrl}`);
        await playsFrom(page.mainFrame(), "hls", 0);
      });
      await withPage(browser, async (page) => {
        await page.context().grantPermissions([
          "clipboard-read",
          "clipboard-write",
        ]);
        await page.goto(`${server.url}/player/${pub}`);
        await page.waitForSelector(".player[data-engine]");
        await page.getByRole("button", { name: "Share" }).click();
        const dialog = page.getByRole("dialog");
        await dialog.getByLabel("Start at").check();
        await dialog.getByLabel("Start time").fill("1m30s");
        const link = await dialog.getByLabel("Link", { exact: true })
          .inputValue();
        assert.equal(link, `${server.url}/player/${pub}?t=1m30s`);
        const code = await dialog.getByLabel("Embed code", { exact: true })
          .inputValue();
        assert.match(
          code,
          new RegExp(
            `^<iframe src="${server.url}/embed/${pub}\\?t=1m30s" .*aspect-ratio: 320 / 180`,
          ),
        );
        await dialog.getByRole("button", { name: "Copy embed code" }).click();
        assert.equal(
          await page.evaluate(() => navigator.clipboard.readText()),
          code,
        );
        // The private video's dialog makes a signed link instead.
        await page.goto(`${server.url}/player/${prv}`);
        await page.waitForSelector(".player[data-engine]");
        await page.getByRole("button", { name: "Share" }).click();
        await page.getByRole("dialog").getByRole("button", {
          name: "Create signed link",
        }).click();
        const signed = await page.getByRole("dialog").getByLabel(
          "Signed link",
          { exact: true },
        )
          .inputValue();
        assert.match(signed, new RegExp(`/embed/${prv}\\?token=\\d+\\.`));
        const embed = await fetch(signed);
        assert.equal(embed.status, 200);
        await embed.body?.cancel();
      });
    } finally {
      await browser.close();
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
