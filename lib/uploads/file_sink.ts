/**
 * A write-behind file writer for upload streams: small network chunks are gathered into
 * large writes, one write is in flight while the next batch fills, and `push()` reports
 * backpressure once too much is waiting, so memory stays flat at any upload speed.
 */

/** Bytes gathered before a write is started. */
const BATCH_BYTES = 1 << 20;
/** Bytes allowed to wait in memory before `push()` asks the producer to pause. */
const MAX_PENDING_BYTES = 8 << 20;

/** Appends chunks to a new file; `end()` flushes and closes, `discard()` closes and deletes. */
export class FileSink {
  readonly path: string;
  #file: Promise<Deno.FsFile>;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #written = 0;
  #writing: Promise<void> = Promise.resolve();
  #busy = false;
  #ending = false;
  #closed = false;
  #error: unknown = null;
  #onError: (err: unknown) => void;
  #drainWaiters: (() => void)[] = [];

  /** Creates the file (it must not exist yet); write errors go to `onError` once. */
  constructor(path: string, onError: (err: unknown) => void) {
    this.path = path;
    this.#onError = onError;
    this.#file = Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    // The open error, if any, surfaces through the first write.
    this.#file.catch(() => {});
  }

  /** Bytes handed to `push()` so far. */
  get receivedBytes(): number {
    return this.#written + this.#pendingBytes;
  }

  /** Queues a chunk (kept by reference, not copied). Returns false when the producer should wait for `drained()`. */
  push(chunk: Uint8Array): boolean {
    if (this.#error !== null || this.#ending) return false;
    if (chunk.byteLength === 0) return true;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    if (!this.#busy && this.#pendingBytes >= BATCH_BYTES) this.#startWriting();
    return this.#pendingBytes < MAX_PENDING_BYTES;
  }

  /** Resolves when the backlog is small again (or the sink failed or closed). */
  drained(): Promise<void> {
    if (
      this.#pendingBytes < MAX_PENDING_BYTES || this.#error !== null ||
      this.#closed
    ) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Writes what is left and closes the file; resolves to the file's size. Rejects with the write error. */
  async end(): Promise<number> {
    this.#ending = true;
    if (!this.#busy && this.#error === null) this.#startWriting();
    await this.#writing;
    await this.#close();
    if (this.#error !== null) throw this.#error;
    return this.#written;
  }

  /** Stops writing, closes and deletes the file. Never rejects. */
  async discard(): Promise<void> {
    this.#ending = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#writing;
    await this.#close();
    await Deno.remove(this.path).catch(() => {});
  }

  #startWriting(): void {
    this.#busy = true;
    this.#writing = this.#writeLoop();
  }

  async #writeLoop(): Promise<void> {
    try {
      const file = await this.#file;
      while (
        this.#pendingBytes >= BATCH_BYTES ||
        (this.#ending && this.#pendingBytes > 0)
      ) {
        const batch = concat(this.#pending, this.#pendingBytes);
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#wakeDrainWaiters();
        let off = 0;
        while (off < batch.byteLength) {
          off += await file.write(batch.subarray(off));
        }
        this.#written += batch.byteLength;
      }
    } catch (err) {
      if (this.#error === null) {
        this.#error = err;
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#wakeDrainWaiters();
        this.#onError(err);
      }
    } finally {
      // Cleared in the same tick as the last loop check, so a push() never finds the
      // loop finished but still marked busy.
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

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
