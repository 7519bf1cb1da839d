/**
 * Watches the database for video changes and tells subscribers. Polling the change counter
 * (cheap: one indexed read) makes changes written by other processes — separate transcode
 * workers — reach this process's SSE clients too; `poke()` makes local writes show at once.
 */
import type { VideoRecord, VideoStore } from "../store/videos.ts";

/** One change: a video created or updated, or a video deleted. */
export type VideoChange =
  | { type: "video"; video: VideoRecord }
  | { type: "deleted"; id: string };

/** A change listener; return nothing. */
export type ChangeListener = (change: VideoChange) => void;

/** Fans out database changes to listeners. */
export class ChangeFeed {
  #store: VideoStore;
  #listeners = new Set<ChangeListener>();
  #rev: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #intervalMs: number;

  constructor(store: VideoStore, intervalMs = 250) {
    this.#store = store;
    this.#intervalMs = intervalMs;
    this.#rev = store.currentRev();
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(fn: ChangeListener): () => void {
    this.#listeners.add(fn);
    if (this.#timer === undefined) {
      this.#rev = this.#store.currentRev();
      this.#timer = setInterval(() => this.poke(), this.#intervalMs);
    }
    return () => {
      this.#listeners.delete(fn);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** Reads changes now and delivers them. */
  poke(): void {
    if (this.#listeners.size === 0) return;
    let changes;
    try {
      changes = this.#store.changesSince(this.#rev);
    } catch {
      return; // database busy or closing; the next tick retries
    }
    this.#rev = changes.rev;
    for (const video of changes.videos) this.#emit({ type: "video", video });
    for (const id of changes.deleted) this.#emit({ type: "deleted", id });
  }

  /** Stops polling (listeners stay registered but hear nothing). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #emit(change: VideoChange): void {
    for (const fn of [...this.#listeners]) {
      try {
        fn(change);
      } catch (err) {
        console.error("change listener failed", err);
      }
    }
  }
}
