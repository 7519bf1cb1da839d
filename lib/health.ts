/**
 * Liveness and readiness facts: the ffmpeg version (cached briefly), free disk space, and
 * whether the database answers.
 */
import { statfs } from "node:fs/promises";
import type { Services } from "./services.ts";

let cached: { at: number; version: string | null } | null = null;

/** `ffmpeg -version`'s number (e.g. "5.1.9"), or null when ffmpeg cannot run. Cached 10 s. */
export async function ffmpegVersion(
  ffmpegPath: string,
): Promise<string | null> {
  if (cached && Date.now() - cached.at < 10_000) return cached.version;
  let version: string | null = null;
  try {
    const out = await new Deno.Command(ffmpegPath, {
      args: ["-hide_banner", "-version"],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    const m = new TextDecoder().decode(out.stdout).match(
      /ffmpeg version (\S+)/,
    );
    if (out.success && m) version = m[1].replace(/-.*$/, "");
  } catch {
    version = null;
  }
  cached = { at: Date.now(), version };
  return version;
}

/** Bytes available to this process on the file system holding `dir`. */
export async function freeDiskBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** Health report for `/healthz`. */
export async function health(s: Services): Promise<{
  status: "ok";
  ffmpeg: string | null;
  queue: { queued: number; processing: number };
}> {
  let queue = { queued: 0, processing: 0 };
  try {
    queue = s.jobs.depth();
  } catch { /* database trouble shows in /readyz */ }
  return {
    status: "ok",
    ffmpeg: await ffmpegVersion(s.config.ffmpegPath),
    queue,
  };
}

/** One readiness check. */
export interface Check {
  ok: boolean;
  detail: string;
}

/** Readiness for `/readyz`: database, ffmpeg, disk. */
export async function readiness(
  s: Services,
): Promise<{ ready: boolean; checks: Record<string, Check> }> {
  const checks: Record<string, Check> = {};
  try {
    s.db.prepare("SELECT 1").get();
    checks.database = { ok: true, detail: "open" };
  } catch (err) {
    checks.database = {
      ok: false,
      detail: `database error: ${(err as Error).message}`,
    };
  }
  const version = await ffmpegVersion(s.config.ffmpegPath);
  checks.ffmpeg = version ? { ok: true, detail: `ffmpeg ${version}` } : {
    ok: false,
    detail:
      `ffmpeg not found or not runnable at "${s.config.ffmpegPath}" (FFMPEG_PATH)`,
  };
  try {
    const free = await freeDiskBytes(s.config.dataDir);
    const ok = free >= s.config.minFreeDiskBytes;
    checks.disk = {
      ok,
      detail:
        `${free} bytes free in DATA_DIR; minimum ${s.config.minFreeDiskBytes} (MIN_FREE_DISK_BYTES)`,
    };
  } catch (err) {
    checks.disk = {
      ok: false,
      detail: `cannot read free space: ${(err as Error).message}`,
    };
  }
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
