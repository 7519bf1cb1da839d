/**
 * Resumable uploads: a tus 1.0 server (core, creation, creation-with-upload, termination,
 * expiration) built on npm `@tus/server` + `@tus/file-store`, answering web `Request`s.
 * Uploads live in `dir` as `<id>` (data) + `<id>.json` (info), so they survive a restart;
 * with `s3`, in the bucket instead (`tus_s3.ts`), so any web node can resume any upload.
 */
import { readdir, rm, stat, statfs } from "node:fs/promises";
import { join } from "node:path";
import { MemoryLocker, Server, Upload } from "@tus/server";
import { FileStore } from "@tus/file-store";
import { DomainError, type ErrorCode } from "../core/errors.ts";
import { log } from "../core/log.ts";
import { jsonError } from "../http/json.ts";
import {
  checkExtension,
  DEFAULT_FIELDS,
  type ReceivedUpload,
  sanitizeFilename,
  type UploadFields,
} from "./filename.ts";
import { tooLarge } from "./limits.ts";
import {
  type SharedLock,
  SharedLocker,
  type TusS3Options,
  TusS3Store,
} from "./tus_s3.ts";

/** What `onUploadFinished` may add to the final response. */
export interface FinishedResult {
  headers?: Record<string, string>;
}

/** Options for {@link createTusHandler}. */
export interface TusOptions {
  /** Folder for partial uploads (created if missing); give tus a folder of its own. */
  dir: string;
  /** Base path of the endpoint, e.g. `/api/uploads`. */
  path: string;
  /** Largest accepted `Upload-Length`, in bytes (`MAX_UPLOAD_BYTES`). */
  maxBytes: number;
  /** Unfinished uploads expire this long after creation (`TUS_EXPIRY_HOURS`; 0: never). */
  expiryHours: number;
  /** Accepted extensions of the `filename` metadata, without dots (case-insensitive). */
  allowedExtensions: readonly string[];
  /**
   * Called once the last byte is on disk. It owns `upload.path` and should move it away;
   * whatever is left of the upload is removed after it returns. Throw a {@link DomainError}
   * to refuse the file: the client gets its status and JSON body and the upload is removed.
   */
  onUploadFinished: (upload: ReceivedUpload) => Promise<FinishedResult>;
  /**
   * Called at creation, before any byte is accepted: throw a {@link DomainError} to refuse
   * the upload (e.g. the disk is nearly full). Optional.
   */
  onUploadCreate?: (req: Request, sizeBytes: number) => Promise<void>;
  /**
   * `Upload-Metadata` keys accepted besides `filename`, each cleaned and checked at
   * creation, before any byte is sent. Default: `title`, kept as sent.
   */
  fields?: UploadFields;
  /** Turns a thrown error into the JSON error response (the API's status mapping). */
  errorResponse: (err: unknown) => Response;
  /** Keep uploads in this S3 bucket instead of `dir` (which then holds only temp files). */
  s3?: Omit<TusS3Options, "expiryMs" | "tmpDir">;
  /** A lock held against every node (with `s3`: any node may receive any upload). */
  sharedLock?: SharedLock;
}

/** A tus endpoint: route `path` and `path/:id` (all methods) to `handle`. */
export interface TusHandler {
  /** Answers one tus request (POST, HEAD, PATCH, DELETE, OPTIONS) under the base path. */
  handle(req: Request): Promise<Response>;
  /** Removes expired unfinished uploads (and strays) from `dir`; resolves to how many. */
  cleanupExpired(): Promise<number>;
  /** Stops answering: later requests get 503. In-flight requests finish normally. */
  close(): void;
}

const ID_RE = /^[0-9a-f]{32}$/;

/**
 * Creates the tus endpoint. The final PATCH (or a POST carrying the whole file) calls
 * `onUploadFinished` and answers `204` with the headers it returns (e.g. `X-Video-Id`).
 *
 * @example
 * const tus = createTusHandler({ dir, path: "/api/uploads", maxBytes, expiryHours: 24,
 *   allowedExtensions, onUploadFinished: async (u) => ({ headers: { "X-Video-Id": await ingest(u) } }) });
 */
export function createTusHandler(opts: TusOptions): TusHandler {
  const base = opts.path.replace(/\/+$/, "");
  const expiryMs = Math.max(0, opts.expiryHours) * 3_600_000;
  // FileStore creates its folder asynchronously and throws from a callback on failure.
  Deno.mkdirSync(opts.dir, { recursive: true });
  const s3 = opts.s3
    ? new TusS3Store({
      ...opts.s3,
      expiryMs,
      tmpDir: join(opts.dir, "s3-parts"),
    })
    : null;
  const store = s3 ?? new OwnedFileStore({
    directory: opts.dir,
    expirationPeriodInMilliseconds: expiryMs,
  });
  // Deferred length is left out so every upload's size is checked against the limit up front.
  store.extensions = [
    "creation",
    "creation-with-upload",
    "termination",
    "expiration",
  ];
  const locker = new MemoryLocker();
  /** Errors raised by our hooks, answered as JSON by `handle` instead of tus's plain text. */
  const failures = new WeakMap<Request, Response>();
  /** Finishing uploads by id; a retried final PATCH joins the first one's result. */
  const finishing = new Map<string, Promise<FinishedResult>>();
  /** Uploads finished during a request, forgotten by the store once it is answered. */
  const finishedBy = new WeakMap<Request, string[]>();
  let closed = false;

  const removeUpload = async (id: string): Promise<void> => {
    if (s3) {
      await s3.remove(id).catch((err) =>
        log.warn("tus.s3_remove_failed", { id, error: String(err) })
      );
    }
    await rm(join(opts.dir, id), { force: true });
    await rm(join(opts.dir, `${id}.json`), { force: true });
  };

  const asResponse = (err: unknown): Response => {
    if (!(err instanceof DomainError)) {
      log.error("tus.hook_failed", { error: String(err) });
    }
    return withTusHeaders(opts.errorResponse(err));
  };
  const fail = (req: Request, err: unknown): never => {
    const res = asResponse(err);
    failures.set(req, res);
    throw { status_code: res.status, body: "refused" };
  };

  const finish = async (upload: Upload): Promise<FinishedResult> => {
    const meta = upload.metadata ?? {};
    const size = upload.size ?? upload.offset;
    try {
      // In S3 the bytes are an object: bring them to a local file for probing.
      if (s3) await s3.download(upload.id, join(opts.dir, upload.id));
      const result = await opts.onUploadFinished({
        path: s3
          ? join(opts.dir, upload.id)
          : upload.storage?.path ?? join(opts.dir, upload.id),
        filename: meta.filename ?? "",
        fields: Object.fromEntries(
          Object.entries(meta).filter(([k, v]) =>
            k !== "filename" && typeof v === "string"
          ),
        ) as Record<string, string>,
        sizeBytes: size,
      });
      store.finished.set(upload.id, new Upload({ ...upload, offset: size }));
      return result ?? {};
    } finally {
      // Success: the hook moved the data; drop what is left (the info file). Failure: drop all.
      await removeUpload(upload.id);
    }
  };

  const server = new Server({
    path: base,
    datastore: store,
    locker: opts.sharedLock
      ? new SharedLocker(locker, opts.sharedLock)
      : locker,
    maxSize: opts.maxBytes,
    relativeLocation: true,
    // Same-origin only: no Access-Control-Allow-Origin on any response.
    allowedOrigins: [],
    exposedHeaders: ["Upload-Expires", "X-Video-Id"],
    namingFunction: () => crypto.randomUUID().replaceAll("-", ""),
    getFileIdFromRequest: (req) =>
      idFromPath(new URL(req.url).pathname, base) ?? undefined,
    onUploadCreate: async (req, upload) => {
      try {
        const metadata = checkCreation(
          upload,
          opts.allowedExtensions,
          opts.fields ?? DEFAULT_FIELDS,
        );
        await opts.onUploadCreate?.(req, upload.size ?? 0);
        return { metadata };
      } catch (err) {
        return fail(req, err);
      }
    },
    onUploadFinish: async (req, upload) => {
      finishedBy.set(req, [...finishedBy.get(req) ?? [], upload.id]);
      let pending = finishing.get(upload.id);
      if (!pending) {
        pending = finish(upload);
        finishing.set(upload.id, pending);
        const forget = () => finishing.delete(upload.id);
        pending.then(forget, forget);
      }
      try {
        const { headers } = await pending;
        return { headers: headers ?? {} };
      } catch (err) {
        return fail(req, err);
      }
    },
  });

  return {
    async handle(req: Request): Promise<Response> {
      if (closed) {
        return tusError(
          503,
          "internal",
          "The upload service is shutting down. Try again shortly.",
        );
      }
      const pathname = new URL(req.url).pathname;
      const id = idFromPath(pathname, base);
      const isCollection = pathname === base || pathname === `${base}/`;
      if (id === null && !isCollection) {
        return tusError(
          404,
          "not_found",
          "There is no such upload. Start a new one.",
        );
      }
      const allowed = isCollection
        ? ["POST", "OPTIONS"]
        : ["HEAD", "PATCH", "DELETE", "OPTIONS"];
      if (!allowed.includes(req.method)) {
        return tusError(
          405,
          "method_not_allowed",
          `Use ${allowed.join(", ")} here.`,
          {
            Allow: allowed.join(", "),
          },
        );
      }
      if (req.method === "POST") {
        const length = req.headers.get("upload-length");
        if (
          length !== null && /^\d+$/.test(length) &&
          Number(length) > opts.maxBytes
        ) {
          return asResponse(tooLarge(opts.maxBytes, Number(length)));
        }
      }
      const res = await server.handleWeb(req);
      for (const id of finishedBy.get(req) ?? []) store.finished.delete(id);
      const failure = failures.get(req);
      if (failure) return failure;
      if (res.status >= 500 && await diskNearlyFull(opts.dir)) {
        // The file store reports a full disk as a bare 500; say what it is.
        await res.body?.cancel();
        return tusError(
          507,
          "insufficient_storage",
          "The server ran out of disk space while receiving this upload. Try again later.",
        );
      }
      if (res.status >= 400) return await asJsonError(res);
      return res;
    },

    async cleanupExpired(): Promise<number> {
      if (expiryMs === 0) return 0;
      if (s3) return await s3.deleteExpired();
      const now = Date.now();
      const names = await readdir(opts.dir).catch(() => [] as string[]);
      const ids = new Set(
        names.map((n) => n.replace(/\.json$/, "")).filter((n) => ID_RE.test(n)),
      );
      let removed = 0;
      for (const id of ids) {
        if (locker.locks.has(id) || finishing.has(id)) continue;
        const created = await createdAt(opts.dir, id);
        if (created !== null && now - created > expiryMs) {
          await removeUpload(id);
          removed++;
        }
      }
      return removed;
    },

    close(): void {
      closed = true;
      server.removeAllListeners();
    },
  };
}

/**
 * The file store, plus a short memory of uploads finished during the current request:
 * @tus/server's POST handler (creation-with-upload) reads the upload back after the finish
 * hook, when its files have already been moved or removed.
 */
class OwnedFileStore extends FileStore {
  readonly finished = new Map<string, Upload>();

  override getUpload(id: string): Promise<Upload> {
    const done = this.finished.get(id);
    return done ? Promise.resolve(done) : super.getUpload(id);
  }
}

/** The upload id in `base/<id>`, or null when the path is anything else. */
function idFromPath(pathname: string, base: string): string | null {
  if (!pathname.startsWith(`${base}/`)) return null;
  const id = pathname.slice(base.length + 1);
  return ID_RE.test(id) ? id : null;
}

/** Validates a new upload's size and metadata; returns the cleaned metadata to store. */
function checkCreation(
  upload: Upload,
  allowedExtensions: readonly string[],
  fields: UploadFields,
): Record<string, string> {
  if (upload.size === 0) {
    throw new DomainError(
      "empty_file",
      "The file is empty (0 bytes). Choose another file.",
    );
  }
  const filename = sanitizeFilename(upload.metadata?.filename ?? "");
  if (!filename) {
    throw new DomainError(
      "bad_request",
      'Upload-Metadata needs a "filename" (base64) so the server can check the file type.',
    );
  }
  checkExtension(filename, allowedExtensions);
  const metadata: Record<string, string> = { filename };
  for (const [key, parse] of Object.entries(fields)) {
    const clean = parse(upload.metadata?.[key]);
    if (clean !== null) metadata[key] = clean;
  }
  return metadata;
}

/** When an upload was created (from its info file, else the data file's mtime). */
async function createdAt(dir: string, id: string): Promise<number | null> {
  try {
    const info = JSON.parse(await Deno.readTextFile(join(dir, `${id}.json`)));
    const t = Date.parse(info?.creation_date);
    if (Number.isFinite(t)) return t;
  } catch {
    // No or unreadable info file: a stray; fall back to the file times.
  }
  for (const name of [id, `${id}.json`]) {
    const s = await stat(join(dir, name)).catch(() => null);
    if (s) return s.mtimeMs;
  }
  return null;
}

/** True when the file system holding `dir` has less than 1 MiB left. */
async function diskNearlyFull(dir: string): Promise<boolean> {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize) < 1024 * 1024;
  } catch {
    return false;
  }
}

function tusError(
  status: number,
  code: ErrorCode,
  message: string,
  extra?: HeadersInit,
): Response {
  return withTusHeaders(jsonError(status, code, message, extra));
}

function withTusHeaders(res: Response): Response {
  res.headers.set("Tus-Resumable", "1.0.0");
  return res;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  404: "not_found",
  410: "not_found",
  413: "too_large",
  415: "unsupported_type",
};

/** Re-wraps one of tus's plain-text errors in the API's JSON shape, keeping its status. */
async function asJsonError(res: Response): Promise<Response> {
  const text = (await res.text()).trim().replace(/\n/g, " ");
  const code = CODE_BY_STATUS[res.status] ??
    (res.status >= 500 ? "internal" : "bad_request");
  const message = res.status >= 500
    ? "Something went wrong receiving the file. Resume the upload to try again."
    : /[.!?]$/.test(text)
    ? text
    : `${text}.`;
  const extra: Record<string, string> = {};
  for (
    const name of [
      "tus-version",
      "tus-resumable",
      "access-control-expose-headers",
    ]
  ) {
    const v = res.headers.get(name);
    if (v !== null) extra[name] = v;
  }
  return tusError(
    res.status,
    code,
    message.charAt(0).toUpperCase() + message.slice(1),
    extra,
  );
}
