/**
 * Caption files: parses an uploaded WebVTT or SubRip (SRT) file into cues, refuses what is
 * not a caption file (binary, empty, no cues, unreadable timestamps) with a sentence that
 * names the line, and writes clean WebVTT back. Cue text keeps only the WebVTT tags a
 * player renders as plain styling (`<i> <b> <u> <c.class> <v name> <lang xx>`, `<ruby>`,
 * `<rt>`, timestamps); every other tag is dropped and stray `<`, `>` and `&` escaped, so a
 * caption can never inject markup into a page. Pure: no I/O.
 *
 * @example
 * const cues = parseCaptions(bytes, "talk.srt"); // throws CaptionError on a bad file
 * const vtt = toWebVtt(cues);
 *
 * @module
 */

/** The largest caption file accepted, in bytes (1 MiB). */
export const MAX_CAPTION_BYTES = 1024 * 1024;

/** The longest label accepted, in code points. */
export const MAX_CAPTION_LABEL_CHARS = 80;

/** Caption file extensions accepted, lower case, with the dot. */
export const CAPTION_EXTENSIONS = [".vtt", ".srt"] as const;

/** One cue: seconds from the start of the video, and sanitised WebVTT cue text. */
export interface Cue {
  start: number;
  end: number;
  /** Sanitised cue settings (`align:start line:90%`), or "". */
  settings: string;
  text: string;
}

/** Why a caption file was refused: `kind` picks the HTTP status at the API edge. */
export class CaptionError extends Error {
  /** `empty`: nothing in it; `type`: not a caption file (extension or content); `invalid`: broken. */
  readonly kind: "empty" | "type" | "invalid";

  constructor(kind: "empty" | "type" | "invalid", message: string) {
    super(message);
    this.name = "CaptionError";
    this.kind = kind;
  }
}

/** The format of a file by its name: "vtt", "srt", or null for anything else. */
export function captionFormat(filename: string): "vtt" | "srt" | null {
  const m = /\.(vtt|srt)$/i.exec(filename.trim());
  return m ? (m[1].toLowerCase() as "vtt" | "srt") : null;
}

/**
 * Parses a WebVTT or SRT file (by its name's extension) into cues, in file order. Throws
 * {@link CaptionError} for an empty, binary, non-caption or broken file.
 */
export function parseCaptions(bytes: Uint8Array, filename: string): Cue[] {
  const format = captionFormat(filename);
  if (!format) {
    throw new CaptionError(
      "type",
      "Captions must be a WebVTT (.vtt) or SubRip (.srt) file.",
    );
  }
  if (bytes.length === 0) {
    throw new CaptionError("empty", "The caption file is empty.");
  }
  const text = decodeText(bytes);
  const lines = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n").split("\n");
  if (lines.every((l) => l.trim() === "")) {
    throw new CaptionError("empty", "The caption file has only blank lines.");
  }
  // A WebVTT file saved as .srt is still WebVTT.
  const cues = format === "vtt" || /^WEBVTT(?:[ \t]|$)/.test(lines[0])
    ? parseVtt(lines)
    : parseSrt(lines);
  if (cues.length === 0) {
    throw new CaptionError("invalid", "The caption file has no cues.");
  }
  return cues;
}

/** Writes cues as a WebVTT file. */
export function toWebVtt(cues: Cue[]): string {
  const out = ["WEBVTT", ""];
  for (const c of cues) {
    out.push(
      `${formatTimestamp(c.start)} --> ${formatTimestamp(c.end)}${
        c.settings ? " " + c.settings : ""
      }`,
      c.text,
      "",
    );
  }
  return out.join("\n");
}

/** `hh:mm:ss.mmm` for a WebVTT timing line. */
export function formatTimestamp(sec: number): string {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

function decodeText(bytes: Uint8Array): string {
  // A NUL never occurs in a text file; UTF-16 text and images both have them.
  if (bytes.includes(0)) {
    throw new CaptionError(
      "type",
      "The caption file is not text (it contains binary data); save it as UTF-8 WebVTT or SRT.",
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CaptionError(
      "type",
      "The caption file is not UTF-8 text; save it as UTF-8 and upload it again.",
    );
  }
}

/** A block of non-blank lines and the 1-based number of its first line. */
interface Block {
  line: number;
  lines: string[];
}

function blocks(lines: string[]): Block[] {
  const out: Block[] = [];
  let cur: Block | null = null;
  lines.forEach((l, i) => {
    if (l.trim() === "") {
      cur = null;
      return;
    }
    if (!cur) {
      cur = { line: i + 1, lines: [] };
      out.push(cur);
    }
    cur.lines.push(l);
  });
  return out;
}

function parseVtt(lines: string[]): Cue[] {
  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0])) {
    throw new CaptionError(
      "type",
      "The .vtt file is not WebVTT: its first line must be WEBVTT.",
    );
  }
  const all = blocks(lines);
  const cues: Cue[] = [];
  // The first block is the header (WEBVTT and optional metadata lines).
  for (const b of all.slice(1)) {
    const first = b.lines[0];
    // Comments, style sheets and regions carry no cue; styles are dropped on purpose.
    if (
      /^(NOTE|STYLE|REGION)(?:[ \t]|$)/.test(first) && !first.includes("-->")
    ) continue;
    const at = first.includes("-->") ? 0 : 1;
    if (at >= b.lines.length || !b.lines[at].includes("-->")) {
      throw new CaptionError(
        "invalid",
        `Line ${b.line}: expected a cue timing line ("00:00:01.000 --> 00:00:04.000").`,
      );
    }
    const cue = parseTiming(b.lines[at], b.line + at, "vtt");
    cue.text = sanitiseText(b.lines.slice(at + 1));
    if (cue.text !== "") cues.push(cue);
  }
  return cues;
}

function parseSrt(lines: string[]): Cue[] {
  const cues: Cue[] = [];
  for (const b of blocks(lines)) {
    // SRT: an index line (often present, sometimes not), the timing line, then text.
    const at = b.lines[0].includes("-->") ? 0 : 1;
    if (at >= b.lines.length || !b.lines[at].includes("-->")) {
      throw new CaptionError(
        "invalid",
        `Line ${b.line}: expected a subtitle number and a timing line ("00:00:01,000 --> 00:00:04,000").`,
      );
    }
    const cue = parseTiming(b.lines[at], b.line + at, "srt");
    cue.text = sanitiseText(b.lines.slice(at + 1));
    if (cue.text !== "") cues.push(cue);
  }
  return cues;
}

const TIMESTAMP = /^(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d)[.,](\d{1,3})$/;

function parseTimestamp(raw: string): number | null {
  const m = TIMESTAMP.exec(raw.trim());
  if (!m) return null;
  const [, h, min, s, frac] = m;
  return Number(h ?? 0) * 3600 + Number(min) * 60 + Number(s) +
    Number(frac.padEnd(3, "0")) / 1000;
}

function parseTiming(line: string, lineNo: number, format: "vtt" | "srt"): Cue {
  const [left, ...rest] = line.split("-->");
  const right = rest.join("-->").trim();
  const [endRaw, ...settingParts] = right.split(/[ \t]+/);
  const start = parseTimestamp(left);
  const end = parseTimestamp(endRaw ?? "");
  const example = format === "srt" ? "00:01:02,500" : "00:01:02.500";
  if (start === null || end === null) {
    throw new CaptionError(
      "invalid",
      `Line ${lineNo}: the timestamps in "${
        line.trim().slice(0, 60)
      }" cannot be read; write them as ${example}.`,
    );
  }
  if (end <= start) {
    throw new CaptionError(
      "invalid",
      `Line ${lineNo}: the cue ends (${endRaw}) before it starts (${left.trim()}).`,
    );
  }
  // SRT has no cue settings; some files carry "X1:… Y1:…" coordinates, which are dropped.
  const settings = format === "vtt" ? sanitiseSettings(settingParts) : "";
  return { start, end, settings, text: "" };
}

const SETTINGS = [
  /^vertical:(?:rl|lr)$/,
  /^line:(?:-?\d+|\d{1,3}(?:\.\d+)?%)(?:,(?:start|center|end))?$/,
  /^position:\d{1,3}(?:\.\d+)?%(?:,(?:line-left|center|line-right))?$/,
  /^size:\d{1,3}(?:\.\d+)?%$/,
  /^align:(?:start|center|end|left|right)$/,
];

function sanitiseSettings(parts: string[]): string {
  return parts.filter((p) => SETTINGS.some((re) => re.test(p))).join(" ");
}

/** Tags kept as they are (no attributes other than classes; `v`/`lang` annotations escaped). */
const SAFE_TAG =
  /^<(\/?)(i|b|u|c|ruby|rt|v|lang)((?:\.[A-Za-z0-9_-]+)*)(?:[ \t]+([^<>]*))?>$/;
const TIME_TAG = /^<\d{1,3}:[0-5]\d(?::[0-5]\d)?\.\d{3}>$/;
const ENTITY = /^&(?:amp|lt|gt|lrm|rlm|nbsp|#\d{1,7}|#x[0-9A-Fa-f]{1,6});/;

/** Cue text with only the safe WebVTT tags kept, everything else dropped or escaped. */
export function sanitiseText(lines: string[]): string {
  const open = new Map<string, number>();
  const text = lines.map((l) => sanitiseLine(l, open)).filter((l) =>
    l.trim() !== ""
  ).join("\n");
  // Only markup and no words: nothing to show.
  return text.replace(/<[^>]*>/g, "").trim() === "" ? "" : text;
}

function sanitiseLine(line: string, open: Map<string, number>): string {
  let out = "";
  let i = 0;
  while (i < line.length) {
    const ch = line[i];
    if (ch === "<") {
      const close = line.indexOf(">", i);
      // A tag starts with a letter, "/" or a digit (timestamp); "a < b" is text.
      if (close < 0 || !/[A-Za-z0-9/]/.test(line[i + 1] ?? "")) {
        out += "&lt;";
        i++;
        continue;
      }
      out += safeTag(line.slice(i, close + 1), open);
      i = close + 1;
    } else if (ch === "&") {
      const m = ENTITY.exec(line.slice(i));
      out += m ? m[0] : "&amp;";
      i += m ? m[0].length : 1;
    } else if (ch === ">") {
      out += "&gt;";
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  // A raw ">" is escaped above, so the text can never hold "-->" (which would end the cue).
  return out;
}

function safeTag(tag: string, open: Map<string, number>): string {
  if (TIME_TAG.test(tag)) return tag;
  const m = SAFE_TAG.exec(tag);
  if (!m) return ""; // <font>, <script>, <img …>, … : dropped, their text stays.
  const [, slash, name, classes, annotation] = m;
  const depth = open.get(name) ?? 0;
  if (slash) {
    // A closing tag whose opening tag was dropped is dropped too.
    if (annotation || classes || depth === 0) return "";
    open.set(name, depth - 1);
    return `</${name}>`;
  }
  if (annotation && name !== "v" && name !== "lang") return "";
  open.set(name, depth + 1);
  if (name === "v" || name === "lang") {
    const note = (annotation ?? "").replace(/&/g, "&amp;").trim();
    return note ? `<${name}${classes} ${note}>` : `<${name}${classes}>`;
  }
  return `<${name}${classes}>`;
}

/**
 * The canonical BCP 47 form of a language tag (`en-us` → `en-US`), or null when it is not
 * a well-formed tag.
 */
export function canonicalLanguage(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const tag = raw.trim();
  if (tag.length === 0 || tag.length > 35) return null;
  if (!/^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/.test(tag)) return null;
  try {
    const [canon] = Intl.getCanonicalLocales(tag);
    return canon ?? null;
  } catch {
    return null;
  }
}

/** The English name of a language tag (`pt-BR` → "Brazilian Portuguese"), or the tag itself. */
export function languageName(lang: string): string {
  try {
    return new Intl.DisplayNames(["en"], { type: "language" }).of(lang) ?? lang;
  } catch {
    return lang;
  }
}
