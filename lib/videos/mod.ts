/**
 * The video use cases: intake (both upload paths), the lifecycle (every status and
 * rendition transition), the read/rename/delete/retry service, titles, the change feed and
 * the transcode job. See docs/architecture.md, "Lifecycle".
 *
 * @module
 */
export { Intake, type IntakeDeps } from "./intake.ts";
export {
  type FinishedRendition,
  Lifecycle,
  type LifecycleHooks,
  TRANSCODE,
} from "./lifecycle.ts";
export { VideoService, type VideoServiceDeps } from "./service.ts";
export {
  MAX_TITLE_CHARS,
  parseTitle,
  titleFromFilename,
  validateTitle,
} from "./titles.ts";
export { ChangeFeed, type ChangeListener, type VideoChange } from "./feed.ts";
export {
  readableError,
  type TranscodeFn,
  transcodeJob,
  type TranscodeJobDeps,
} from "./transcode_job.ts";
export {
  captionKey,
  captionsPrefix,
  originalKey,
  originalsPrefix,
  streamPrefix,
} from "./keys.ts";
export { CaptionService, type CaptionServiceDeps } from "./captions.ts";
export {
  canSee,
  isListed,
  listedFor,
  parseVisibility,
  validateVisibility,
  VISIBILITIES,
  type Visibility,
} from "./visibility.ts";
export {
  DEFAULT_TTL_SEC,
  MAX_TTL_SEC,
  MIN_TTL_SEC,
  type PlaybackGrant,
  PlaybackSigner,
  type TokenCheck,
  tokenError,
  validateTtl,
} from "./playback.ts";
