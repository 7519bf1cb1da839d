/**
 * The first phase's publishing: while ffmpeg writes the first rendition, its complete
 * segments go out under their final names, then EVENT playlists listing exactly those, then
 * a master listing only this rendition (see docs/architecture.md, "Progressive publishing").
 *
 * @module
 */
import { join } from "node:path";
import { finalIdOf, type PhasePlan } from "./phases.ts";
import {
  playlistFiles,
  renameFile,
  rewriteMaster,
  rewriteMediaPlaylist,
} from "./hls_publish.ts";
import { type AudioRendition, labelAudioMaster } from "./audio_tracks.ts";
import { OUTPUT_FILES } from "./layout.ts";

/** A file to publish while the transcode runs: its final name in the stream folder. */
export interface PublishFile {
  name: string;
  path: string;
}

/**
 * Segments the first rendition needs before it is published (unless it is complete): one,
 * as players learn of the next one the moment it exists (blocking playlist reload).
 */
const FIRST_PUBLISH_SEGMENTS = 1;
/** How often the first phase's folder is looked at for new segments. */
const PUBLISH_POLL_MS = 200;

/**
 * Publishes the first phase's rendition while ffmpeg writes it: new complete segments (the
 * dash muxer renames a segment into place only when it is whole, and lists only those),
 * then EVENT playlists listing exactly what was published, then the master. Nothing is
 * published until the video and every audio track have segments.
 */
export class FirstPhasePublisher {
  #dir: string;
  #pub: string;
  #plan: PhasePlan;
  #audioTracks: readonly AudioRendition[];
  #onPublish?: (files: PublishFile[]) => Promise<void>;
  #published = new Set<string>();
  #playlists = new Map<string, string>();
  #masterDone = false;
  #queue: Promise<void> = Promise.resolve();
  /** `performance.now()` when the first rendition was first published. */
  firstAt: number | null = null;

  constructor(
    dir: string,
    pub: string,
    plan: PhasePlan,
    audioTracks: readonly AudioRendition[],
    onPublish?: (files: PublishFile[]) => Promise<void>,
  ) {
    this.#dir = dir;
    this.#pub = pub;
    this.#plan = plan;
    this.#audioTracks = audioTracks;
    this.#onPublish = onPublish;
    // Nobody watches: nothing to start early for.
    if (!onPublish) this.#release();
  }

  #release!: () => void;
  /** Resolves when the rendition is first published, or when the phase ends without that. */
  readonly started: Promise<void> = new Promise((r) => (this.#release = r));

  /** Publishes files now (in order, after anything published before). */
  publish(files: PublishFile[]): Promise<void> {
    return this.publishWhen(Promise.resolve(files));
  }

  /** Publishes the files `files` resolves to before anything published after this call. */
  publishWhen(files: Promise<PublishFile[]>): Promise<void> {
    const next = this.#queue.then(async () => {
      const list = await files;
      if (list.length > 0) await this.#onPublish?.(list);
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Lets whatever waits on {@link started} go on (the phase ended or failed). */
  release(): void {
    this.#release();
  }

  /** Polls the folder until `stop()`; the returned `stop` waits for the last round. */
  watch(signal: AbortSignal): { stop(): Promise<void> } {
    let running = true;
    let failure: unknown = null;
    const loop = (async () => {
      while (running && !signal.aborted) {
        await this.#scan(false);
        await new Promise((r) => setTimeout(r, PUBLISH_POLL_MS));
      }
    })().catch((err) => {
      failure = err;
    });
    return {
      stop: async () => {
        running = false;
        await loop;
        if (failure !== null) throw failure;
      },
    };
  }

  /** Publishes what the finished phase wrote (playlists now end with ENDLIST). */
  async finish(): Promise<void> {
    await this.#scan(true);
  }

  async #scan(final: boolean): Promise<void> {
    if (!this.#onPublish) return;
    const phase = this.#plan.first;
    const finalId = finalIdOf(phase, this.#plan);
    const rename = (name: string) => renameFile(name, finalId);
    const master = await readIfExists(join(this.#dir, OUTPUT_FILES.hlsMaster));
    if (master === null) return;
    const locals = phase.renditions.map((_, i) => i);
    if (phase.audio) {
      this.#plan.audioIds.forEach((_, j) =>
        locals.push(phase.renditions.length + j)
      );
    }
    const files: PublishFile[] = [];
    const playlists: PublishFile[] = [];
    for (const local of locals) {
      const name = `media_${local}.m3u8`;
      const text = await readIfExists(join(this.#dir, name));
      if (text === null) return;
      const listed = playlistFiles(text);
      const enough = listed.complete ? 1 : FIRST_PUBLISH_SEGMENTS;
      if (!listed.init || listed.segments.length < enough) return;
      for (const f of [listed.init, ...listed.segments]) {
        if (this.#published.has(f)) continue;
        files.push({ name: rename(f), path: join(this.#dir, f) });
        this.#published.add(f);
      }
      const rewritten = rewriteMediaPlaylist(text, rename, "EVENT");
      if (this.#playlists.get(name) !== rewritten || final) {
        this.#playlists.set(name, rewritten);
        playlists.push({
          name: rename(name),
          path: await this.#stage(rewritten),
        });
      }
    }
    if (!this.#masterDone) {
      this.#masterDone = true;
      playlists.push({
        name: OUTPUT_FILES.hlsMaster,
        path: await this.#stage(
          labelAudioMaster(rewriteMaster(master, rename), this.#audioTracks),
        ),
      });
    }
    if (files.length + playlists.length === 0) return;
    await this.publish([...files, ...playlists]);
    this.firstAt ??= performance.now();
    this.#release();
  }

  /** Writes a playlist version to a file of its own (published files are never rewritten). */
  async #stage(text: string): Promise<string> {
    const path = join(this.#pub, `${crypto.randomUUID()}.m3u8`);
    await Deno.writeTextFile(path, text);
    return path;
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}
