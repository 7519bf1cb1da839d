/** Where files live under `DATA_DIR`. Ids are validated UUIDs before they reach here. */
import { join } from "node:path";

/** The folders of one data directory. */
export interface DataPaths {
  root: string;
  /** Originals, outside any served folder: `uploads/<id>/original.<ext>`. */
  uploads: string;
  /** Served outputs: `streams/<id>/…`. */
  streams: string;
  /** Multipart uploads being received. */
  incoming: string;
  /** tus partial uploads. */
  tus: string;
}

/** The folder layout under `dataDir`. */
export function dataPaths(dataDir: string): DataPaths {
  return {
    root: dataDir,
    uploads: join(dataDir, "uploads"),
    streams: join(dataDir, "streams"),
    incoming: join(dataDir, "incoming"),
    tus: join(dataDir, "tus"),
  };
}

/** Creates every folder of the layout. */
export async function ensureDataPaths(p: DataPaths): Promise<void> {
  for (const dir of [p.uploads, p.streams, p.incoming, p.tus]) {
    await Deno.mkdir(dir, { recursive: true });
  }
}

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True for a lowercase RFC 4122 UUID, the only ids this app issues. */
export function isVideoId(id: string): boolean {
  return UUID.test(id);
}

/** Removes a path recursively, ignoring "not found". */
export async function removeAll(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/** Removes temp output folders (`streams/<id>.tmp-*`) an interrupted transcode left behind. */
export async function removeTempOutputs(
  p: DataPaths,
  id: string,
): Promise<void> {
  try {
    for await (const e of Deno.readDir(p.streams)) {
      if (e.name.startsWith(`${id}.tmp-`)) {
        await removeAll(join(p.streams, e.name));
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

/** Removes every file of a video: outputs, temp outputs and the original. */
export async function removeVideoFiles(
  p: DataPaths,
  id: string,
): Promise<void> {
  await removeAll(join(p.streams, id));
  await removeTempOutputs(p, id);
  await removeAll(join(p.uploads, id));
}
