/** Refuses new uploads when the disk is nearly full (507), before any byte is written. */
import { ApiError, formatBytes } from "../http/errors.ts";
import { freeDiskBytes } from "../health.ts";
import type { Config } from "../config.ts";

/** Throws `insufficient_storage` when free space in `DATA_DIR` is under the minimum. */
export async function ensureFreeDisk(
  config: Config,
  incomingBytes = 0,
): Promise<void> {
  const free = await freeDiskBytes(config.dataDir);
  if (free - incomingBytes < config.minFreeDiskBytes) {
    throw new ApiError(
      "insufficient_storage",
      `The server is low on disk space (${
        formatBytes(free)
      } free, MIN_FREE_DISK_BYTES is ` +
        `${
          formatBytes(config.minFreeDiskBytes)
        }); uploads are paused until space is freed.`,
    );
  }
}
