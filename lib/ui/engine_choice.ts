/**
 * Which playback engine to use (DESIGN.md, "Player rules"): MSE engines first, hls.js unless
 * the viewer chose dash.js; the browser's own HLS only where MSE is missing (iOS Safari).
 * Chromium answers "maybe" to native HLS but then offers no rendition list, so it never
 * gets native.
 */

/** A playback engine. */
export type EngineKind = "hls" | "dash" | "native";

/** What the browser can do, detected once on the client. */
export interface EngineSupport {
  /** MediaSource (or ManagedMediaSource) that can play H.264 + AAC in fMP4. */
  mse: boolean;
  /** `<video>` plays HLS by itself. */
  nativeHls: boolean;
}

/** Where the viewer's engine choice is remembered. */
export const ENGINE_STORAGE_KEY = "reel.player.engine";

/** Labels for menus. */
export const ENGINE_LABELS: Record<EngineKind, string> = {
  hls: "hls.js",
  dash: "dash.js",
  native: "Native HLS",
};

/** Engines this browser may use, preferred first. */
export function availableEngines(support: EngineSupport): EngineKind[] {
  if (support.mse) return ["hls", "dash"];
  if (support.nativeHls) return ["native"];
  return [];
}

/**
 * The engine to start with: the remembered one when it is available, else the first
 * available; null when the browser can play neither.
 *
 * @example chooseEngine({ mse: true, nativeHls: true }, null) // "hls"
 */
export function chooseEngine(
  support: EngineSupport,
  saved: string | null,
): EngineKind | null {
  const engines = availableEngines(support);
  const remembered = engines.find((e) => e === saved);
  return remembered ?? engines[0] ?? null;
}

const CODECS = 'video/mp4; codecs="avc1.42E01E, mp4a.40.2"';

/** Detects MSE and native HLS support in this browser. */
export function detectSupport(): EngineSupport {
  const g = globalThis as unknown as {
    MediaSource?: { isTypeSupported(t: string): boolean };
    ManagedMediaSource?: { isTypeSupported(t: string): boolean };
    document?: Document;
  };
  const ms = g.ManagedMediaSource ?? g.MediaSource;
  let mse = false;
  try {
    mse = !!ms && ms.isTypeSupported(CODECS);
  } catch {
    mse = false;
  }
  const video = g.document?.createElement("video");
  const nativeHls = !!video &&
    video.canPlayType("application/vnd.apple.mpegurl") !== "";
  return { mse, nativeHls };
}
