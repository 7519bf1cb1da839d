/**
 * The local-disk {@link BlobStore}: a key is a path under the root folder (`DATA_DIR`), so
 * `streams/<id>/…` and `uploads/<id>/…` keep the layout of earlier versions. Serving goes
 * through `serveDir` (Range, ETag, 304, confinement), and publishing a stream folder is
 * one rename, so readers never see half of one.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { serveDir } from "../../http/serve_dir.ts";
import type { BlobInfo, BlobStore, ByteRange, ServeOptions } from "../port.ts";
import { freeDiskBytes, removeAll } from "../disk.ts";

const KEY = /^(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+\/?$/;

/** Refuses keys that could leave the root (`..`, absolute, odd characters). */
function checkKey(key: string): string {
  if (!KEY.test(key) || key.split("/").some((s) => s === "." || s === "..")) {
    throw new Error(`Invalid blob key: ${JSON.stringify(key)}`);
  }
  return key;
}

/** Blobs as files under `root`. */
export class LocalBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #path(key: string): string {
    return join(this.root, checkKey(key));
  }

  async putFile(
    key: string,
    path: string,
    opts: { move?: boolean } = {},
  ): Promise<void> {
    const dest = this.#path(key);
    await Deno.mkdir(dirname(dest), { recursive: true });
    if (opts.move) {
      try {
        await Deno.rename(path, dest);
        return;
      } catch (err) {
        // Another file system: copy instead.
        if (!(err instanceof Deno.errors.NotSupported) && !isCrossDevice(err)) {
          throw err;
        }
      }
    }
    await this.#writeAtomically(dest, async (tmp) => {
      // A hard link costs nothing and is safe: published files are never written again.
      try {
        await Deno.link(path, tmp);
      } catch {
        await Deno.copyFile(path, tmp);
      }
    });
    if (opts.move) await removeAll(path);
  }

  async putStream(
    key: string,
    body: ReadableStream<Uint8Array>,
  ): Promise<void> {
    const dest = this.#path(key);
    await Deno.mkdir(dirname(dest), { recursive: true });
    await this.#writeAtomically(dest, async (tmp) => {
      const file = await Deno.open(tmp, { write: true, createNew: true });
      await body.pipeTo(file.writable);
    });
  }

  async get(
    key: string,
    range?: ByteRange,
  ): Promise<{ body: ReadableStream<Uint8Array>; size: number } | null> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.#path(key), { read: true });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
    const { size } = await file.stat();
    if (!range) return { body: file.readable, size };
    const end = Math.min(range.end, size - 1);
    await file.seek(range.start, Deno.SeekMode.Start);
    let left = Math.max(0, end - range.start + 1);
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        if (left <= 0) {
          file.close();
          ctrl.close();
          return;
        }
        const buf = new Uint8Array(Math.min(left, 64 * 1024));
        const n = await file.read(buf);
        if (n === null) {
          file.close();
          ctrl.close();
          return;
        }
        left -= n;
        ctrl.enqueue(buf.subarray(0, n));
      },
      cancel() {
        file.close();
      },
    });
    return { body, size };
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const s = await Deno.stat(this.#path(key));
      return s.isFile ? { key, size: s.size, mtime: s.mtime } : null;
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    // The folder part of the prefix is walked; the rest filters names.
    const cut = prefix.lastIndexOf("/") + 1;
    const dirKey = prefix.slice(0, cut);
    const out: BlobInfo[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries: Deno.DirEntry[];
      try {
        entries = await Array.fromAsync(
          Deno.readDir(join(this.root, rel || ".")),
        );
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return;
        throw err;
      }
      for (const e of entries) {
        const key = `${rel}${e.name}`;
        if (e.isDirectory) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) {
            await walk(`${key}/`);
          }
        } else if (e.isFile && key.startsWith(prefix) && !isTemp(e.name)) {
          const s = await Deno.stat(join(this.root, key));
          out.push({ key, size: s.size, mtime: s.mtime });
        }
      }
    };
    if (dirKey) checkKey(dirKey);
    await walk(dirKey);
    return out.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (prefix.endsWith("/")) {
      await removeAll(this.#path(prefix));
      return;
    }
    for (const blob of await this.list(prefix)) {
      await removeAll(this.#path(blob.key));
    }
  }

  async publishDir(dir: string, prefix: string): Promise<void> {
    if (!prefix.endsWith("/")) {
      throw new Error("publishDir needs a folder prefix");
    }
    const dest = this.#path(prefix).replace(/\/$/, "");
    await Deno.mkdir(dirname(dest), { recursive: true });
    if (!(await exists(dest))) {
      // Nothing published yet: the whole folder lands with one rename.
      await Deno.rename(dir, dest);
      return;
    }
    // Files were published while it was written (progressive publishing): move each into
    // place, media before the playlists and manifests that name it, then drop the rest, so
    // a reader never finds a playlist naming a missing segment.
    const files = await listRelative(dir);
    const keep = new Set(files);
    files.sort((a, b) => Number(isManifest(a)) - Number(isManifest(b)));
    for (const rel of files) {
      const to = join(dest, rel);
      await Deno.mkdir(dirname(to), { recursive: true });
      await Deno.rename(join(dir, rel), to);
    }
    for (const rel of await listRelative(dest)) {
      if (!keep.has(rel)) await removeAll(join(dest, rel));
    }
    await removeAll(dir);
  }

  async localPath(key: string, _scratchDir: string): Promise<string | null> {
    return (await this.stat(key)) ? this.#path(key) : null;
  }

  async serve(
    req: Request,
    prefix: string,
    rawPath: string,
    opts?: ServeOptions,
  ): Promise<Response | null> {
    return await serveDir(req, this.#path(prefix), rawPath, opts);
  }

  async freeBytes(): Promise<number | null> {
    return await freeDiskBytes(this.root);
  }

  async #writeAtomically(
    dest: string,
    write: (tmp: string) => Promise<void>,
  ): Promise<void> {
    const tmp = `${dest}.part-${crypto.randomUUID().slice(0, 8)}`;
    try {
      await write(tmp);
      await Deno.rename(tmp, dest);
    } catch (err) {
      await removeAll(tmp);
      throw err;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

function isManifest(name: string): boolean {
  return /\.(m3u8|mpd)$/.test(name);
}

/** Files under `dir` as relative paths (`a/b.txt`). */
async function listRelative(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listRelative(dir, rel));
    else out.push(rel);
  }
  return out;
}

function isCrossDevice(err: unknown): boolean {
  return /EXDEV|cross-device/i.test(String((err as Error)?.message ?? err));
}

function isTemp(name: string): boolean {
  return /\.part-[0-9a-f]{8}$/.test(name);
}
