/**
 * A real webhook receiver on a real port: verifies every request's signature with the
 * `standardwebhooks` library and, independently, with WebCrypto HMAC-SHA256; records what
 * arrived; answers per path (`/ok`, `/fail2` = 500 twice per message then 200, `/failfirst`
 * = 500 on the first try of each message, `/slow` = answers after 12 s, `/redirect` = 302).
 * Also the in-process app on a DATA_DIR of the test's choosing, so a test can restart it.
 */
import { Webhook } from "standardwebhooks";
import manifest from "../../fresh.gen.ts";
import { buildWeb, loadConfig, type WebApp } from "../../lib/app/mod.ts";
import { createApp } from "../../lib/fresh/mod.ts";
import type { TranscodeFn } from "../../lib/videos/mod.ts";
import { makeClip } from "../media/_clips.ts";
import { formBody } from "../uploads/_helpers.ts";

/** One request the receiver got. */
export interface Received {
  path: string;
  at: number;
  id: string;
  timestamp: string;
  signature: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  /** The standardwebhooks library accepted it. */
  libraryVerified: boolean;
  /** Our own HMAC-SHA256 over `id.timestamp.body` matched. */
  hmacVerified: boolean;
  /** What the receiver answered. */
  status: number;
}

/** A running receiver. */
export interface Receiver extends AsyncDisposable {
  port: number;
  url(path: string): string;
  got: Received[];
  /** Secrets by path (set after creating the hook). */
  secrets: Map<string, string>;
  close(): Promise<void>;
}

async function hmac(secret: string, text: string): Promise<string> {
  const raw = Uint8Array.from(
    atob(secret.replace(/^whsec_/, "")),
    (c) => c.charCodeAt(0),
  );
  const key = await crypto.subtle.importKey(
    "raw",
    raw,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(text),
  );
  return btoa(String.fromCharCode(...new Uint8Array(sig)));
}

/** Starts a receiver on `port` (0: any free port). */
export function startReceiver(port = 0): Promise<Receiver> {
  const got: Received[] = [];
  const secrets = new Map<string, string>();
  const tries = new Map<string, number>();
  const ac = new AbortController();
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port,
      signal: ac.signal,
      onListen: (addr) => {
        const p = addr.port;
        resolve({
          port: p,
          url: (path) => `http://127.0.0.1:${p}${path}`,
          got,
          secrets,
          close: async () => {
            ac.abort();
            await server.finished;
          },
          [Symbol.asyncDispose]: async () => {
            ac.abort();
            await server.finished;
          },
        });
      },
    }, async (req) => {
      const path = new URL(req.url).pathname;
      const text = await req.text();
      const h = req.headers;
      const id = h.get("webhook-id") ?? "";
      const timestamp = h.get("webhook-timestamp") ?? "";
      const signature = h.get("webhook-signature") ?? "";
      const secret = secrets.get(path) ?? "";
      let libraryVerified = false;
      try {
        new Webhook(secret).verify(text, {
          "webhook-id": id,
          "webhook-timestamp": timestamp,
          "webhook-signature": signature,
        });
        libraryVerified = true;
      } catch { /* recorded as unverified */ }
      const expected = `v1,${await hmac(secret, `${id}.${timestamp}.${text}`)}`;
      const n = (tries.get(`${path} ${id}`) ?? 0) + 1;
      tries.set(`${path} ${id}`, n);
      let status = 200;
      if (path.startsWith("/fail2") && n <= 2) status = 500;
      if (path.startsWith("/failfirst") && n === 1) status = 500;
      if (path.startsWith("/redirect")) status = 302;
      if (path.startsWith("/slow")) {
        await new Promise((r) => setTimeout(r, 12_000));
      }
      got.push({
        path,
        at: Date.now(),
        id,
        timestamp,
        signature,
        body: JSON.parse(text),
        libraryVerified,
        hmacVerified: signature.split(" ").includes(expected),
        status,
      });
      return status === 302
        ? new Response(null, { status, headers: { location: "/ok" } })
        : new Response(status === 200 ? "ok" : "no", { status });
    });
  });
}

/** A port nothing listens on (bound, then released). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** The app in-process on `dataDir` (kept across restarts). */
export interface App {
  web: WebApp;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Builds the web app on `dataDir`; private targets allowed and short retries unless overridden. */
export async function startApp(
  dataDir: string,
  opts: { env?: Record<string, string>; transcode?: TranscodeFn } = {},
): Promise<App> {
  const config = loadConfig({
    DATA_DIR: dataDir,
    MIN_FREE_DISK_BYTES: "0",
    RATE_LIMIT_UPLOADS: "0",
    RATE_LIMIT_WRITES: "0",
    WEBHOOK_ALLOW_PRIVATE: "true",
    WEBHOOK_RETRY_BASE_SEC: "0.05",
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
    fetch: (path, init) =>
      app.handler(new Request(new URL(path, "http://reel.test"), init)),
    async close() {
      web.endStreams();
      await web.close();
    },
  };
}

let clip: Uint8Array<ArrayBuffer> | null = null;

/** Uploads a 1 s generated clip (multipart); returns the Video JSON. */
export async function upload(app: App): Promise<{ id: string }> {
  if (!clip) {
    const dir = await Deno.makeTempDir();
    clip = await Deno.readFile(await makeClip(dir, { seconds: 1 }));
    await Deno.remove(dir, { recursive: true });
  }
  const { body, contentType } = formBody([
    { name: "file", filename: "clip.mp4", data: clip, type: "video/mp4" },
  ]);
  const res = await app.fetch("/api/videos", {
    method: "POST",
    body,
    headers: { "content-type": contentType },
  });
  if (res.status !== 202) throw new Error(`upload: ${res.status}`);
  return await res.json();
}

/** Registers a hook on `receiver` at `path`; remembers its secret there. */
export async function addHook(
  app: App,
  receiver: Receiver,
  path: string,
  events: string[] = [
    "video.created",
    "video.playable",
    "video.ready",
    "video.failed",
    "video.deleted",
  ],
): Promise<{ id: string; secret: string }> {
  const res = await app.fetch("/api/webhooks", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: receiver.url(path), events }),
  });
  if (res.status !== 201) {
    throw new Error(`create hook: ${res.status} ${await res.text()}`);
  }
  const hook = await res.json();
  receiver.secrets.set(path, hook.secret);
  return hook;
}
