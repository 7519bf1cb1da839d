/**
 * Shared headless Chromium launcher for browser tests (Debian's /usr/bin/chromium driven
 * by npm playwright-core).
 *
 * @example
 * const browser = await launchBrowser();
 * try {
 *   await withPage(browser, async (page, errors) => { … });
 * } finally {
 *   await browser.close();
 * }
 */
import type { Browser, Page } from "playwright-core";

// The launcher lives in lib/cli so the benchmark can use it without importing tests/.
export { CHROMIUM_ARGS, launchBrowser } from "../../lib/cli/browser.ts";

/**
 * Opens a page in a fresh context, runs `fn`, then closes the context. `errors` collects
 * console errors and uncaught page errors; by default the helper fails if any occurred.
 */
export async function withPage<T>(
  browser: Browser,
  fn: (page: Page, errors: string[]) => Promise<T>,
  opts: { allowErrors?: boolean } = {},
): Promise<T> {
  const context = await browser.newContext();
  const errors: string[] = [];
  try {
    const page = await context.newPage();
    page.on("console", (msg) => {
      if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
    });
    page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
    const result = await fn(page, errors);
    if (!opts.allowErrors && errors.length > 0) {
      throw new Error(`Browser errors:\n${errors.join("\n")}`);
    }
    return result;
  } finally {
    await context.close();
  }
}

/** Starts `handler` on a free port; returns its base URL and the server to shut down. */
export function serveOnFreePort(
  handler: Deno.ServeHandler,
): { url: string; server: Deno.HttpServer<Deno.NetAddr> } {
  const server = Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    onListen: () => {},
  }, handler);
  return { url: `http://127.0.0.1:${server.addr.port}`, server };
}

/** Opens a player page with `engine` as the remembered choice, once that engine runs. */
export async function openWithEngine(
  page: Page,
  url: string,
  engine: "hls" | "dash",
): Promise<void> {
  await page.addInitScript(
    (e) => localStorage.setItem("reel.player.engine", e),
    engine,
  );
  await page.goto(url);
  await page.waitForFunction(
    (e) => document.querySelector(".player")?.getAttribute("data-engine") === e,
    engine,
  );
}
