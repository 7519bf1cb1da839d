/// <reference lib="dom" />
import { assertEquals } from "../fresh/_assert.ts";
import manifest from "../fixtures/fresh_app/fresh.gen.ts";
import { describe } from "../fixtures/fresh_app/islands/PropsView.tsx";
import { sampleValues } from "../fixtures/fresh_app/props.ts";
import { buildIslands, createApp } from "../../lib/fresh/mod.ts";
import { launchBrowser, serveOnFreePort, withPage } from "./_browser.ts";

const FIXTURE = new URL("../fixtures/fresh_app", import.meta.url).pathname;

Deno.test("islands - hydrate in Chromium with shared signals and every prop type", async () => {
  const buildDir = await Deno.makeTempDir({ prefix: "fresh-islands-browser-" });
  await buildIslands({ root: FIXTURE, outDir: buildDir });
  const app = createApp({ manifest, buildDir, dev: false });
  const { url, server } = serveOnFreePort((req, info) =>
    app.handler(req, info)
  );
  const browser = await launchBrowser();
  try {
    await withPage(browser, async (page) => {
      await page.goto(`${url}/islands`);
      await page.waitForFunction(() =>
        document.documentElement.dataset.hydrated === "true"
      );

      // Two islands share one signal: a click in Counter updates Display.
      assertEquals(await page.textContent("#display-count"), "3");
      assertEquals(await page.textContent("#display-same"), "true");
      await page.click("#inc-a");
      await page.click("#inc-a");
      await page.waitForFunction(() =>
        document.querySelector("#display-count")?.textContent === "5"
      );
      assertEquals(await page.textContent("#inc-a"), "a: 5");

      // The island nested inside Display was rendered once, not double-marked.
      assertEquals(await page.locator(".badge").count(), 1);

      // Every supported prop type arrived intact (described on the client, after effects).
      await page.waitForFunction(() =>
        (document.querySelector("#client-report")?.textContent ?? "") !== ""
      );
      const report = await page.textContent("#client-report");
      assertEquals(
        JSON.parse(report ?? "null"),
        JSON.parse(JSON.stringify(describe(sampleValues()))),
      );

      // The hostile prop string did not escape into markup.
      assertEquals(await page.evaluate(() => "__xss" in globalThis), false);
      assertEquals(await page.locator("img").count(), 0);
    });

    // A page without islands loads no JavaScript at all.
    await withPage(browser, async (page) => {
      const scripts: string[] = [];
      page.on("request", (r) => {
        if (r.resourceType() === "script") scripts.push(r.url());
      });
      await page.goto(`${url}/about`);
      assertEquals(await page.locator("script").count(), 0);
      assertEquals(scripts, []);
    });
  } finally {
    await browser.close();
    await server.shutdown();
    await Deno.remove(buildDir, { recursive: true });
  }
});
