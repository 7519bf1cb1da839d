/**
 * The caption use cases: add (or replace) a video's caption for one language from an
 * uploaded WebVTT or SRT file, list them, delete one. The file is validated and rewritten
 * as clean WebVTT (`lib/media/captions.ts`) before anything is kept; the WebVTT goes to the
 * blob store (`captions/<id>/<lang>.vtt`), the metadata to the caption store, and the video's
 * revision is bumped so Video JSON and SSE show the change. A refused file leaves nothing.
 *
 * @module
 */
import { DomainError } from "../core/errors.ts";
import { log } from "../core/log.ts";
import {
  canonicalLanguage,
  CaptionError,
  MAX_CAPTION_BYTES,
  MAX_CAPTION_LABEL_CHARS,
  parseCaptions,
  toWebVtt,
} from "../media/mod.ts";
import type { CaptionRecord, CaptionStore } from "../store/ports.ts";
import type { BlobStore } from "../storage/port.ts";
import { captionKey } from "./keys.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { VideoService } from "./service.ts";

/** What the caption service needs. */
export interface CaptionServiceDeps {
  captions: CaptionStore;
  blobs: BlobStore;
  videos: VideoService;
  lifecycle: Lifecycle;
  /** Told after this process changes a video's captions (drops cached facts about it). */
  changed?: (id: string) => void;
}

/** Room for the multipart envelope and the `lang`/`label` fields beside the file. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

const tooLarge = (size?: number) =>
  new DomainError(
    "too_large",
    `${
      size === undefined
        ? "The caption file"
        : `The caption file (${size} bytes)`
    } is over the limit of 1 MiB (${MAX_CAPTION_BYTES} bytes); split it or remove styling.`,
  );

/** Caption use cases. */
export class CaptionService {
  #deps: CaptionServiceDeps;

  constructor(deps: CaptionServiceDeps) {
    this.#deps = deps;
  }

  /** The captions of a video (`not_found` for an unknown video). */
  async list(videoId: string): Promise<CaptionRecord[]> {
    await this.#deps.videos.get(videoId);
    return await this.#deps.captions.list(videoId);
  }

  /**
   * Adds or replaces a caption from a multipart request: part `file` (.vtt or .srt, ≤ 1 MiB),
   * `lang` (BCP 47), optional `label`, in any order.
   */
  async add(videoId: string, req: Request): Promise<CaptionRecord> {
    await this.#deps.videos.get(videoId);
    const form = await readForm(req);
    const file = form.get("file");
    if (!(file instanceof File)) {
      throw new DomainError(
        "no_file",
        "Send the caption as a multipart form with a part named file (a .vtt or .srt file).",
      );
    }
    const lang = canonicalLanguage(form.get("lang"));
    if (!lang) {
      const raw = form.get("lang");
      throw new DomainError(
        "bad_request",
        typeof raw === "string" && raw.trim()
          ? `"${
            raw.trim().slice(0, 40)
          }" is not a BCP 47 language tag; use one like en, pt-BR or zh-Hant.`
          : "Say which language the captions are in: a field lang with a BCP 47 tag such as en or pt-BR.",
      );
    }
    const label = parseLabel(form.get("label"));
    if (file.size > MAX_CAPTION_BYTES) throw tooLarge(file.size);
    let vtt: string;
    try {
      vtt = toWebVtt(
        parseCaptions(new Uint8Array(await file.arrayBuffer()), file.name),
      );
    } catch (err) {
      if (!(err instanceof CaptionError)) throw err;
      throw new DomainError(
        err.kind === "empty"
          ? "empty_file"
          : err.kind === "type"
          ? "unsupported_type"
          : "bad_request",
        err.message,
      );
    }
    const key = captionKey(videoId, lang);
    const { blobs, captions } = this.#deps;
    await blobs.putStream(key, new Blob([vtt]).stream());
    let record: CaptionRecord | null;
    try {
      record = await captions.put(videoId, { lang, label });
    } catch (err) {
      await blobs.deletePrefix(key);
      throw err;
    }
    if (!record) {
      // The video was deleted while the file was read.
      await blobs.deletePrefix(key);
      throw new DomainError("not_found", "No video has this id.");
    }
    await this.#deps.lifecycle.captionsChanged(videoId);
    this.#deps.changed?.(videoId);
    log.info("caption.added", { videoId, lang, bytes: vtt.length });
    return record;
  }

  /** Deletes the caption of `lang` (its file too); `not_found` when there is none. */
  async remove(videoId: string, rawLang: string): Promise<void> {
    await this.#deps.videos.get(videoId);
    const lang = canonicalLanguage(rawLang);
    if (!lang || !(await this.#deps.captions.delete(videoId, lang))) {
      throw new DomainError(
        "not_found",
        `This video has no captions in "${rawLang.slice(0, 40)}".`,
      );
    }
    await this.#deps.blobs.deletePrefix(captionKey(videoId, lang));
    await this.#deps.lifecycle.captionsChanged(videoId);
    this.#deps.changed?.(videoId);
    log.info("caption.deleted", { videoId, lang });
  }
}

function parseLabel(raw: FormDataEntryValue | null): string | null {
  if (raw === null) return null;
  if (typeof raw !== "string") {
    throw new DomainError("bad_request", "The label must be text, not a file.");
  }
  const label = raw.trim();
  if (label === "") return null;
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(label)) {
    throw new DomainError(
      "bad_request",
      "The label may not contain line breaks or control characters.",
    );
  }
  if ([...label].length > MAX_CAPTION_LABEL_CHARS) {
    throw new DomainError(
      "bad_request",
      `The label is longer than ${MAX_CAPTION_LABEL_CHARS} characters.`,
    );
  }
  return label;
}

/** Reads a multipart body of at most the caption limit plus the envelope (413 beyond it). */
async function readForm(req: Request): Promise<FormData> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw new DomainError(
      "no_file",
      "Send the caption as multipart/form-data with parts file, lang and (optionally) label.",
    );
  }
  const max = MAX_CAPTION_BYTES + FORM_OVERHEAD_BYTES;
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > max) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  try {
    return await new Response(new Blob(chunks as BlobPart[]), {
      headers: { "content-type": type },
    }).formData();
  } catch {
    throw new DomainError(
      "bad_request",
      "The multipart form could not be read; send parts file, lang and label.",
    );
  }
}
