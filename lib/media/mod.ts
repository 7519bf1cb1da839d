/**
 * The media pipeline's public API: probe an upload, plan its ladder, transcode it into a stream
 * folder (HLS + DASH on shared CMAF segments, poster, thumbnails), and clean up after crashes.
 *
 * @example
 * const info = await probe(path, { ffprobePath: "ffprobe", limits });
 * const result = await transcode({ input: path, info, outDir, ffmpegPath: "ffmpeg" });
 */

export {
  ALLOWED_DEMUXERS,
  type AudioInfo,
  FORMAT_WHITELIST,
  type InputLimits,
  type MediaInfo,
  probe,
  probeKeyframes,
  type ProbeOptions,
  type Ratio,
  type VideoInfo,
} from "./probe.ts";
export {
  AUDIO_BITRATE,
  canCopyTopRung,
  GOP_SEC,
  keyframeIntervals,
  planLadder,
  type Rendition,
  SEGMENT_SEC,
} from "./ladder.ts";
export {
  buildFfmpegArgs,
  type FfmpegPlan,
  OUTPUT_FILES,
} from "./ffmpeg_args.ts";
export {
  planThumbnails,
  type ThumbnailPlan,
  thumbnailVtt,
} from "./thumbnails.ts";
export {
  type PublishFile,
  transcode,
  type TranscodeOptions,
  type TranscodeResult,
} from "./transcode.ts";
export {
  type AudioTrack,
  audioTracksOf,
  MAX_AUDIO_STREAMS,
} from "./audio_tracks.ts";
export { isProcessAlive, killProcessGroup } from "./process.ts";
export {
  isMediaPlaylist,
  isSegment,
  OUTPUT_FILES as STREAM_FILES,
} from "./layout.ts";
export { playlistProgress } from "./hls_publish.ts";
export { ffmpegVersion } from "./version.ts";
export { even, evenDown } from "./dimensions.ts";
export {
  canonicalLanguage,
  CAPTION_EXTENSIONS,
  CaptionError,
  captionFormat,
  type Cue,
  languageName,
  MAX_CAPTION_BYTES,
  MAX_CAPTION_LABEL_CHARS,
  parseCaptions,
  toWebVtt,
} from "./captions.ts";
export {
  captionFiles,
  captionName,
  captionPlaylist,
  CAPTIONS_DIR,
  type ManifestCaption,
  parseCaptionPath,
  withDashCaptions,
  withHlsCaptions,
} from "./caption_manifests.ts";
