/**
 * The S3 {@link BlobStore}: objects in one bucket of AWS S3 or any S3-compatible server
 * (tested against OpenStack Swift's `s3api`), optionally under a key prefix. Nothing is
 * ever held whole in memory: files go up as streams (multipart above 8 MiB, each part
 * streamed from its byte range of the file), bodies come down as streams.
 *
 * Compatibility choices (see docs/architecture.md, "Ports"):
 * - checksums only WHEN_REQUIRED: servers like Swift refuse `aws-chunked` bodies;
 * - DeleteObjects gets a `Content-MD5` header, which older servers (Swift) require and the
 *   SDK no longer sends; if multi-delete still fails, objects are deleted one by one;
 * - `serve` decides 304/206/416 from the server's answer, and falls back to a HEAD plus
 *   local evaluation (the rules of `lib/http/serve_file.ts`) where the server's answer is
 *   not enough (a malformed range, `If-Range`, a 416 without the object size).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename, join } from "node:path";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import {
  contentTypeFor,
  ifRangeAllows,
  notModified,
  parseRange,
} from "../../http/serve_file.ts";
import { confinedSegments, decodePath } from "../../http/serve_dir.ts";
import type { BlobInfo, BlobStore, ByteRange, ServeOptions } from "../port.ts";
import { removeAll } from "../disk.ts";

/** Options of {@link S3BlobStore}. */
export interface S3BlobStoreOptions {
  bucket: string;
  /** An S3-compatible server (`http://host:port`); path-style addressing is used. */
  endpoint?: string | null;
  /** Default: `AWS_REGION`, else `us-east-1`. */
  region?: string;
  /** Default: the SDK's standard chain (env `AWS_ACCESS_KEY_ID`…, profiles, roles). */
  credentials?: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };
  /** Prepended to every key (e.g. `reel/`), so one bucket can hold several things. */
  prefix?: string;
  /** `open()` creates a missing bucket (default true). */
  createBucket?: boolean;
}

/**
 * The S3 client settings every part of the app uses (the blob store, tus): path-style with
 * an endpoint, checksums only when required (Swift refuses `aws-chunked` bodies).
 */
export function s3ClientConfig(
  opts: Pick<S3BlobStoreOptions, "endpoint" | "region" | "credentials">,
): S3ClientConfig {
  return {
    region: opts.region || Deno.env.get("AWS_REGION") || "us-east-1",
    ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: { connectionTimeout: 5000 },
  };
}

/** Adds what older S3 servers need to a client built from {@link s3ClientConfig}. */
export function addS3Compat(client: Pick<S3Client, "middlewareStack">): void {
  client.middlewareStack.add(contentMd5ForDelete, {
    step: "build",
    name: "reelContentMd5ForDelete",
  });
}

/** Files above this go up as multipart uploads of parts this size. */
export const PART_BYTES = 8 * 1024 * 1024;
/** Parts uploaded at once. */
const PART_QUEUE = 2;
/** Files uploaded at once by `publishDir`. */
const PUBLISH_PARALLEL = 4;
/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

const KEY = /^(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+\/?$/;

/** Refuses keys the local backend would refuse too, so both take the same keys. */
function checkKey(key: string): string {
  if (!KEY.test(key) || key.split("/").some((s) => s === "." || s === "..")) {
    throw new Error(`Invalid blob key: ${JSON.stringify(key)}`);
  }
  return key;
}

/** Blobs as objects in an S3 bucket. */
export class S3BlobStore implements BlobStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  readonly #endpoint: string | null;
  #multiDelete = true;

  constructor(opts: S3BlobStoreOptions) {
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? "";
    this.#endpoint = opts.endpoint || null;
    this.client = new S3Client(s3ClientConfig(opts));
    addS3Compat(this.client);
  }

  /**
   * Opens the store after checking the bucket (HeadBucket), creating it when it is missing
   * and allowed. Fails with one sentence naming the setting to fix.
   */
  static async open(opts: S3BlobStoreOptions): Promise<S3BlobStore> {
    const store = new S3BlobStore(opts);
    try {
      await store.#checkBucket(opts.createBucket ?? true);
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  /** Checks that the bucket answers (for readiness probes); throws a sentence if not. */
  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw new Error(await this.#describe(err), { cause: err });
    }
  }

  /** Releases the client's connections. */
  close(): void {
    this.client.destroy();
  }

  async putFile(
    key: string,
    path: string,
    opts: { move?: boolean } = {},
  ): Promise<void> {
    const Key = this.#key(key);
    const { size } = await Deno.stat(path);
    if (size <= PART_BYTES) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: createReadStream(path),
          ContentLength: size,
        }),
      );
    } else {
      await this.#putMultipart(Key, path, size);
    }
    if (opts.move) await removeAll(path);
  }

  async putStream(
    key: string,
    body: ReadableStream<Uint8Array>,
  ): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.#key(key), Body: body },
      partSize: PART_BYTES,
      queueSize: PART_QUEUE,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async get(
    key: string,
    range?: ByteRange,
  ): Promise<{ body: ReadableStream<Uint8Array>; size: number } | null> {
    let out: GetObjectCommandOutput;
    try {
      out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.#key(key),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
    } catch (err) {
      if (isMissing(err)) return null;
      if (range && statusOf(err) === 416) {
        // Starts past the end: the local backend answers an empty body, so do we.
        const info = await this.stat(key);
        return info ? { body: emptyStream(), size: info.size } : null;
      }
      throw err;
    }
    const size = totalSize(out.ContentRange) ?? out.ContentLength ?? 0;
    return { body: webBody(out), size };
  }

  async stat(key: string): Promise<BlobInfo | null> {
    const head = await this.#head(this.#key(key));
    return head
      ? { key, size: head.ContentLength ?? 0, mtime: head.LastModified ?? null }
      : null;
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key?.startsWith(this.prefix)) continue;
        out.push({
          key: o.Key.slice(this.prefix.length),
          size: o.Size ?? 0,
          mtime: o.LastModified ?? null,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  }

  async deletePrefix(prefix: string): Promise<void> {
    const keys = (await this.list(prefix)).map((b) => b.key);
    await this.#deleteKeys(keys);
  }

  async publishDir(dir: string, prefix: string): Promise<void> {
    if (!prefix.endsWith("/")) {
      throw new Error("publishDir needs a folder prefix");
    }
    checkKey(prefix);
    const files = await listRelative(dir);
    // Media and other files first, then playlists/manifests that another one names, then
    // the rest (master playlist, DASH manifest): a reader never meets a name that is not
    // there yet.
    const manifests = files.filter(isManifest);
    const texts = await Promise.all(
      manifests.map((rel) => Deno.readTextFile(join(dir, rel))),
    );
    const named = manifests.filter((rel) =>
      texts.some((text, i) =>
        manifests[i] !== rel && text.includes(basename(rel))
      )
    );
    const roots = manifests.filter((rel) => !named.includes(rel));
    const put = (rel: string) => this.putFile(prefix + rel, join(dir, rel));
    await eachLimit(files.filter((f) => !isManifest(f)), PUBLISH_PARALLEL, put);
    await eachLimit(named, PUBLISH_PARALLEL, put);
    await eachLimit(roots, PUBLISH_PARALLEL, put);
    const keep = new Set(files.map((rel) => prefix + rel));
    const stale = (await this.list(prefix))
      .map((b) => b.key)
      .filter((k) => !keep.has(k));
    await this.#deleteKeys(stale);
    await removeAll(dir);
  }

  async localPath(key: string, scratchDir: string): Promise<string | null> {
    const got = await this.get(key);
    if (!got) return null;
    await Deno.mkdir(scratchDir, { recursive: true });
    const dest = join(scratchDir, basename(key));
    const tmp = `${dest}.part-${crypto.randomUUID().slice(0, 8)}`;
    try {
      const file = await Deno.open(tmp, { write: true, createNew: true });
      await got.body.pipeTo(file.writable);
      await Deno.rename(tmp, dest);
    } catch (err) {
      await got.body.cancel().catch(() => {});
      await removeAll(tmp);
      throw err;
    }
    return dest;
  }

  async serve(
    req: Request,
    prefix: string,
    rawPath: string,
    opts: ServeOptions = {},
  ): Promise<Response | null> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method not allowed", {
        status: 405,
        headers: {
          allow: "GET, HEAD",
          "content-type": "text/plain; charset=utf-8",
        },
      });
    }
    // The same decoding and refusals as serveDir: the key never leaves `prefix`.
    const rel = decodePath(
      rawPath.startsWith("/") ? rawPath.slice(1) : rawPath,
    );
    const segments = rel === null ? null : confinedSegments(rel);
    if (segments === null) return null;
    const name = segments.join("/");
    if (!KEY.test(prefix + name)) return null;
    const Key = this.prefix + prefix + name;

    const range = req.method === "GET" ? req.headers.get("range") : null;
    const parsed = range === null
      ? null
      : parseRange(range, Number.MAX_SAFE_INTEGER);
    if (
      req.method === "HEAD" || parsed === "unsatisfiable" ||
      (range !== null && req.headers.has("if-range"))
    ) {
      return await this.#serveByHead(req, Key, name, opts);
    }

    const inm = req.headers.get("if-none-match");
    const ims = inm === null ? req.headers.get("if-modified-since") : null;
    const imsDate = ims === null ? NaN : Date.parse(ims);
    let out: GetObjectCommandOutput;
    try {
      out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key,
          // One range only: several (or another unit) get the full 200, as on disk.
          Range: parsed ? normalizedRange(range!) : undefined,
          IfNoneMatch: inm === null ? undefined : inm.replace(/W\//g, ""),
          IfModifiedSince: Number.isNaN(imsDate)
            ? undefined
            : new Date(imsDate),
        }),
      );
    } catch (err) {
      if (isMissing(err)) return null;
      const status = statusOf(err);
      if (status === 304) {
        const h = responseHeaders(err);
        return new Response(null, {
          status: 304,
          headers: this.#headers(
            opts,
            h.etag ?? null,
            h["last-modified"] ?? null,
          ),
        });
      }
      // 416 without the size to name in Content-Range: ask for it.
      if (status === 416) return await this.#serveByHead(req, Key, name, opts);
      throw err;
    }
    const headers = this.#headers(
      opts,
      out.ETag ?? null,
      out.LastModified?.toUTCString() ?? null,
    );
    headers.set("content-type", contentTypeFor(name));
    headers.set("accept-ranges", "bytes");
    headers.set("content-length", String(out.ContentLength ?? 0));
    let status = 200;
    if (out.ContentRange && parsed) {
      status = 206;
      headers.set("content-range", out.ContentRange);
    }
    return new Response(webBody(out), { status, headers });
  }

  freeBytes(): Promise<number | null> {
    return Promise.resolve(null);
  }

  // -------------------------------------------------------------------------------------

  #key(key: string): string {
    return this.prefix + checkKey(key);
  }

  async #head(Key: string): Promise<HeadObjectCommandOutput | null> {
    try {
      return await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key }),
      );
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  #headers(
    opts: ServeOptions,
    etag: string | null,
    lastModified: string | null,
  ): Headers {
    const headers = new Headers(opts.headers);
    if (etag) headers.set("etag", etag);
    if (lastModified) headers.set("last-modified", lastModified);
    if (opts.cacheControl) headers.set("cache-control", opts.cacheControl);
    return headers;
  }

  /** HEAD, and GETs the server cannot decide alone: metadata first, rules applied here. */
  async #serveByHead(
    req: Request,
    Key: string,
    name: string,
    opts: ServeOptions,
  ): Promise<Response | null> {
    const head = await this.#head(Key);
    if (!head) return null;
    const size = head.ContentLength ?? 0;
    const mtime = head.LastModified ?? null;
    const etag = head.ETag ?? `"${size.toString(16)}"`;
    const headers = this.#headers(opts, etag, mtime?.toUTCString() ?? null);
    if (notModified(req, etag, mtime)) {
      return new Response(null, { status: 304, headers });
    }
    headers.set("content-type", contentTypeFor(name));
    headers.set("accept-ranges", "bytes");
    const isGet = req.method === "GET";
    const rangeHeader = isGet ? req.headers.get("range") : null;
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (rangeHeader !== null && ifRangeAllows(req, etag, mtime)) {
      const range = parseRange(rangeHeader, size);
      if (range === "unsatisfiable") {
        headers.set("content-range", `bytes */${size}`);
        headers.delete("content-type");
        return new Response(null, { status: 416, headers });
      }
      if (range) {
        ({ start, end } = range);
        status = 206;
        headers.set("content-range", `bytes ${start}-${end}/${size}`);
      }
    }
    const length = end - start + 1;
    headers.set("content-length", String(length));
    if (!isGet) return new Response(null, { status, headers });
    if (length === 0) {
      return new Response(new Uint8Array(0), { status, headers });
    }
    let out: GetObjectCommandOutput;
    try {
      out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key,
          Range: status === 206 ? `bytes=${start}-${end}` : undefined,
          IfMatch: head.ETag,
        }),
      );
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    return new Response(webBody(out), { status, headers });
  }

  async #putMultipart(Key: string, path: string, size: number): Promise<void> {
    const created = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }),
    );
    const UploadId = created.UploadId!;
    const count = Math.ceil(size / PART_BYTES);
    const parts: { ETag: string; PartNumber: number }[] = [];
    try {
      await eachLimit(
        Array.from({ length: count }, (_, i) => i),
        PART_QUEUE,
        async (i) => {
          const start = i * PART_BYTES;
          const end = Math.min(size, start + PART_BYTES) - 1;
          const res = await this.client.send(
            new UploadPartCommand({
              Bucket: this.bucket,
              Key,
              UploadId,
              PartNumber: i + 1,
              // Each part streams its own byte range of the file: nothing is buffered.
              Body: createReadStream(path, { start, end }),
              ContentLength: end - start + 1,
            }),
          );
          parts.push({ ETag: res.ETag!, PartNumber: i + 1 });
        },
      );
      parts.sort((a, b) => a.PartNumber - b.PartNumber);
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (err) {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }),
      ).catch(() => {});
      throw err;
    }
  }

  async #deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH).map((k) => this.prefix + k);
      if (this.#multiDelete) {
        try {
          const res = await this.client.send(
            new DeleteObjectsCommand({
              Bucket: this.bucket,
              Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
            }),
          );
          const failed = (res.Errors ?? []).filter((e) =>
            e.Code !== "NoSuchKey"
          );
          if (failed.length > 0) {
            const e = failed[0];
            throw new Error(
              `Deleting ${failed.length} object(s) failed, first ${e.Key}: ${e.Code} ${e.Message}`,
            );
          }
          continue;
        } catch (err) {
          if (!multiDeleteUnsupported(err)) throw err;
          this.#multiDelete = false;
        }
      }
      await eachLimit(batch, PUBLISH_PARALLEL, async (Key) => {
        await this.client.send(
          new DeleteObjectCommand({ Bucket: this.bucket, Key }),
        );
      });
    }
  }

  async #checkBucket(create: boolean): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (err) {
      if (statusOf(err) !== 404) {
        throw new Error(await this.#describe(err), { cause: err });
      }
    }
    const missing = `S3_BUCKET=${this.bucket} does not exist`;
    if (!create) throw new Error(`${missing} (creating it is turned off).`);
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw new Error(
        `${missing} and could not be created: ${reasonOf(err)}.`,
        { cause: err },
      );
    }
  }

  /** One sentence for a failed bucket request, naming what to fix. */
  async #describe(err: unknown): Promise<string> {
    const status = statusOf(err);
    const name = (err as Error)?.name ?? "";
    if (status === undefined) {
      if (/credential/i.test(name) || /credential/i.test(String(err))) {
        return `S3 credentials are missing: set AWS_ACCESS_KEY_ID and ` +
          `AWS_SECRET_ACCESS_KEY (or another AWS credential source): ${
            reasonOf(err)
          }.`;
      }
      const where = this.#endpoint
        ? `S3_ENDPOINT=${this.#endpoint}`
        : `S3 (AWS, region ${await this.client.config.region()})`;
      return `${where} cannot be reached: ${reasonOf(err)}.`;
    }
    if (status === 403 || status === 401) {
      // HEAD answers carry no error code: a GET tells a bad key from a denied bucket.
      const code = await this.#errorCodeOfGet() ?? name;
      if (code === "AccessDenied" || code === "AllAccessDisabled") {
        return `S3_BUCKET=${this.bucket} is not accessible with these credentials ` +
          `(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY): ${code}.`;
      }
      return `S3 credentials were refused (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY): ${
        code && code !== "Unknown" ? code : `HTTP ${status}`
      }.`;
    }
    if (status === 404) return `S3_BUCKET=${this.bucket} does not exist.`;
    if (status === 301 || status === 400) {
      return `S3_BUCKET=${this.bucket} refused the request (wrong AWS_REGION or ` +
        `S3_ENDPOINT?): ${reasonOf(err)}.`;
    }
    return `S3_BUCKET=${this.bucket} cannot be used: ${reasonOf(err)}.`;
  }

  async #errorCodeOfGet(): Promise<string | null> {
    try {
      await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: 1 }),
      );
      return null;
    } catch (err) {
      const code = (err as { Code?: string }).Code ?? (err as Error).name;
      return code || null;
    }
  }
}

// ---------------------------------------------------------------------------------------

/**
 * Adds `Content-MD5` to DeleteObjects: S3 requires an integrity header there; the SDK now
 * sends only a CRC32 one, which servers like Swift (2.30) do not know.
 */
// deno-lint-ignore no-explicit-any
const contentMd5ForDelete = (next: any, context: any) => (args: any) => {
  const request = args.request;
  if (
    context.commandName === "DeleteObjectsCommand" && request?.headers &&
    (typeof request.body === "string" || request.body instanceof Uint8Array)
  ) {
    request.headers["content-md5"] = createHash("md5")
      .update(request.body)
      .digest("base64");
  }
  return next(args);
};

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata
    ?.httpStatusCode;
}

function isMissing(err: unknown): boolean {
  const name = (err as Error)?.name;
  if (name === "NoSuchBucket") return false;
  return name === "NoSuchKey" || name === "NotFound" || statusOf(err) === 404;
}

function multiDeleteUnsupported(err: unknown): boolean {
  const status = statusOf(err);
  const name = (err as Error)?.name;
  return status === 501 || status === 405 || name === "NotImplemented" ||
    name === "MethodNotAllowed" ||
    (name === "InvalidRequest" &&
      /md5|checksum/i.test(String((err as Error).message)));
}

/** The raw response headers of an SDK error (lower-case names). */
function responseHeaders(err: unknown): Record<string, string | undefined> {
  return (err as { $response?: { headers?: Record<string, string> } })
    ?.$response?.headers ?? {};
}

/** A short reason: the server's code and message, or the network error. */
function reasonOf(err: unknown): string {
  const e = err as Error & { Code?: string; code?: string; cause?: unknown };
  const code = e?.Code ??
    (e?.name && e.name !== "Error" && e.name !== "Unknown" ? e.name : "");
  let msg = String(e?.message ?? err);
  if (msg === "UnknownError") msg = `HTTP ${statusOf(err) ?? "error"}`;
  const sys = e?.code && !msg.includes(e.code) ? ` (${e.code})` : "";
  const text = code && !msg.startsWith(code)
    ? `${code}: ${msg}${sys}`
    : `${msg}${sys}`;
  return text.replace(/\s+/g, " ").trim().replace(/\.+$/, "");
}

/** `bytes a-b/total` → total. */
function totalSize(contentRange: string | undefined): number | null {
  const m = contentRange && /\/(\d+)\s*$/.exec(contentRange);
  return m ? Number(m[1]) : null;
}

/** A single `bytes=` range with the spacing parseRange tolerates removed. */
function normalizedRange(header: string): string {
  const spec = header.slice(header.indexOf("=") + 1).replace(/\s+/g, "");
  return `bytes=${spec}`;
}

function webBody(out: GetObjectCommandOutput): ReadableStream<Uint8Array> {
  const body = out.Body as
    | { transformToWebStream(): ReadableStream<Uint8Array> }
    | undefined;
  return body ? body.transformToWebStream() : emptyStream();
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(ctrl) {
      ctrl.close();
    },
  });
}

function isManifest(name: string): boolean {
  return /\.(m3u8|mpd)$/.test(name);
}

/** Files under `dir` as relative `/`-separated paths. */
async function listRelative(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listRelative(dir, rel));
    else if (e.isFile) out.push(rel);
  }
  return out.sort();
}

/** Runs `fn` over `items` with at most `limit` at once; the first failure rejects. */
async function eachLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, worker),
  );
}
