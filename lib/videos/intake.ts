/**
 * The upload use case, one for both upload paths: check for room, receive (multipart or tus,
 * from `lib/uploads`), probe, store the original in the blob store, create the record and
 * queue its transcode. A refused or failed upload leaves nothing behind.
 *
 * @module
 */
import { DomainError } from "../core/errors.ts";
import { formatBytes } from "../core/format.ts";
import { newId } from "../core/ids.ts";
import { log } from "../core/log.ts";
import type { MediaInfo } from "../media/mod.ts";
import type { Counters, VideoRecord } from "../store/ports.ts";
import type { BlobStore } from "../storage/port.ts";
import { removeAll } from "../storage/disk.ts";
import {
  createTusHandler,
  type ReceivedUpload,
  receiveMultipart,
  type TusHandler,
  type TusOptions,
  UPLOAD_EXTENSIONS,
} from "../uploads/mod.ts";
import type { Lifecycle } from "./lifecycle.ts";
import { originalKey, originalsPrefix } from "./keys.ts";
import { parseTitle, titleFromFilename } from "./titles.ts";
import { parseVisibility, type Visibility } from "./visibility.ts";

/** The text fields both upload paths accept besides the file. */
const UPLOAD_FIELDS = { title: parseTitle, visibility: parseVisibility };

/** What the intake needs. */
export interface IntakeDeps {
  lifecycle: Lifecycle;
  blobs: BlobStore;
  counters: Counters;
  /** Probes a received file (throws `empty_file`, `not_a_video`, `input_limits`). */
  probe: (path: string) => Promise<MediaInfo>;
  /** Local folders where uploads are received (`DATA_DIR/incoming`, `DATA_DIR/tus`). */
  incomingDir: string;
  tusDir: string;
  /** Free bytes where uploads are received. */
  freeBytes: () => Promise<number>;
  maxUploadBytes: number;
  minFreeBytes: number;
  tusExpiryHours: number;
  /** Turns a thrown error into the JSON error response (for tus). */
  errorResponse: (err: unknown) => Response;
  /** Base path of the tus endpoint. */
  tusPath: string;
  /** Keep tus uploads in this S3 bucket (when `S3_BUCKET` is set), so any node resumes them. */
  tusS3?: TusOptions["s3"];
  /** A lock against every node for tus uploads in S3 (the database's, when it has one). */
  tusLock?: TusOptions["sharedLock"];
}

/** Receives uploads and turns them into queued videos. */
export class Intake {
  #deps: IntakeDeps;
  /** The tus endpoint (`/api/uploads`). */
  readonly tus: TusHandler;

  constructor(deps: IntakeDeps) {
    this.#deps = deps;
    this.tus = createTusHandler({
      dir: deps.tusDir,
      path: deps.tusPath,
      maxBytes: deps.maxUploadBytes,
      expiryHours: deps.tusExpiryHours,
      allowedExtensions: UPLOAD_EXTENSIONS,
      fields: UPLOAD_FIELDS,
      errorResponse: deps.errorResponse,
      s3: deps.tusS3,
      sharedLock: deps.tusLock,
      onUploadCreate: (_req, size) => this.ensureRoom(size),
      onUploadFinished: async (upload) => {
        const video = await this.ingest(upload);
        return { headers: { "X-Video-Id": video.id } };
      },
    });
  }

  /** Receives a multipart upload (part `file`, optional `title`, `visibility`) and ingests it. */
  async multipart(req: Request): Promise<VideoRecord> {
    await this.ensureRoom(Number(req.headers.get("content-length") ?? 0));
    const upload = await receiveMultipart(req, {
      dir: this.#deps.incomingDir,
      maxBytes: this.#deps.maxUploadBytes,
      allowedExtensions: UPLOAD_EXTENSIONS,
      fields: UPLOAD_FIELDS,
    });
    return await this.ingest(upload);
  }

  /** Refuses (507) when receiving `incomingBytes` would leave less than the minimum free. */
  async ensureRoom(incomingBytes = 0): Promise<void> {
    const { minFreeBytes } = this.#deps;
    const free = await this.#deps.freeBytes();
    if (free - incomingBytes < minFreeBytes) {
      throw new DomainError(
        "insufficient_storage",
        `The server is low on disk space (${
          formatBytes(free)
        } free, MIN_FREE_DISK_BYTES is ` +
          `${
            formatBytes(minFreeBytes)
          }); uploads are paused until space is freed.`,
      );
    }
  }

  /** Probes a received file; on success stores it as a new queued video, else removes it. */
  async ingest(upload: ReceivedUpload): Promise<VideoRecord> {
    const { blobs, counters, lifecycle } = this.#deps;
    let info: MediaInfo;
    try {
      info = await this.#deps.probe(upload.path);
    } catch (err) {
      await removeAll(upload.path);
      await counters.add("uploads_rejected_total");
      throw err;
    }
    const id = newId();
    try {
      await blobs.putFile(originalKey(id, upload.filename), upload.path, {
        move: true,
      });
      const video = await lifecycle.created({
        id,
        title: upload.fields.title ?? titleFromFilename(upload.filename),
        visibility: (upload.fields.visibility as Visibility | undefined) ??
          "public",
        sourceName: upload.filename,
        sizeBytes: upload.sizeBytes,
        durationSec: info.durationSec,
        width: info.video.displayWidth,
        height: info.video.displayHeight,
        media: info,
      });
      await counters.add("uploads_total");
      await counters.add("upload_bytes_total", upload.sizeBytes);
      log.info("video.created", {
        videoId: id,
        sizeBytes: upload.sizeBytes,
        durationSec: info.durationSec,
      });
      return video;
    } catch (err) {
      await blobs.deletePrefix(originalsPrefix(id));
      await removeAll(upload.path);
      throw err;
    }
  }

  /** Stops answering tus requests (shutdown). */
  close(): void {
    this.tus.close();
  }
}
