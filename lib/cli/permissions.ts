/**
 * The narrow Deno permissions the server runs with (no `-A`): network, environment, reading
 * the project and `DATA_DIR`, writing only `DATA_DIR`, and running only ffmpeg, ffprobe and
 * `kill` (to stop a transcode's process group left behind by a crashed server).
 */
import { loadConfig } from "../app/config.ts";

/** `deno run` permission flags for the server or a worker rooted at `root`. */
export function serverPermissions(
  root: string,
  env?: Record<string, string>,
): string[] {
  const c = loadConfig(env);
  return [
    "--allow-net",
    "--allow-env",
    "--allow-sys=hostname,statfs,osRelease",
    `--allow-read=${root},${c.dataDir},/tmp`,
    `--allow-write=${c.dataDir}`,
    `--allow-run=${c.ffmpegPath},${c.ffprobePath},kill,nice`,
  ];
}
