/**
 * Upload figures: a large body through multipart (`POST /api/videos`) and through tus
 * (`POST /api/uploads` + 16 MiB PATCHes, as the app's own browser client sends) on loopback,
 * with the server's resident memory sampled every 50 ms. The bytes are not a video, so the
 * server refuses them at the probe (415) once it has received them all: that is fine, only
 * the receiving is measured.
 */
import { generatedBytes, postMultipart, uploadTus } from "./client.ts";
import { memory, sampleRss } from "./proc.ts";

/** One upload path's figures. */
export interface UploadFigure {
  bytes: number;
  seconds: number;
  /** 10^6 bytes per second, request start → response. */
  mbPerSec: number;
  /** The server's largest sampled RSS minus its RSS when idle just before. */
  peakOverIdleBytes: number;
  idleRssBytes: number;
  /** Status of the (final) response: 415 `not_a_video` is the expected refusal. */
  status: number;
}

/** The app's browser tus client sends PATCHes of this size (lib/ui/tus_client.ts). */
export const TUS_CHUNK = 16 * 1024 * 1024;

/** Size of the chunked-encoding diagnostic upload (kept small: that path is slow). */
export const CHUNKED_BYTES = 64 * 1024 * 1024;

async function settle(pid: number): Promise<number> {
  // Let the previous request's buffers be collected before reading the idle size.
  await new Promise((r) => setTimeout(r, 1500));
  return (await memory(pid)).rss;
}

async function measure(
  pid: number,
  bytes: number,
  send: () => Promise<number>,
): Promise<UploadFigure> {
  const idle = await settle(pid);
  const sampler = sampleRss(pid, 50);
  const t0 = performance.now();
  const status = await send();
  const seconds = (performance.now() - t0) / 1000;
  const peak = await sampler.stop();
  return {
    bytes,
    seconds,
    mbPerSec: bytes / 1e6 / seconds,
    peakOverIdleBytes: Math.max(0, peak - idle),
    idleRssBytes: idle,
    status,
  };
}

/** Sends `bytes` through multipart, then through tus, to the server at `url` (pid `pid`). */
export async function runUploads(
  url: string,
  pid: number,
  bytes: number,
): Promise<
  { multipart: UploadFigure; tus: UploadFigure; chunked: UploadFigure }
> {
  const multipart = (n: number, chunked = false) => async () =>
    (await postMultipart(url, generatedBytes(n), n, "upload-bench.mp4", {
      chunked,
    })).status;
  const tus = (n: number) => () =>
    uploadTus(url, n, TUS_CHUNK, "upload-bench.mp4");
  // Warm up both paths so that compiling them does not count.
  await multipart(32 * 1024 * 1024)();
  await tus(32 * 1024 * 1024)();
  return {
    multipart: await measure(pid, bytes, multipart(bytes)),
    tus: await measure(pid, bytes, tus(bytes)),
    // Diagnostic, no target: the same form with chunked transfer encoding (no length).
    chunked: await measure(pid, CHUNKED_BYTES, multipart(CHUNKED_BYTES, true)),
  };
}

/** What {@link runUploads} resolves to. */
export type UploadResult = Awaited<ReturnType<typeof runUploads>>;
