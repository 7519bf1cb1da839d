/**
 * Upload intake: multipart (`POST /api/videos`) and tus resumable uploads
 * (`/api/uploads`). Both stream to disk, enforce the size limit while streaming and hand a
 * finished file to the caller as a {@link ReceivedUpload}.
 */
export { type MultipartOptions, receiveMultipart } from "./multipart.ts";
export {
  createTusHandler,
  type FinishedResult,
  type TusHandler,
  type TusOptions,
} from "./tus.ts";
export {
  checkExtension,
  DEFAULT_FIELDS,
  type FieldParser,
  keepText,
  MAX_FILENAME_CHARS,
  type ReceivedUpload,
  sanitizeFilename,
  UPLOAD_EXTENSIONS,
  type UploadFields,
} from "./filename.ts";
export { tooLarge, writeError } from "./limits.ts";
