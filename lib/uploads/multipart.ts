/**
 * Streams a `multipart/form-data` upload straight to disk: the part `file` is written to a
 * randomly named file as it arrives (never buffered whole, never `request.formData()`), the
 * size limit is enforced while streaming, and every failure leaves nothing behind.
 */
// @ts-types="@types/busboy"
import busboy from "busboy";
import type { Readable } from "node:stream";
import { join } from "node:path";
import { DomainError } from "../core/errors.ts";
import { BodyReader } from "./body_reader.ts";
import { FileSink } from "./file_sink.ts";
import { tooLarge, writeError } from "./limits.ts";
import {
  checkExtension,
  DEFAULT_FIELDS,
  type ReceivedUpload,
  sanitizeFilename,
  type UploadFields,
} from "./filename.ts";

/** Options for {@link receiveMultipart}. */
export interface MultipartOptions {
  /** Folder for the received file (created if missing). */
  dir: string;
  /** Largest accepted file, in bytes (`MAX_UPLOAD_BYTES`). */
  maxBytes: number;
  /** Accepted extensions of the original file name, without dots (case-insensitive). */
  allowedExtensions: readonly string[];
  /** Aborting it stops the upload and removes the partial file. */
  signal?: AbortSignal;
  /**
   * The text fields accepted besides `file`, each cleaned and checked as it arrives (before
   * the file, if sent first); others are ignored. Default: `title`, kept as sent.
   */
  fields?: UploadFields;
}

/**
 * Room for everything in a form besides the file's bytes (part headers, boundaries, the
 * text fields). A `Content-Length` beyond `maxBytes` plus this can only mean too large a file.
 */
const FORM_OVERHEAD_BYTES = 64 * 1024;
/** Longest text field read whole; a longer one is handed on truncated (and refused). */
const MAX_FIELD_BYTES = 4096;

/**
 * Receives a multipart upload with the video in the part `file` and optional text fields
 * (`opts.fields`, before or after the file) and writes the file to `dir/<random>.upload`.
 * Throws {@link DomainError}: `bad_request`, `no_file`, `empty_file`, `too_large`,
 * `unsupported_type`, `insufficient_storage`; nothing is left in `dir` when it throws.
 *
 * @example
 * const up = await receiveMultipart(req, { dir, maxBytes: 2 ** 31, allowedExtensions: ["mp4"] });
 */
export async function receiveMultipart(
  req: Request,
  opts: MultipartOptions,
): Promise<ReceivedUpload> {
  const contentType = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;.*\bboundary=/is.test(contentType)) {
    discardBody(req);
    throw new DomainError(
      "bad_request",
      'Send the video as multipart/form-data, with the file in a part named "file".',
    );
  }
  const declared = declaredLength(req);
  if (declared !== null && declared > opts.maxBytes + FORM_OVERHEAD_BYTES) {
    // Refuse before reading a byte of the body.
    discardBody(req);
    throw tooLarge(opts.maxBytes, declared);
  }
  if (!req.body) throw noFile();
  if (opts.signal?.aborted) {
    discardBody(req);
    throw interrupted();
  }
  await Deno.mkdir(opts.dir, { recursive: true });
  return await new MultipartReceiver(req.body, contentType, opts).run();
}

function declaredLength(req: Request): number | null {
  const raw = req.headers.get("content-length");
  if (raw === null || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

function discardBody(req: Request): void {
  if (req.body && !req.bodyUsed) req.body.cancel().catch(() => {});
}

function noFile(): DomainError {
  return new DomainError(
    "no_file",
    'The form has no file. Put the video in a part named "file".',
  );
}

function interrupted(): DomainError {
  return new DomainError(
    "bad_request",
    "The upload was interrupted before it finished.",
  );
}

/** One upload in flight: feeds the body to busboy and the `file` part to a {@link FileSink}. */
class MultipartReceiver {
  #body: ReadableStream<Uint8Array>;
  #contentType: string;
  #opts: MultipartOptions;
  #reader: BodyReader | null = null;
  #parser: busboy.Busboy | null = null;
  #fileStream: Readable | null = null;
  /** File bytes busboy has handed over, to tell when a chunk went wholly into the file. */
  #fileBytesSeen = 0;
  #fileEnded = false;
  #sink: FileSink | null = null;
  #filename = "";
  #fields: Record<string, string> = {};
  #failed = false;
  #succeeded = false;
  #bodyBytes = 0;
  #resolve!: (u: ReceivedUpload) => void;
  #reject!: (err: unknown) => void;

  constructor(
    body: ReadableStream<Uint8Array>,
    contentType: string,
    opts: MultipartOptions,
  ) {
    this.#body = body;
    this.#contentType = contentType;
    this.#opts = opts;
  }

  run(): Promise<ReceivedUpload> {
    const done = new Promise<ReceivedUpload>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const onAbort = () => this.#fail(interrupted());
    this.#opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      this.#parser = this.#createParser();
    } catch (err) {
      this.#body.cancel().catch(() => {});
      this.#opts.signal?.removeEventListener("abort", onAbort);
      return Promise.reject(
        new DomainError(
          "bad_request",
          `The form data is malformed: ${messageOf(err)}.`,
        ),
      );
    }
    this.#reader = new BodyReader(this.#body);
    this.#feed().catch((err) => this.#fail(err));
    return done.finally(() =>
      this.#opts.signal?.removeEventListener("abort", onAbort)
    );
  }

  #createParser(): busboy.Busboy {
    const parser = busboy({
      headers: { "content-type": this.#contentType },
      // Browsers send UTF-8 file names unescaped; busboy would read them as Latin-1.
      defParamCharset: "utf8",
      highWaterMark: 1 << 20,
      fileHwm: 1 << 20,
      limits: {
        // One byte over the limit is how busboy reports "too large" (it also fires the
        // `limit` event when a file is exactly `fileSize` long).
        fileSize: this.#opts.maxBytes + 1,
        fieldSize: MAX_FIELD_BYTES,
        fields: 20,
        parts: 40,
        headerPairs: 20,
      },
    });
    parser.on(
      "file",
      (name, stream, info) => this.#onFile(name, stream, info.filename),
    );
    parser.on("field", (name, value, info) => {
      const accepted = this.#opts.fields ?? DEFAULT_FIELDS;
      const parse = Object.hasOwn(accepted, name) ? accepted[name] : undefined;
      if (!parse || this.#failed) return;
      try {
        // A truncated value is still checked: a field's rule refuses what is too long.
        const clean = parse(info.valueTruncated ? `${value}…` : value);
        if (clean === null) delete this.#fields[name];
        else this.#fields[name] = clean;
      } catch (err) {
        this.#fail(err);
      }
    });
    parser.on("error", (err) => this.#fail(malformed(err)));
    parser.on("close", () => this.#finish());
    return parser;
  }

  async #feed(): Promise<void> {
    const reader = this.#reader!;
    const parser = this.#parser!;
    while (!this.#failed) {
      let chunk: Uint8Array | null;
      try {
        chunk = await reader.read();
      } catch {
        this.#fail(interrupted());
        return;
      }
      if (this.#failed) return;
      if (chunk === null) {
        parser.end();
        return;
      }
      // Parts other than the file are skipped unread, so cap the whole body as well.
      this.#bodyBytes += chunk.byteLength;
      if (this.#bodyBytes > this.#opts.maxBytes + FORM_OVERHEAD_BYTES) {
        this.#fail(tooLarge(this.#opts.maxBytes));
        return;
      }
      const seen = this.#fileBytesSeen;
      const more = parser.write(chunk);
      // Busboy passes file data on as views of `chunk`, and also keeps views of it for
      // fields and paused streams. The chunk's memory may be reused only when all of it was
      // file data and the file stream delivered it synchronously (the sink copies).
      if (
        this.#fileStream !== null && !this.#fileEnded &&
        this.#fileStream.readableLength === 0 &&
        this.#fileBytesSeen - seen === chunk.byteLength
      ) {
        reader.recycle(chunk);
      }
      if (!more) await drainOrClose(parser);
      if (this.#sink) await this.#sink.drained();
    }
  }

  #onFile(name: string, stream: Readable, rawName: string | undefined): void {
    // Busboy destroys file streams with an error when the form is cut short or torn down;
    // the same error reaches the parser's handler, so it needs no second report here.
    stream.on("error", () => {});
    if (name !== "file" || this.#sink || this.#failed) {
      stream.resume();
      return;
    }
    const filename = sanitizeFilename(rawName ?? "");
    if (!filename) {
      // A browser form with no file chosen sends an empty, nameless file part.
      stream.resume();
      return;
    }
    try {
      checkExtension(filename, this.#opts.allowedExtensions);
    } catch (err) {
      stream.resume();
      this.#fail(err);
      return;
    }
    this.#filename = filename;
    this.#fileStream = stream;
    const sink = new FileSink(
      join(this.#opts.dir, `${crypto.randomUUID()}.upload`),
      (err) => this.#fail(writeError(err)),
    );
    this.#sink = sink;
    // The sink copies every chunk and never makes the stream pause: backpressure is applied
    // where the body is read (see #feed), so busboy always hands data over synchronously.
    stream.on("data", (chunk: Uint8Array) => {
      this.#fileBytesSeen += chunk.byteLength;
      sink.push(chunk);
    });
    stream.on("end", () => this.#fileEnded = true);
    stream.on("limit", () => this.#fail(tooLarge(this.#opts.maxBytes)));
  }

  /** Busboy has parsed the whole form and every file part has ended. */
  async #finish(): Promise<void> {
    if (this.#failed) return;
    const sink = this.#sink;
    if (!sink) {
      this.#fail(noFile());
      return;
    }
    let size: number;
    try {
      size = await sink.end();
    } catch (err) {
      this.#fail(writeError(err));
      return;
    }
    if (this.#failed) return;
    if (size === 0) {
      this.#fail(
        new DomainError(
          "empty_file",
          `"${this.#filename}" is empty (0 bytes). Choose another file.`,
        ),
      );
      return;
    }
    this.#succeeded = true;
    this.#resolve({
      path: sink.path,
      filename: this.#filename,
      fields: this.#fields,
      sizeBytes: size,
    });
  }

  /** The first failure wins: stop reading, tear the parser down, delete the partial file, reject. */
  #fail(err: unknown): void {
    if (this.#failed || this.#succeeded) return;
    this.#failed = true;
    this.#reader?.cancel();
    this.#fileStream?.destroy();
    if (this.#parser && !this.#parser.destroyed) this.#parser.destroy();
    const removed = this.#sink ? this.#sink.discard() : Promise.resolve();
    removed.then(() => this.#reject(err));
  }
}

function drainOrClose(parser: busboy.Busboy): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      parser.off("drain", done);
      parser.off("close", done);
      resolve();
    };
    parser.on("drain", done);
    parser.on("close", done);
  });
}

function malformed(err: unknown): DomainError {
  return new DomainError(
    "bad_request",
    `The form data is malformed: ${messageOf(err)}.`,
  );
}

function messageOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\.$/, "").replace(/^\w/, (c) => c.toLowerCase());
}
