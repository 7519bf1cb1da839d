/**
 * The video use cases behind the API: ingest an upload (probe → record → queue), rename,
 * delete (stopping any running job), retry. Routes call these and only shape responses.
 */
import { extname, join } from "node:path";
import type { Config } from "../config.ts";
import { ApiError } from "../http/errors.ts";
import { probe } from "../media/mod.ts";
import type { JobQueue } from "../store/jobs.ts";
import type { Counters } from "../store/counters.ts";
import type { VideoRecord, VideoStore } from "../store/videos.ts";
import {
  type DataPaths,
  isVideoId,
  removeAll,
  removeVideoFiles,
} from "./paths.ts";
import { log } from "../log.ts";

/** A file fully received by one of the upload paths. */
export interface ReceivedUpload {
  /** Where the bytes are now; ingest moves or removes it. */
  path: string;
  /** The client's file name, for display only. */
  filename: string;
  title: string | null;
  sizeBytes: number;
}

/** Hooks into the rest of the process. */
export interface ServiceHooks {
  /** A local write happened (push it to SSE clients now). */
  changed?: () => void;
  /** A job was queued (wake the local worker). */
  queued?: () => void;
  /** A video is being deleted (stop its local job). */
  cancel?: (id: string) => void;
}

const MAX_TITLE = 200;

/** Default title from a file name: the name without its extension. */
export function titleFromFilename(name: string): string {
  const base = name.replace(/\.[^.]*$/, "").trim();
  return (base || "Untitled video").slice(0, MAX_TITLE);
}

/** Checks a title from a client: 1–200 characters after trimming. */
export function validateTitle(raw: unknown): string {
  if (typeof raw !== "string") {
    throw new ApiError(
      "bad_request",
      'Send a JSON body like {"title": "My video"}.',
    );
  }
  // deno-lint-ignore no-control-regex
  const title = raw.replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  if (title.length < 1 || title.length > MAX_TITLE) {
    throw new ApiError(
      "bad_request",
      `A title must be 1 to ${MAX_TITLE} characters long.`,
    );
  }
  return title;
}

/** Video use cases. */
export class VideoService {
  #config: Config;
  #paths: DataPaths;
  #videos: VideoStore;
  #jobs: JobQueue;
  #counters: Counters;
  #hooks: ServiceHooks;

  constructor(
    config: Config,
    paths: DataPaths,
    videos: VideoStore,
    jobs: JobQueue,
    counters: Counters,
    hooks: ServiceHooks = {},
  ) {
    this.#counters = counters;
    this.#config = config;
    this.#paths = paths;
    this.#videos = videos;
    this.#jobs = jobs;
    this.#hooks = hooks;
  }

  /** Replaces the hooks (set once the worker exists). */
  setHooks(hooks: ServiceHooks): void {
    this.#hooks = hooks;
  }

  /** Probes a received file; on success stores it as a new queued video, else removes it. */
  async ingest(upload: ReceivedUpload): Promise<VideoRecord> {
    const c = this.#config;
    let info;
    try {
      info = await probe(upload.path, {
        ffprobePath: c.ffprobePath,
        limits: {
          maxWidth: c.maxInputWidth,
          maxHeight: c.maxInputHeight,
          maxFps: c.maxInputFps,
          maxDurationSec: c.maxDurationSec,
        },
      });
    } catch (err) {
      await removeAll(upload.path);
      this.#counters.add("uploads_rejected_total");
      throw err;
    }
    const id = crypto.randomUUID();
    const dir = join(this.#paths.uploads, id);
    const ext =
      extname(upload.filename).toLowerCase().replace(/[^.a-z0-9]/g, "") ||
      ".bin";
    try {
      await Deno.mkdir(dir, { recursive: true });
      await Deno.rename(upload.path, join(dir, `original${ext}`));
      const title = upload.title
        ? validateTitle(upload.title)
        : titleFromFilename(
          upload.filename,
        );
      const video = this.#videos.create({
        id,
        title,
        sourceName: upload.filename,
        sizeBytes: upload.sizeBytes,
        durationSec: info.durationSec,
        width: info.video.displayWidth,
        height: info.video.displayHeight,
        media: info,
      });
      this.#counters.add("uploads_total");
      this.#counters.add("upload_bytes_total", upload.sizeBytes);
      log.info("video.created", {
        videoId: id,
        sizeBytes: upload.sizeBytes,
        durationSec: info.durationSec,
      });
      this.#hooks.changed?.();
      this.#hooks.queued?.();
      return video;
    } catch (err) {
      await removeAll(dir);
      await removeAll(upload.path);
      throw err;
    }
  }

  /** One video or a 404. */
  get(id: string): VideoRecord {
    const v = isVideoId(id) ? this.#videos.get(id) : null;
    if (!v) throw new ApiError("not_found", "No video has this id.");
    return v;
  }

  /** A page of videos, newest first, and the cursor of the next page. */
  list(
    limit: number,
    cursor: string | null,
  ): { videos: VideoRecord[]; nextCursor: string | null } {
    let before: number | undefined;
    if (cursor) {
      before = Number(cursor);
      if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(before)) {
        throw new ApiError(
          "bad_request",
          "The cursor is not valid; use nextCursor as given.",
        );
      }
    }
    const rows = this.#videos.list(limit + 1, before);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    return {
      videos: page,
      nextCursor: more ? String(page[page.length - 1].seq) : null,
    };
  }

  /** Changes the title. */
  rename(id: string, rawTitle: unknown): VideoRecord {
    this.get(id);
    const v = this.#videos.update(id, { title: validateTitle(rawTitle) });
    if (!v) throw new ApiError("not_found", "No video has this id.");
    this.#hooks.changed?.();
    return v;
  }

  /** Deletes the record, stops its job and removes every file. */
  async remove(id: string): Promise<void> {
    this.get(id);
    if (!this.#videos.delete(id)) {
      throw new ApiError("not_found", "No video has this id.");
    }
    this.#hooks.cancel?.(id);
    this.#hooks.changed?.();
    await removeVideoFiles(this.#paths, id);
    log.info("video.deleted", { videoId: id });
  }

  /** Requeues a failed video from its kept original. */
  retry(id: string): VideoRecord {
    const v = this.get(id);
    if (v.status !== "failed") {
      throw new ApiError(
        "not_failed",
        `Only failed videos can be retried; this one is ${v.status}.`,
      );
    }
    this.#jobs.requeue(id);
    const out = this.#videos.update(id, {
      status: "queued",
      progress: 0,
      error: null,
    });
    if (!out) throw new ApiError("not_found", "No video has this id.");
    this.#hooks.changed?.();
    this.#hooks.queued?.();
    return out;
  }
}
