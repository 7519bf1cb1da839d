/**
 * A small tus 1.0 client (core + creation + termination) for the upload dropzone.
 *
 * Uploads go in chunked PATCHes; a dropped connection is retried with backoff from the offset
 * the server reports on HEAD; the upload URL is remembered (keyed by file name, size and
 * modification time) so a file dropped again after a page reload resumes where it stopped.
 * The HTTP layer is a {@link Transport}, XMLHttpRequest in the browser (upload progress)
 * and a fake in tests.
 */
import { ApiFailure, networkFailure, parseApiFailure } from "./api_error.ts";
import {
  forgetUpload,
  loadUpload,
  saveUpload,
  type StorageLike,
} from "./tus_storage.ts";

/** One HTTP request of the protocol. */
export interface TransportRequest {
  method: "POST" | "PATCH" | "HEAD" | "DELETE";
  url: string;
  headers: Record<string, string>;
  body?: Blob;
  /** Bytes of `body` sent so far. */
  onUploadProgress?: (loaded: number) => void;
  signal?: AbortSignal;
}

/** What a {@link Transport} resolves with. */
export interface TransportResponse {
  status: number;
  header(name: string): string | null;
  text: string;
}

/**
 * Sends a request. Rejects with {@link NetworkError} when no answer came and with an
 * `AbortError` DOMException when `signal` aborted it.
 */
export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

/** The request got no answer (offline, reset connection, timeout). */
export class NetworkError extends Error {
  /** Creates the error. */
  constructor(message = "Network error") {
    super(message);
    this.name = "NetworkError";
  }
}

/** Stage of an upload, for the UI. */
export type UploadPhase =
  | "creating"
  | "resuming"
  | "uploading"
  | "retrying"
  | "verifying";

/** Options of {@link TusUpload}. */
export interface TusOptions {
  /** Creation endpoint, e.g. `/api/uploads` (absolute or relative to `baseUrl`). */
  endpoint: string;
  /** Resolves relative URLs; default `location.href` in a browser. */
  baseUrl?: string;
  /** `Upload-Metadata` pairs (values are sent base64-encoded). */
  metadata?: Record<string, string>;
  /** PATCH size; default 16 MiB. */
  chunkSize?: number;
  /** Waits between retries in ms; its length is the number of retries in a row. */
  retryDelays?: number[];
  transport: Transport;
  /** Where upload URLs are remembered; null to not remember. */
  storage?: StorageLike | null;
  /** Bytes the server has (plus those of the PATCH in flight). */
  onProgress?: (sent: number, total: number) => void;
  onPhase?: (phase: UploadPhase, detail?: { retryInMs?: number }) => void;
  /** Injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** How a finished upload ended. */
export interface TusResult {
  /** The new video's id (`X-Video-Id`), null when the server did not say. */
  videoId: string | null;
  url: string;
}

/** Default chunk size: 16 MiB. */
export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;
/** Default retry waits: about 2 minutes of trying before giving up. */
export const DEFAULT_RETRY_DELAYS = [
  1000,
  2000,
  4000,
  8000,
  15000,
  30000,
  30000,
  30000,
];

const TUS_VERSION = "1.0.0";

/** Encodes `Upload-Metadata`: `key base64(utf8 value)` pairs separated by commas. */
export function encodeMetadata(meta: Record<string, string>): string {
  return Object.entries(meta).map(([k, v]) => {
    const bytes = new TextEncoder().encode(v);
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return `${k} ${btoa(bin)}`;
  }).join(",");
}

function abortError(): DOMException {
  return new DOMException("The upload was stopped.", "AbortError");
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Thrown inside the loop for answers worth another try (5xx, 423, 429, no answer). */
class Retryable extends Error {
  constructor(readonly failure: ApiFailure, readonly waitMs?: number) {
    super(failure.message);
  }
}

/**
 * One resumable upload of one file.
 *
 * @example
 * const up = new TusUpload(file, { endpoint: "/api/uploads", transport: xhrTransport,
 *   storage: localStorage, metadata: { filename: file.name } });
 * const { videoId } = await up.start();
 */
export class TusUpload {
  /** The file being uploaded. */
  readonly file: File;
  #opts: TusOptions;
  #url: string | null = null;
  #offset = 0;
  #controller: AbortController | null = null;
  #wake: (() => void) | null = null;

  /** Prepares the upload; nothing is sent before {@link start}. */
  constructor(file: File, opts: TusOptions) {
    this.file = file;
    this.#opts = opts;
  }

  /** The upload's URL on the server once created (or found in storage). */
  get url(): string | null {
    return this.#url;
  }

  /** Bytes the server is known to have. */
  get offset(): number {
    return this.#offset;
  }

  /** True while {@link start} runs. */
  get running(): boolean {
    return this.#controller !== null;
  }

  /**
   * Uploads the file (resuming a remembered upload) and resolves when the server accepted
   * it. Rejects with an {@link ApiFailure} (the server's message) or an `AbortError`.
   */
  async start(): Promise<TusResult> {
    if (this.#controller) throw new Error("The upload is already running.");
    const controller = new AbortController();
    this.#controller = controller;
    try {
      return await this.#run(controller.signal);
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Stops sending and keeps the upload on the server, so {@link start} resumes it. */
  pause(): void {
    this.#controller?.abort();
    this.#controller = null;
  }

  /** During a wait between retries: tries again now (e.g. the browser went back online). */
  retryNow(): void {
    this.#wake?.();
  }

  /** Stops the upload and removes it from the server (tus termination) and from storage. */
  async abort(): Promise<void> {
    this.pause();
    this.#forget();
    const url = this.#url;
    this.#url = null;
    if (!url) return;
    try {
      await this.#opts.transport({
        method: "DELETE",
        url,
        headers: { "Tus-Resumable": TUS_VERSION },
      });
    } catch {
      // Best effort: the server expires abandoned uploads anyway.
    }
  }

  async #run(signal: AbortSignal): Promise<TusResult> {
    const delays = this.#opts.retryDelays ?? DEFAULT_RETRY_DELAYS;
    let failures = 0;
    let restarts = 0;
    let needOffset = true;
    if (!this.#url) this.#url = this.#remembered();

    for (;;) {
      try {
        if (!this.#url) {
          this.#url = await this.#create(signal);
          this.#offset = 0;
          needOffset = false;
        } else if (needOffset) {
          const head = await this.#head(signal);
          if (head === "gone") {
            this.#forget();
            this.#url = null;
            continue;
          }
          if (head.videoId) return this.#done(head.videoId);
          needOffset = false;
        }
        const outcome = await this.#patch(signal);
        if (outcome === "conflict") {
          needOffset = true;
          continue;
        }
        if (outcome === "gone") {
          if (++restarts > 2) {
            throw new ApiFailure(
              "upload_expired",
              "The server dropped this upload. Please try again.",
              404,
            );
          }
          this.#forget();
          this.#url = null;
          continue;
        }
        failures = 0;
        if (outcome.done) return this.#done(outcome.videoId);
      } catch (err) {
        if (!(err instanceof Retryable)) throw err;
        if (failures >= delays.length) throw err.failure;
        const wait = Math.max(err.waitMs ?? 0, delays[failures++]);
        this.#opts.onPhase?.("retrying", { retryInMs: wait });
        await this.#sleep(wait, signal);
        needOffset = true;
      }
    }
  }

  #done(videoId: string | null): TusResult {
    this.#forget();
    this.#offset = this.file.size;
    this.#opts.onProgress?.(this.file.size, this.file.size);
    return { videoId, url: this.#url ?? "" };
  }

  async #sleep(ms: number, signal: AbortSignal): Promise<void> {
    const wake = new AbortController();
    this.#wake = () => wake.abort();
    const either = AbortSignal.any([signal, wake.signal]);
    try {
      await (this.#opts.sleep ?? defaultSleep)(ms, either);
    } catch (err) {
      if (signal.aborted) throw err;
    } finally {
      this.#wake = null;
    }
  }

  async #send(req: TransportRequest): Promise<TransportResponse> {
    try {
      return await this.#opts.transport(req);
    } catch (err) {
      if (req.signal?.aborted) throw abortError();
      if (err instanceof NetworkError) throw new Retryable(networkFailure());
      throw err;
    }
  }

  /** Raises the right error for a response that is not the expected success. */
  #fail(res: TransportResponse): never {
    const failure = parseApiFailure(res.status, res.text);
    if (res.status >= 500 || res.status === 423 || res.status === 429) {
      const retryAfter = Number(res.header("Retry-After"));
      const waitMs = Number.isFinite(retryAfter) && retryAfter > 0
        ? Math.min(retryAfter, 120) * 1000
        : undefined;
      if (res.status !== 507) throw new Retryable(failure, waitMs);
    }
    throw failure;
  }

  #resolve(url: string): string {
    const base = this.#opts.baseUrl ??
      (typeof location === "undefined" ? undefined : location.href);
    return new URL(url, base).href;
  }

  async #create(signal: AbortSignal): Promise<string> {
    this.#opts.onPhase?.("creating");
    const headers: Record<string, string> = {
      "Tus-Resumable": TUS_VERSION,
      "Upload-Length": String(this.file.size),
    };
    const meta = this.#opts.metadata ?? { filename: this.file.name };
    if (Object.keys(meta).length) {
      headers["Upload-Metadata"] = encodeMetadata(meta);
    }
    const endpoint = this.#resolve(this.#opts.endpoint);
    const res = await this.#send({
      method: "POST",
      url: endpoint,
      headers,
      signal,
    });
    const location = res.header("Location");
    if (res.status !== 201 || !location) this.#fail(res);
    const url = new URL(location, endpoint).href;
    this.#remember(url);
    return url;
  }

  async #head(
    signal: AbortSignal,
  ): Promise<"gone" | { videoId: string | null }> {
    this.#opts.onPhase?.("resuming");
    const res = await this.#send({
      method: "HEAD",
      url: this.#url!,
      headers: { "Tus-Resumable": TUS_VERSION },
      signal,
    });
    if (res.status === 404 || res.status === 410 || res.status === 403) {
      return "gone";
    }
    const offset = Number(res.header("Upload-Offset"));
    if (res.status >= 300 || !Number.isInteger(offset) || offset < 0) {
      this.#fail(res);
    }
    this.#offset = Math.min(offset, this.file.size);
    this.#opts.onProgress?.(this.#offset, this.file.size);
    this.#remember(this.#url!);
    // A finished upload whose last answer was lost: the server may name the video.
    const videoId = offset >= this.file.size ? res.header("X-Video-Id") : null;
    return { videoId };
  }

  async #patch(
    signal: AbortSignal,
  ): Promise<
    "conflict" | "gone" | { done: boolean; videoId: string | null }
  > {
    const size = this.file.size;
    const start = this.#offset;
    const end = Math.min(
      size,
      start + (this.#opts.chunkSize ?? DEFAULT_CHUNK_SIZE),
    );
    const last = end === size;
    this.#opts.onPhase?.("uploading");
    const res = await this.#send({
      method: "PATCH",
      url: this.#url!,
      headers: {
        "Tus-Resumable": TUS_VERSION,
        "Upload-Offset": String(start),
        "Content-Type": "application/offset+octet-stream",
      },
      body: this.file.slice(start, end),
      signal,
      onUploadProgress: (loaded) => {
        const sent = Math.min(end, start + loaded);
        this.#opts.onProgress?.(sent, size);
        // Every byte is out: the server now checks the file (ffprobe) before answering.
        if (last && sent >= size) this.#opts.onPhase?.("verifying");
      },
    });
    if (res.status === 409) return "conflict";
    if (res.status === 404 || res.status === 410) return "gone";
    if (res.status !== 204 && res.status !== 200) {
      if (last && res.status >= 400 && res.status < 500) this.#forget();
      this.#fail(res);
    }
    const offset = Number(res.header("Upload-Offset"));
    this.#offset = Number.isInteger(offset) && offset >= start && offset <= size
      ? offset
      : end;
    this.#opts.onProgress?.(this.#offset, size);
    if (this.#offset >= size) {
      return { done: true, videoId: res.header("X-Video-Id") };
    }
    this.#remember(this.#url!);
    return { done: false, videoId: null };
  }

  #remembered(): string | null {
    const storage = this.#opts.storage;
    return storage ? loadUpload(storage, this.file)?.url ?? null : null;
  }

  #remember(url: string): void {
    const storage = this.#opts.storage;
    if (storage) saveUpload(storage, this.file, url, this.#offset);
  }

  #forget(): void {
    const storage = this.#opts.storage;
    if (storage) forgetUpload(storage, this.file);
  }
}
