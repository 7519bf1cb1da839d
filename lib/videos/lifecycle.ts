/**
 * The video lifecycle: the one module that writes a video's status, progress, error and
 * per-rendition state. Every transition is here, so the rules can be read in one place:
 *
 *   created → queued ──started──▶ processing ──finished──▶ ready
 *                                  │ playable (first rendition published, still processing)
 *                                  │ renditionReady (one more rendition complete)
 *                ▲                   │  └──retrying──▶ queued (attempt failed, will retry)
 *                │                   └──failed──▶ failed ──retry──▶ queued
 *   deleted: from any state (the record and its jobs go; files are removed by the caller)
 *
 * Each transition notifies the change feed so local SSE clients hear it at once.
 *
 * @module
 */
import type {
  JobQueue,
  NewVideo,
  RenditionState,
  VideoPatch,
  VideoRecord,
  VideoStore,
} from "../store/ports.ts";
import { DomainError } from "../core/errors.ts";

/** The job kind that turns an original into streams. */
export const TRANSCODE = "transcode";

/** What a finished rendition reports. */
export interface FinishedRendition {
  width: number;
  height: number;
  bitrate: number;
}

/** Callbacks into the rest of the process. */
export interface LifecycleHooks {
  /** A video changed (push it to local SSE clients now). */
  changed?: () => void;
  /** A transcode job was queued (wake the local worker). */
  queued?: () => void;
}

/** Owns every status and rendition transition of a video. */
export class Lifecycle {
  #videos: VideoStore;
  #jobs: JobQueue;
  #hooks: LifecycleHooks;

  constructor(videos: VideoStore, jobs: JobQueue, hooks: LifecycleHooks = {}) {
    this.#videos = videos;
    this.#jobs = jobs;
    this.#hooks = hooks;
  }

  #notify(): void {
    this.#hooks.changed?.();
  }

  async #enqueue(id: string): Promise<void> {
    await this.#jobs.enqueue({ kind: TRANSCODE, videoId: id });
    this.#hooks.queued?.();
  }

  /** A new video, `queued`, with its transcode job. */
  async created(v: NewVideo): Promise<VideoRecord> {
    const video = await this.#videos.create(v);
    try {
      await this.#enqueue(v.id);
    } catch (err) {
      await this.#videos.delete(v.id);
      throw err;
    }
    this.#notify();
    return video;
  }

  /** A worker took the job: `processing` from 0, nothing playable yet. Null when gone. */
  async started(id: string): Promise<VideoRecord | null> {
    return await this.#write(id, {
      status: "processing",
      playable: false,
      progress: 0,
      error: null,
    });
  }

  /** The first rendition can be played from its start (it is still being written). */
  async playable(id: string): Promise<void> {
    await this.#write(id, { playable: true });
  }

  /** Rendition `index` (ladder order) is complete, at `bitrate` bits/s. */
  async renditionReady(
    id: string,
    index: number,
    bitrate: number,
  ): Promise<void> {
    const v = await this.#videos.get(id);
    if (!v || !v.renditions[index]) return;
    const renditions = v.renditions.map((r, i) =>
      i === index ? { ...r, bitrate, ready: true } : r
    );
    await this.#write(id, { renditions });
  }

  /** The renditions the transcode will produce, none ready yet. */
  async planned(
    id: string,
    sizes: { width: number; height: number }[],
  ): Promise<void> {
    const renditions: RenditionState[] = sizes.map((s) => ({
      width: s.width,
      height: s.height,
      bitrate: null,
      ready: false,
    }));
    await this.#write(id, { renditions });
  }

  /** Transcode progress, 0…1 (kept under 1 until `finished`). */
  async progressed(id: string, fraction: number): Promise<void> {
    await this.#write(id, { progress: Math.min(fraction, 0.99) });
  }

  /** Every rendition is done: `ready`. Null when the video was deleted meanwhile. */
  async finished(
    id: string,
    renditions: FinishedRendition[],
  ): Promise<VideoRecord | null> {
    return await this.#write(id, {
      status: "ready",
      playable: true,
      progress: 1,
      error: null,
      renditions: renditions.map((r) => ({ ...r, ready: true })),
    });
  }

  /** An attempt failed and the job will run again: back to `queued`, nothing playable. */
  async retrying(id: string): Promise<void> {
    await this.#write(id, {
      status: "queued",
      playable: false,
      progress: 0,
      error: null,
    });
  }

  /** Out of attempts: `failed` with a reason a person can act on. */
  async failed(id: string, reason: string): Promise<void> {
    await this.#write(id, {
      status: "failed",
      playable: false,
      progress: 0,
      error: reason,
    });
  }

  /** The owner changed the title and/or the visibility. Null when gone. */
  async edited(
    id: string,
    patch: Pick<VideoPatch, "title" | "visibility">,
  ): Promise<VideoRecord | null> {
    return await this.#write(id, patch);
  }

  /** A caption was added, replaced or deleted: bumps the revision so readers see it. */
  async captionsChanged(id: string): Promise<VideoRecord | null> {
    return await this.#write(id, {});
  }

  /** Requeues a `failed` video; `not_failed` for any other status. */
  async retry(id: string): Promise<VideoRecord> {
    const v = await this.#videos.get(id);
    if (!v) throw new DomainError("not_found", "No video has this id.");
    if (v.status !== "failed") {
      throw new DomainError(
        "not_failed",
        `Only failed videos can be retried; this one is ${v.status}.`,
      );
    }
    const out = await this.#videos.update(
      id,
      { status: "queued", playable: false, progress: 0, error: null },
      ["failed"],
    );
    if (!out) {
      throw new DomainError(
        "not_failed",
        "Only failed videos can be retried; this one changed meanwhile.",
      );
    }
    await this.#jobs.dropForVideo(id, TRANSCODE);
    await this.#enqueue(id);
    this.#notify();
    return out;
  }

  /** Removes the record and its jobs; false when it was already gone. */
  async deleted(id: string): Promise<boolean> {
    const gone = await this.#videos.delete(id);
    if (gone) this.#notify();
    return gone;
  }

  /**
   * Gives a transcode job to every unfinished video that has none (a crash between creating
   * a record and queueing its job). Returns how many were queued.
   */
  async recover(): Promise<number> {
    const ids = await this.#videos.withoutJob(
      ["queued", "processing"],
      TRANSCODE,
    );
    for (const id of ids) await this.#enqueue(id);
    if (ids.length) {
      await Promise.all(ids.map((id) => this.retrying(id)));
    }
    return ids.length;
  }

  async #write(
    id: string,
    patch: Parameters<VideoStore["update"]>[1],
  ): Promise<VideoRecord | null> {
    const v = await this.#videos.update(id, patch);
    if (v) this.#notify();
    return v;
  }
}
