/**
 * Where a video's objects live in the blob store. Every object of a video starts with one of
 * these prefixes, which contain its id, so deleting a video is three prefix deletions.
 *
 * @module
 */

/** Prefix of the kept original: `uploads/<id>/`. */
export function originalsPrefix(id: string): string {
  return `uploads/${id}/`;
}

/** Key of the original: `uploads/<id>/original.<ext>` (`ext` from the client's file name, cleaned). */
export function originalKey(id: string, filename: string): string {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(filename);
  return `${originalsPrefix(id)}original.${m ? m[1].toLowerCase() : "bin"}`;
}

/** Prefix of the served stream files: `streams/<id>/`. */
export function streamPrefix(id: string): string {
  return `streams/${id}/`;
}

/** Prefix of a video's caption files: `captions/<id>/` (outside the stream folder, which a
 * transcode replaces wholesale). */
export function captionsPrefix(id: string): string {
  return `captions/${id}/`;
}

/** Key of one language's WebVTT file: `captions/<id>/<lang>.vtt` (`lang` canonical BCP 47). */
export function captionKey(id: string, lang: string): string {
  return `${captionsPrefix(id)}${lang}.vtt`;
}
