/** Finds the kept original of a video: `uploads/<id>/original.<ext>`. */
import { join } from "node:path";
import type { DataPaths } from "./paths.ts";

/** The original's path, or null when it is gone. */
export async function findOriginal(
  paths: DataPaths,
  id: string,
): Promise<string | null> {
  const dir = join(paths.uploads, id);
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.startsWith("original.")) return join(dir, e.name);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return null;
}
