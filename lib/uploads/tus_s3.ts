/**
 * Resumable uploads kept in the S3 bucket (npm `@tus/s3-store`), so a tus upload begun on
 * one web node resumes on any other: the upload's state is the bucket's (an `.info` object,
 * an S3 multipart upload holding the parts, and a `.part` object for a tail under the 5 MiB
 * part minimum), never a node's memory or disk. Objects live under `<S3_PREFIX>tus/`.
 *
 * Adjustments to the library:
 * - every key is prefixed by a client middleware (the store has no prefix option);
 * - no object tagging (Swift's s3api has none); expiry uses the multipart uploads' age;
 * - `remove` also deletes the `.part` object and works on a completed upload, so a
 *   terminated or finished upload leaves nothing in the bucket;
 * - parts are buffered in `tmpDir` (under `DATA_DIR`, the one folder the server may write).
 *
 * {@link SharedLocker} adds a lock held against every node (the database's) to tus's
 * per-process one, so two nodes never write the same upload at once.
 *
 * @module
 */
import { join } from "node:path";
import { S3Store } from "@tus/s3-store";
import type { Lock, Locker, MemoryLocker, Upload } from "@tus/server";
import {
  addS3Compat,
  removeAll,
  type S3BlobStoreOptions,
  s3ClientConfig,
} from "../storage/mod.ts";

/** Where tus keeps uploads in S3. */
export interface TusS3Options
  extends Pick<S3BlobStoreOptions, "endpoint" | "region" | "credentials"> {
  bucket: string;
  /** `S3_PREFIX`; tus objects go under `<prefix>tus/`. */
  prefix?: string;
  /** Unfinished uploads older than this are removed by `deleteExpired` (0: never). */
  expiryMs: number;
  /** Local folder for parts being assembled (created if missing). */
  tmpDir: string;
}

/** The S3 tus store, plus the short memory of uploads finished in the current request. */
export class TusS3Store extends S3Store {
  readonly finished = new Map<string, Upload>();
  readonly #tmpDir: string;

  constructor(opts: TusS3Options) {
    super({
      s3ClientConfig: { bucket: opts.bucket, ...s3ClientConfig(opts) },
      expirationPeriodInMilliseconds: opts.expiryMs,
      useTags: false,
      partSize: 8 * 1024 * 1024,
      maxConcurrentPartUploads: 4,
    });
    this.#tmpDir = opts.tmpDir;
    Deno.mkdirSync(opts.tmpDir, { recursive: true });
    // The library splits PATCH bodies into part files under os.tmpdir(), which reads TMPDIR.
    Deno.env.set("TMPDIR", opts.tmpDir);
    this.client.middlewareStack.add(prefixKeys(`${opts.prefix ?? ""}tus/`), {
      step: "initialize",
      name: "reelTusKeyPrefix",
    });
    addS3Compat(this.client);
  }

  override getUpload(id: string): Promise<Upload> {
    const done = this.finished.get(id);
    return done ? Promise.resolve(done) : super.getUpload(id);
  }

  /** Copies a finished upload's bytes into the local file `path`. */
  async download(id: string, path: string): Promise<void> {
    const body = await this.read(id) as unknown as AsyncIterable<Uint8Array>;
    using file = await Deno.open(path, {
      write: true,
      create: true,
      truncate: true,
    });
    try {
      for await (const chunk of body) {
        let off = 0;
        while (off < chunk.length) off += await file.write(chunk.subarray(off));
      }
    } catch (err) {
      await removeAll(path);
      throw err;
    }
  }

  /** Removes every object of an upload, unfinished (aborted) or finished; absent is fine. */
  override async remove(id: string): Promise<void> {
    let uploadId: string | undefined;
    try {
      uploadId = (await this.getMetadata(id))["upload-id"];
    } catch { /* no info object: nothing more to abort */ }
    if (uploadId) {
      await this.client.abortMultipartUpload({
        Bucket: this.bucket,
        Key: id,
        UploadId: uploadId,
      }).catch(() => {}); // already completed or aborted
    }
    await this.client.deleteObjects({
      Bucket: this.bucket,
      Delete: {
        Objects: [id, `${id}.info`, `${id}.part`].map((Key) => ({ Key })),
      },
    });
    await this.clearCache(id);
  }

  /** Removes expired uploads, and part files a crashed process left in the temp folder. */
  override async deleteExpired(): Promise<number> {
    const removed = await super.deleteExpired();
    const cutoff = Date.now() - Math.max(this.getExpiration(), 3_600_000);
    for await (const e of Deno.readDir(this.#tmpDir)) {
      const path = join(this.#tmpDir, e.name);
      const s = await Deno.stat(path).catch(() => null);
      if (s?.mtime && s.mtime.getTime() < cutoff) await removeAll(path);
    }
    return removed;
  }

  override uniqueTmpFileName(template: string): Promise<string> {
    return Promise.resolve(
      join(this.#tmpDir, `${template}${crypto.randomUUID().slice(0, 12)}`),
    );
  }
}

/**
 * Client middleware putting every key of the tus store under `prefix` (and taking it off
 * the keys S3 answers with), so the store's own names (`<id>`, `<id>.info`) stay short.
 */
function prefixKeys(prefix: string) {
  const add = (k: unknown) =>
    typeof k === "string" && !k.startsWith(prefix) ? prefix + k : k;
  const cut = (k: unknown) =>
    typeof k === "string" && k.startsWith(prefix) ? k.slice(prefix.length) : k;
  // deno-lint-ignore no-explicit-any
  return (next: any, context: any) => async (args: any) => {
    const input = { ...args.input };
    if ("Key" in input) input.Key = add(input.Key);
    if (input.Delete?.Objects) {
      input.Delete = {
        ...input.Delete,
        Objects: input.Delete.Objects.map((o: { Key: string }) => ({
          ...o,
          Key: add(o.Key),
        })),
      };
    }
    if (context.commandName === "ListMultipartUploadsCommand") {
      input.Prefix = prefix + (input.Prefix ?? "");
      if (input.KeyMarker) input.KeyMarker = add(input.KeyMarker);
    }
    const result = await next({ ...args, input });
    const out = result.output;
    if (out && typeof out === "object") {
      if ("Key" in out) out.Key = cut(out.Key);
      if ("NextKeyMarker" in out) out.NextKeyMarker = cut(out.NextKeyMarker);
      if (Array.isArray(out.Uploads)) {
        for (const u of out.Uploads) u.Key = cut(u.Key);
      }
    }
    return result;
  };
}

/** Takes a named lock against every process; resolves to its release. */
export type SharedLock = (
  name: string,
  signal: AbortSignal,
) => Promise<() => Promise<void>>;

/** How long a request waits for an upload another node is receiving. */
const SHARED_LOCK_WAIT_MS = 30_000;

/**
 * tus's in-process locker (which asks a local holder to let go at once) followed by a
 * shared lock, so a PATCH on one node waits while another node still receives the same
 * upload (for instance a request the client gave up on), then answers 423.
 */
export class SharedLocker implements Locker {
  readonly #local: MemoryLocker;
  readonly #shared: SharedLock;

  constructor(local: MemoryLocker, shared: SharedLock) {
    this.#local = local;
    this.#shared = shared;
  }

  newLock(id: string): Lock {
    const local = this.#local.newLock(id);
    const shared = this.#shared;
    let release: (() => Promise<void>) | null = null;
    return {
      async lock(signal, requestRelease) {
        await local.lock(signal, requestRelease);
        const wait = AbortSignal.any([
          signal,
          AbortSignal.timeout(SHARED_LOCK_WAIT_MS),
        ]);
        try {
          release = await shared(`tus:${id}`, wait);
        } catch (err) {
          await local.unlock();
          if (signal.aborted) throw err;
          throw {
            status_code: 423,
            body:
              "Another server is still receiving this upload. Resume it again in a moment",
          };
        }
      },
      async unlock() {
        const r = release;
        release = null;
        try {
          await r?.();
        } finally {
          await local.unlock();
        }
      },
    };
  }
}
