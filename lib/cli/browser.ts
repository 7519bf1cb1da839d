/**
 * Headless Chromium for browser tests and the benchmark: Debian's /usr/bin/chromium (or
 * `$CHROMIUM_PATH`) driven by npm playwright-core, with flags that keep it quiet and offline.
 *
 * @example
 * const browser = await launchBrowser();
 * try {
 *   const page = await (await browser.newContext()).newPage();
 * } finally {
 *   await browser.close();
 * }
 */
import { type Browser, chromium } from "playwright-core";

/** Chromium flags that keep a headless run quiet and offline. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches headless Chromium; close it in a `finally`. */
export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({
    executablePath: Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}
