/**
 * Liveness (`/healthz`) and readiness (`/readyz`) reports: the ffmpeg version, the queue,
 * whether the database answers, and free disk space.
 *
 * @module
 */
import { ffmpegVersion } from "../media/mod.ts";
import type { QueueDepth } from "../store/ports.ts";

/** What the health reports look at. */
export interface HealthDeps {
  ffmpegPath: string;
  /** Below it `/readyz` says not ready (`MIN_FREE_DISK_BYTES`). */
  minFreeBytes: number;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Resolves when the object store answers; absent for local disk. */
  pingStorage?: (() => Promise<void>) | null;
  depth(): Promise<QueueDepth>;
  /** Free bytes in `DATA_DIR`. */
  freeBytes(): Promise<number>;
}

/** Health report for `/healthz`. */
export async function health(d: HealthDeps): Promise<{
  status: "ok";
  ffmpeg: string | null;
  queue: QueueDepth;
}> {
  let queue = { queued: 0, processing: 0 };
  try {
    queue = await d.depth();
  } catch { /* database trouble shows in /readyz */ }
  return { status: "ok", ffmpeg: await ffmpegVersion(d.ffmpegPath), queue };
}

/** One readiness check. */
export interface Check {
  ok: boolean;
  detail: string;
}

/** Readiness for `/readyz`: database, ffmpeg, disk. */
export async function readiness(
  d: HealthDeps,
): Promise<{ ready: boolean; checks: Record<string, Check> }> {
  const checks: Record<string, Check> = {};
  try {
    await d.ping();
    checks.database = { ok: true, detail: "open" };
  } catch (err) {
    checks.database = {
      ok: false,
      detail: `database error: ${(err as Error).message}`,
    };
  }
  if (d.pingStorage) {
    try {
      await d.pingStorage();
      checks.storage = { ok: true, detail: "bucket answers" };
    } catch (err) {
      checks.storage = { ok: false, detail: (err as Error).message };
    }
  }
  const version = await ffmpegVersion(d.ffmpegPath);
  checks.ffmpeg = version ? { ok: true, detail: `ffmpeg ${version}` } : {
    ok: false,
    detail:
      `ffmpeg not found or not runnable at "${d.ffmpegPath}" (FFMPEG_PATH)`,
  };
  try {
    const free = await d.freeBytes();
    checks.disk = {
      ok: free >= d.minFreeBytes,
      detail:
        `${free} bytes free in DATA_DIR; minimum ${d.minFreeBytes} (MIN_FREE_DISK_BYTES)`,
    };
  } catch (err) {
    checks.disk = {
      ok: false,
      detail: `cannot read free space: ${(err as Error).message}`,
    };
  }
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
