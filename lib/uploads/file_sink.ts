/**
 * A write-behind file writer for upload streams. Chunks are copied into a few reused 4 MiB
 * buffers, a full buffer is written while the next one fills, and `push()` reports
 * backpressure once two buffers wait, so memory stays flat (about 16 MiB) at any speed.
 */

/** Size of one write (and of each reused buffer). */
const BUFFER_BYTES = 4 << 20;
/** Full buffers allowed to wait for the disk before `push()` asks the producer to pause. */
const MAX_QUEUED = 2;

/** Appends chunks to a new file; `end()` flushes and closes, `discard()` closes and deletes. */
export class FileSink {
  readonly path: string;
  #file: Promise<Deno.FsFile>;
  #current: Uint8Array | null = null;
  #currentLen = 0;
  /** Buffers ready for the disk; the first one is being written while `#busy`. */
  #queue: Uint8Array[] = [];
  #free: Uint8Array[] = [];
  #written = 0;
  #queuedBytes = 0;
  #writing: Promise<void> = Promise.resolve();
  #busy = false;
  #ending = false;
  #closed = false;
  #error: unknown = null;
  #onError: (err: unknown) => void;
  #drainWaiters: (() => void)[] = [];

  /** Creates the file (it must not exist yet); write errors go to `onError`, once. */
  constructor(path: string, onError: (err: unknown) => void) {
    this.path = path;
    this.#onError = onError;
    this.#file = Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    // An open error surfaces through the first write.
    this.#file.catch(() => {});
  }

  /** Bytes accepted by `push()` so far. */
  get receivedBytes(): number {
    return this.#written + this.#queuedBytes + this.#currentLen;
  }

  /**
   * Copies a chunk in (the caller may reuse the chunk's memory right away). Returns false
   * when the producer should wait for `drained()`.
   */
  push(chunk: Uint8Array): boolean {
    if (this.#error !== null || this.#ending) return false;
    let off = 0;
    while (off < chunk.byteLength) {
      if (this.#current === null) {
        this.#current = this.#free.pop() ?? new Uint8Array(BUFFER_BYTES);
        this.#currentLen = 0;
      }
      const n = Math.min(
        chunk.byteLength - off,
        BUFFER_BYTES - this.#currentLen,
      );
      this.#current.set(chunk.subarray(off, off + n), this.#currentLen);
      this.#currentLen += n;
      off += n;
      if (this.#currentLen === BUFFER_BYTES) this.#enqueueCurrent();
    }
    if (this.#queue.length > 0 && !this.#busy) this.#startWriting();
    return this.#queue.length < MAX_QUEUED;
  }

  /** Resolves when the backlog is small again (or the sink failed or closed). */
  drained(): Promise<void> {
    if (
      this.#queue.length < MAX_QUEUED || this.#error !== null || this.#closed
    ) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Writes what is left and closes the file; resolves to its size. Rejects with the write error. */
  async end(): Promise<number> {
    if (!this.#ending) {
      this.#ending = true;
      if (this.#error === null) this.#enqueueCurrent();
      if (!this.#busy && this.#queue.length > 0) this.#startWriting();
    }
    await this.#writing;
    await this.#close();
    if (this.#error !== null) throw this.#error;
    return this.#written;
  }

  /** Stops writing, closes and deletes the file. Never rejects. */
  async discard(): Promise<void> {
    this.#ending = true;
    // Keep only the buffer being written (if any); the loop stops after it.
    this.#queue.length = Math.min(this.#queue.length, this.#busy ? 1 : 0);
    this.#current = null;
    this.#currentLen = 0;
    await this.#writing;
    await this.#close();
    await Deno.remove(this.path).catch(() => {});
  }

  #enqueueCurrent(): void {
    if (this.#current === null || this.#currentLen === 0) return;
    const buf = this.#currentLen === BUFFER_BYTES
      ? this.#current
      : this.#current.subarray(0, this.#currentLen);
    this.#queue.push(buf);
    this.#queuedBytes += buf.byteLength;
    this.#current = null;
    this.#currentLen = 0;
  }

  #startWriting(): void {
    this.#busy = true;
    this.#writing = this.#writeLoop();
  }

  async #writeLoop(): Promise<void> {
    try {
      const file = await this.#file;
      while (this.#queue.length > 0) {
        const buf = this.#queue[0];
        let off = 0;
        while (off < buf.byteLength) off += await file.write(buf.subarray(off));
        this.#queue.shift();
        this.#queuedBytes -= buf.byteLength;
        this.#written += buf.byteLength;
        if (buf.byteLength === BUFFER_BYTES && this.#free.length < MAX_QUEUED) {
          this.#free.push(buf);
        }
        if (this.#queue.length < MAX_QUEUED) this.#wakeDrainWaiters();
      }
    } catch (err) {
      if (this.#error === null) {
        this.#error = err;
        this.#queue = [];
        this.#queuedBytes = 0;
        this.#current = null;
        this.#currentLen = 0;
        this.#wakeDrainWaiters();
        this.#onError(err);
      }
    } finally {
      // Cleared in the same tick as the last queue check, so push() never finds the loop
      // finished but still marked busy.
      this.#busy = false;
    }
  }

  #wakeDrainWaiters(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const wake of waiters) wake();
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeDrainWaiters();
    try {
      (await this.#file).close();
    } catch {
      // Never opened, or already closed: nothing to release.
    }
  }
}
