/**
 * The change feed: tells subscribers about every video change, whichever process wrote it.
 * While anyone listens it reads the store's change revision (one cheap read): on each push
 * from the store when the change log has `listen` (PostgreSQL's NOTIFY), with a slow poll
 * as a safety net; otherwise (SQLite) by polling every `intervalMs`. Either way changes
 * written by separate workers reach this process's SSE clients too; `poke()` makes local
 * writes show at once.
 *
 * @module
 */
import type { ChangeLog, VideoRecord } from "../store/ports.ts";
import { log } from "../core/log.ts";

/** One change: a video created or updated, or a video deleted. */
export type VideoChange =
  | { type: "video"; video: VideoRecord }
  | { type: "deleted"; id: string };

/** A change listener. */
export type ChangeListener = (change: VideoChange) => void;

/** With push from the change log, the poll is only a safety net this many times slower. */
const PUSHED_POLL_FACTOR = 20;

/** Fans out store changes to listeners, in revision order. */
export class ChangeFeed {
  #log: ChangeLog;
  #listeners = new Set<ChangeListener>();
  #rev: number | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #intervalMs: number;
  /** The store subscription while running with push (resolves to null if it failed). */
  #unlisten: Promise<(() => Promise<void>) | null> | null = null;
  /** The poll in progress; a poke during it asks for one more afterwards. */
  #polling: Promise<void> | null = null;
  #again = false;

  constructor(changes: ChangeLog, intervalMs = 250) {
    this.#log = changes;
    this.#intervalMs = intervalMs;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(fn: ChangeListener): () => void {
    this.#listeners.add(fn);
    if (this.#timer === undefined) this.#start();
    return () => {
      this.#listeners.delete(fn);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** Reads changes now and delivers them. */
  poke(): Promise<void> {
    if (this.#listeners.size === 0) return Promise.resolve();
    if (this.#polling) {
      this.#again = true;
      return this.#polling;
    }
    this.#polling = this.#poll().finally(() => {
      this.#polling = null;
      if (this.#again) {
        this.#again = false;
        void this.poke();
      }
    });
    return this.#polling;
  }

  /** Stops polling (listeners stay registered but hear nothing until the next subscribe). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#rev = null;
    const unlisten = this.#unlisten;
    this.#unlisten = null;
    void unlisten?.then((stop) => stop?.()).catch(() => {});
  }

  #start(): void {
    if (!this.#log.listen) {
      this.#timer = setInterval(() => void this.poke(), this.#intervalMs);
      void this.poke(); // reads the starting revision at once
      return;
    }
    this.#timer = setInterval(
      () => void this.poke(),
      this.#intervalMs * PUSHED_POLL_FACTOR,
    );
    void this.poke(); // reads the starting revision at once
    const timer = this.#timer;
    const pending = this.#log.listen(() => void this.poke()).then(
      (stop) => {
        void this.poke(); // a write between the first read and LISTEN
        return stop;
      },
      (err) => {
        log.warn("feed.listen_failed", { error: String(err) });
        if (this.#timer === timer) { // still running: fall back to polling
          clearInterval(timer);
          this.#timer = setInterval(() => void this.poke(), this.#intervalMs);
        }
        return null;
      },
    );
    this.#unlisten = pending;
  }

  async #poll(): Promise<void> {
    try {
      if (this.#rev === null) {
        this.#rev = await this.#log.currentRev();
        return;
      }
      const changes = await this.#log.changesSince(this.#rev);
      this.#rev = changes.rev;
      for (const video of changes.videos) this.#emit({ type: "video", video });
      for (const id of changes.deleted) this.#emit({ type: "deleted", id });
    } catch {
      // Database busy or closing; the next tick retries.
    }
  }

  #emit(change: VideoChange): void {
    for (const fn of [...this.#listeners]) {
      try {
        fn(change);
      } catch (err) {
        log.error("feed.listener_failed", { error: String(err) });
      }
    }
  }
}
