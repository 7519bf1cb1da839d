/**
 * The stream folder's layout: the file names every other module uses (playlists, manifest,
 * poster, thumbnails) and which files never change once written.
 *
 * @module
 */

/** Output files inside the stream folder. */
export const OUTPUT_FILES = {
  mpd: "manifest.mpd",
  hlsMaster: "master.m3u8",
  poster: "poster.jpg",
  sprite: "thumbs.jpg",
  /** Folder of the single tile images, joined into the sprite after the encode. */
  tiles: ".tiles",
  vtt: "thumbs.vtt",
} as const;

/** True for media segments (`init-*.m4s`, `chunk-*.m4s`): immutable once written. */
export function isSegment(path: string): boolean {
  return path.endsWith(".m4s");
}

/** True for HLS media playlists (`media_<n>.m3u8`), the ones that grow while processing. */
export function isMediaPlaylist(path: string): boolean {
  return /^media_\d+\.m3u8$/.test(path);
}
