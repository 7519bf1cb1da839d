/** Small client helpers for integration tests against a real server. */
import type { TestServer } from "../_server.ts";

/** The Video JSON fields tests read. */
export interface VideoJson {
  id: string;
  title: string;
  status: "queued" | "processing" | "ready" | "failed";
  progress: number;
  error: string | null;
  sourceName: string;
  width: number | null;
  height: number | null;
  durationSec: number | null;
  renditions: { width: number; height: number; bitrate: number }[];
  hlsUrl: string | null;
  dashUrl: string | null;
  posterUrl: string | null;
  thumbnailsUrl: string | null;
}

/** Uploads a file through the multipart endpoint; returns status and parsed JSON. */
export async function uploadMultipart(
  s: TestServer,
  path: string,
  name: string,
  title?: string,
): Promise<
  { status: number; body: Record<string, unknown>; headers: Headers }
> {
  const fd = new FormData();
  if (title !== undefined) fd.append("title", title);
  fd.append("file", new Blob([await Deno.readFile(path)]), name);
  const res = await fetch(`${s.url}/api/videos`, { method: "POST", body: fd });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

/** GET one video's JSON. */
export async function getVideo(s: TestServer, id: string): Promise<VideoJson> {
  const res = await fetch(`${s.url}/api/videos/${id}`);
  if (!res.ok) {
    throw new Error(`GET video ${id}: ${res.status} ${await res.text()}`);
  }
  return await res.json();
}

/** Polls until the video is ready/failed (or `until` holds); returns every state seen. */
export async function waitFor(
  s: TestServer,
  id: string,
  until: (v: VideoJson) => boolean = (v) =>
    v.status === "ready" || v.status === "failed",
  timeoutMs = 120_000,
): Promise<{ last: VideoJson; seen: VideoJson[] }> {
  const seen: VideoJson[] = [];
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await getVideo(s, id);
    seen.push(v);
    if (until(v)) return { last: v, seen };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `timed out waiting for video ${id}: ${JSON.stringify(seen.at(-1))}`,
  );
}

/** Lists files under a folder, recursively, as relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, prefix: string) {
    try {
      for await (const e of Deno.readDir(d)) {
        if (e.isDirectory) await walk(`${d}/${e.name}`, `${prefix}${e.name}/`);
        else out.push(`${prefix}${e.name}`);
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  await walk(dir, "");
  return out.sort();
}

/** Pids of running processes whose command line contains `needle`. */
export async function pgrep(needle: string): Promise<number[]> {
  const out = await new Deno.Command("pgrep", {
    args: ["-f", needle],
    stdout: "piped",
  })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").filter(Boolean).map(
    Number,
  );
}

/**
 * Uploads `path` (multipart, its own file name, extra form `fields`), waits until the video
 * is ready and returns its id; fails on any other outcome.
 */
export async function uploadReady(
  s: TestServer,
  path: string,
  fields: Record<string, string> = {},
): Promise<string> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const name = path.split("/").pop()!;
  form.append("file", new Blob([await Deno.readFile(path)]), name);
  const res = await fetch(`${s.url}/api/videos`, {
    method: "POST",
    body: form,
  });
  if (res.status !== 202) {
    throw new Error(`upload of ${name}: ${res.status} ${await res.text()}`);
  }
  const { id } = await res.json();
  const { last } = await waitFor(s, id);
  if (last.status !== "ready") {
    throw new Error(`${name} ended ${last.status}: ${last.error}`);
  }
  return id;
}
