/**
 * The video use cases behind the API besides upload: read, list, edit, delete, retry.
 * Routes call these and only shape responses; status changes go through the lifecycle.
 * Reads take `owner` (the caller holds the API token or its session): to anyone else a
 * private video does not exist and only public ones are listed.
 *
 * @module
 */
import { DomainError } from "../core/errors.ts";
import { isVideoId } from "../core/ids.ts";
import { log } from "../core/log.ts";
import type { VideoRecord, VideoStore } from "../store/ports.ts";
import type { BlobStore } from "../storage/port.ts";
import type { Lifecycle } from "./lifecycle.ts";
import { captionsPrefix, originalsPrefix, streamPrefix } from "./keys.ts";
import { validateTitle } from "./titles.ts";
import {
  canSee,
  listedFor,
  validateVisibility,
  type Visibility,
} from "./visibility.ts";

/** What the service needs. */
export interface VideoServiceDeps {
  videos: VideoStore;
  lifecycle: Lifecycle;
  blobs: BlobStore;
  /** Stops this process's running job of a deleted video (other processes lose their lease). */
  cancel?: (id: string) => void;
  /** Told after this process edits or deletes a video (drops cached facts about it). */
  changed?: (id: string) => void;
}

const notFound = () => new DomainError("not_found", "No video has this id.");

/** Video use cases. */
export class VideoService {
  #deps: VideoServiceDeps;

  constructor(deps: VideoServiceDeps) {
    this.#deps = deps;
  }

  /** One video the caller may see, or `not_found` (also for a malformed id). */
  async get(id: string, owner = true): Promise<VideoRecord> {
    const v = await this.find(id, owner);
    if (!v) throw notFound();
    return v;
  }

  /** One video the caller may see, or null (also for a malformed id). */
  async find(id: string, owner = true): Promise<VideoRecord | null> {
    const v = isVideoId(id) ? await this.#deps.videos.get(id) : null;
    return v && canSee(v, owner) ? v : null;
  }

  /** A page of the videos the caller's library lists, newest first, and the next cursor. */
  async list(
    limit: number,
    cursor: string | null,
    owner = true,
  ): Promise<{ videos: VideoRecord[]; nextCursor: string | null }> {
    let before: number | undefined;
    if (cursor) {
      before = Number(cursor);
      if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(before)) {
        throw new DomainError(
          "bad_request",
          "The cursor is not valid; use nextCursor as given.",
        );
      }
    }
    const rows = await this.#deps.videos.list(
      limit + 1,
      before,
      listedFor(owner),
    );
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    return {
      videos: page,
      nextCursor: more ? String(page[page.length - 1].seq) : null,
    };
  }

  /**
   * Changes the title (1–200 characters) and/or the visibility; both are checked before
   * anything is written, so a bad value changes nothing.
   */
  async edit(
    id: string,
    body: Record<string, unknown>,
  ): Promise<VideoRecord> {
    await this.get(id);
    const patch: { title?: string; visibility?: Visibility } = {};
    if (body.title !== undefined) patch.title = validateTitle(body.title);
    if (body.visibility !== undefined) {
      patch.visibility = validateVisibility(body.visibility);
    }
    if (Object.keys(patch).length === 0) {
      throw new DomainError(
        "bad_request",
        'Send "title" and/or "visibility" to change.',
      );
    }
    const v = await this.#deps.lifecycle.edited(id, patch);
    this.#deps.changed?.(id);
    if (!v) throw notFound();
    return v;
  }

  /** Deletes the record, stops its job and removes every object. */
  async remove(id: string): Promise<void> {
    await this.get(id);
    if (!(await this.#deps.lifecycle.deleted(id))) throw notFound();
    this.#deps.changed?.(id);
    this.#deps.cancel?.(id);
    await this.#deps.blobs.deletePrefix(streamPrefix(id));
    await this.#deps.blobs.deletePrefix(originalsPrefix(id));
    await this.#deps.blobs.deletePrefix(captionsPrefix(id));
    log.info("video.deleted", { videoId: id });
  }

  /** Requeues a failed video from its kept original. */
  async retry(id: string): Promise<VideoRecord> {
    await this.get(id);
    return await this.#deps.lifecycle.retry(id);
  }
}
