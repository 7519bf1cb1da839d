/**
 * The real app in-process: `buildWeb` on a temp `DATA_DIR` (real SQLite, real local blob
 * store, real ffprobe) and the Fresh handler called with real `Request`s — no spawned
 * server. A fake transcoder can replace ffmpeg so use-case tests take milliseconds.
 */
import { join } from "node:path";
import manifest from "../../fresh.gen.ts";
import { buildWeb, loadConfig, type WebApp } from "../../lib/app/mod.ts";
import { createApp } from "../../lib/fresh/mod.ts";
import type { TranscodeFn } from "../../lib/videos/mod.ts";

/** An app under test. */
export interface InProcessApp {
  web: WebApp;
  dataDir: string;
  /** Answers a request like the server would (path relative to http://reel.test). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A transcoder that writes a tiny stream folder at once (optionally failing or waiting). */
export function fakeTranscode(
  behaviour: { fail?: () => boolean; hold?: Promise<void> } = {},
): TranscodeFn & { calls: number } {
  const fn = Object.assign(async (opts: Parameters<TranscodeFn>[0]) => {
    fn.calls++;
    await opts.onPlan?.([{ width: 320, height: 180 }]);
    opts.onProgress?.(0.5);
    if (behaviour.hold) {
      await Promise.race([
        behaviour.hold,
        new Promise((_, reject) =>
          opts.signal?.addEventListener(
            "abort",
            () => reject(opts.signal!.reason),
          )
        ),
      ]);
    }
    if (behaviour.fail?.()) throw new Error("ffmpeg failed: fake failure");
    await Deno.mkdir(opts.outDir, { recursive: true });
    await Deno.writeTextFile(join(opts.outDir, "master.m3u8"), "#EXTM3U\n");
    await Deno.writeFile(
      join(opts.outDir, "chunk-0-00001.m4s"),
      new Uint8Array(8),
    );
    return {
      renditions: [{ width: 320, height: 180, bitrate: 100_000 }],
      durationSec: opts.info.durationSec,
      copiedTopRung: false,
      thumbnails: false,
      elapsedSec: 0.01,
      firstPublishSec: null,
    };
  }, { calls: 0 });
  return fn;
}

/** Starts the app in-process; `env` overrides settings, `transcode` replaces ffmpeg. */
export async function inProcessApp(
  opts: { env?: Record<string, string>; transcode?: TranscodeFn } = {},
): Promise<InProcessApp> {
  const dataDir = await Deno.makeTempDir({ prefix: "reel-app-" });
  const config = loadConfig({
    DATA_DIR: dataDir,
    MIN_FREE_DISK_BYTES: "0",
    RATE_LIMIT_UPLOADS: "0",
    RATE_LIMIT_WRITES: "0",
    ...opts.env,
  });
  const web = await buildWeb(config, {
    transcode: opts.transcode,
    retryBaseMs: 20,
    pollMs: 50,
  });
  const app = createApp({ manifest, use: [web.provide] });
  return {
    web,
    dataDir,
    fetch: (path, init) =>
      app.handler(new Request(new URL(path, "http://reel.test"), init)),
    async [Symbol.asyncDispose]() {
      web.endStreams();
      await web.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `ms`). */
export async function until<T>(
  fn: () =>
    | Promise<T | false | null | undefined>
    | T
    | false
    | null
    | undefined,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
