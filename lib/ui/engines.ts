/// <reference lib="dom" />
/**
 * Playback engines behind one small interface: hls.js, dash.js and the browser's own HLS.
 * hls.js and dash.js are imported dynamically, so the bundler puts each in its own chunk and
 * a page loads only the one the viewer uses.
 */
import type { EngineKind } from "./engine_choice.ts";
import {
  type AudioTrackCallbacks,
  dashAudioTracks,
  hlsAudioTracks,
  nativeAudioTracks,
} from "./audio_tracks.ts";

/** One rendition the viewer can pick. */
export interface Rendition {
  /** Engine-specific key (hls.js level index, dash.js representation id). */
  key: string;
  width: number;
  height: number;
  /** Bits per second. */
  bitrate: number;
}

/** What an engine reports to the player. */
export interface EngineCallbacks extends AudioTrackCallbacks {
  /** The rendition list is known (highest first). */
  onRenditions(list: Rendition[]): void;
  /** The rendition now on screen changed. */
  onRendition(key: string | null): void;
  /** Playback cannot go on; `message` is for people. */
  onFatal(message: string): void;
}

/** A running engine attached to a `<video>`. */
export interface Engine {
  readonly kind: EngineKind;
  /** Picks a fixed rendition, or adaptive choice with `null`. */
  setRendition(key: string | null): void;
  /**
   * Shows the captions of `lang` (a BCP 47 tag of the video's captions), or none with
   * `null`. Remembered until the engine's text tracks load, so it may be called at once.
   */
  setCaption(lang: string | null): void;
  /** Picks an audio track by the key reported in `onAudioTracks`. */
  setAudioTrack(key: string): void;
  /** The engine's bandwidth estimate in bits/s, null when it has none. */
  bandwidth(): number | null;
  /** Detaches from the video and frees everything. */
  destroy(): void;
}

/** Stream URLs of a video. */
export interface StreamUrls {
  hls: string;
  dash: string;
}

/**
 * Starts `kind` on `video` at `startAt` seconds. Rejects when the engine cannot load or
 * this browser cannot run it.
 */
export function createEngine(
  kind: EngineKind,
  video: HTMLVideoElement,
  urls: StreamUrls,
  startAt: number,
  cb: EngineCallbacks,
): Promise<Engine> {
  if (kind === "hls") {
    return createHls(video, urls.hls, startAt, cb);
  }
  if (kind === "dash") return createDash(video, urls.dash, startAt, cb);
  return Promise.resolve(createNative(video, urls.hls, startAt, cb));
}

/** The index of `lang` among an engine's track languages (case-insensitive), or -1. */
export function trackIndex(langs: string[], lang: string | null): number {
  if (lang === null) return -1;
  const want = lang.toLowerCase();
  return langs.findIndex((l) => l.toLowerCase() === want);
}

function sortRenditions(list: Rendition[]): Rendition[] {
  return list.sort((a, b) => b.height - a.height || b.bitrate - a.bitrate);
}

async function createHls(
  video: HTMLVideoElement,
  url: string,
  startAt: number,
  cb: EngineCallbacks,
): Promise<Engine> {
  // The full build: the light one has neither subtitles nor alternate audio, and every
  // audio track (even a single one) is an EXT-X-MEDIA rendition of its own here, so the
  // light build would play every video mute.
  const { default: Hls } = await import("hls.js");
  if (!Hls.isSupported()) {
    throw new Error("This browser cannot play video with hls.js.");
  }
  const hls = new Hls({
    startPosition: startAt > 0 ? startAt : -1,
    backBufferLength: 60,
    // Errors are shown in the player; keep hls.js quiet in the console.
    debug: false,
  });
  let networkRetries = 0;
  let mediaRecoveries = 0;
  let wantedCaption: string | null = null;
  const applyCaption = () => {
    const i = trackIndex(
      hls.subtitleTracks.map((t) => t.lang ?? ""),
      wantedCaption,
    );
    hls.subtitleDisplay = i >= 0;
    if (hls.subtitleTrack !== i) hls.subtitleTrack = i;
  };
  // hls.js picks its own initial track (none, as no caption is DEFAULT) when the tracks
  // are listed and again when a level's group loads; the viewer's choice wins each time.
  hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, applyCaption);
  hls.on(Hls.Events.LEVEL_LOADED, applyCaption);
  const setAudioTrack = hlsAudioTracks(hls, Hls.Events, cb);
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    cb.onRenditions(sortRenditions(hls.levels.map((l, i) => ({
      key: String(i),
      width: l.width,
      height: l.height,
      bitrate: l.bitrate,
    }))));
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => {
    cb.onRendition(String(data.level));
  });
  hls.on(Hls.Events.FRAG_LOADED, () => {
    networkRetries = 0;
  });
  hls.on(Hls.Events.ERROR, (_e, data) => {
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR && networkRetries++ < 3) {
      hls.startLoad();
    } else if (
      data.type === Hls.ErrorTypes.MEDIA_ERROR && mediaRecoveries++ < 2
    ) {
      hls.recoverMediaError();
    } else {
      cb.onFatal(
        data.type === Hls.ErrorTypes.NETWORK_ERROR
          ? "The video could not be loaded from the server."
          : "The browser could not decode this video.",
      );
    }
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  return {
    kind: "hls",
    setRendition(key) {
      if (key === null) hls.nextLevel = -1;
      // Setting currentLevel flushes the buffer, so the switch shows at once.
      else hls.currentLevel = Number(key);
    },
    setCaption(lang) {
      wantedCaption = lang;
      applyCaption();
    },
    setAudioTrack,
    bandwidth() {
      const b = hls.bandwidthEstimate;
      return Number.isFinite(b) && b > 0 ? b : null;
    },
    destroy() {
      hls.destroy();
    },
  };
}

interface DashModule {
  MediaPlayer(): { create(): import("dashjs").MediaPlayerClass };
  Debug?: { LOG_LEVEL_NONE: number };
}

async function createDash(
  video: HTMLVideoElement,
  url: string,
  startAt: number,
  cb: EngineCallbacks,
): Promise<Engine> {
  const mod = await import("dashjs");
  const dashjs = ((mod as { default?: unknown }).default ?? mod) as DashModule;
  const player = dashjs.MediaPlayer().create();
  player.updateSettings({
    // Errors are shown in the player; keep dash.js quiet in the console.
    debug: { logLevel: 0 },
    streaming: {
      abr: { autoSwitchBitrate: { video: true } },
      // Captions start off; the player turns on the viewer's remembered choice.
      text: { defaultEnabled: false },
    },
  });
  let wantedCaption: string | null = null;
  let textReady = false;
  const applyCaption = () => {
    if (!textReady) return;
    const langs = player.getTracksFor("text").map((t) => t.lang ?? "");
    const i = trackIndex(langs, wantedCaption);
    player.enableText(i >= 0);
    player.setTextTrack(i);
  };
  // dash.js copies a caption file's cues into the video's text track only when its cue
  // window is refreshed (on a time update, at most every bufferPruningInterval, 10 s), so a
  // file loaded after that refresh shows nothing for up to 10 s, and never while paused.
  // Choosing the track again resets the window; an in-place seek refreshes it when paused.
  player.on("fragmentLoadingCompleted", (e) => {
    const type = (e as { request?: { mediaType?: string } }).request?.mediaType;
    if (type !== "text" || !wantedCaption) return;
    setTimeout(() => {
      const i = trackIndex(
        player.getTracksFor("text").map((t) => t.lang ?? ""),
        wantedCaption,
      );
      if (i < 0) return;
      player.setTextTrack(-1);
      player.setTextTrack(i);
      if (video.paused && video.readyState >= 1) {
        // A seek to where it is: the time update that refreshes the cue window.
        const at = video.currentTime;
        video.currentTime = at;
      }
    }, 0);
  });
  player.on("allTextTracksAdded", () => {
    textReady = true;
    applyCaption();
  });
  const list = (): Rendition[] =>
    sortRenditions(
      player.getRepresentationsByType("video").map((r) => ({
        key: r.id,
        width: r.width,
        height: r.height,
        bitrate: r.bandwidth,
      })),
    );
  const setAudioTrack = dashAudioTracks(player, cb);
  player.on("streamInitialized", () => {
    cb.onRenditions(list());
    const current = player.getCurrentRepresentationForType("video");
    if (current) cb.onRendition(current.id);
  });
  player.on("qualityChangeRendered", (e) => {
    if (e.mediaType === "video") {
      cb.onRendition(e.newRepresentation?.id ?? null);
    }
  });
  player.on("error", (e) => {
    const err = (e as { error?: { message?: string } }).error;
    cb.onFatal(
      err?.message
        ? `The video could not be played (${err.message}).`
        : "The video could not be played with dash.js.",
    );
  });
  player.on("playbackError", () => {
    cb.onFatal("The browser could not decode this video.");
  });
  player.initialize(video, url, false, startAt > 0 ? startAt : undefined);
  return {
    kind: "dash",
    setRendition(key) {
      player.updateSettings({
        streaming: { abr: { autoSwitchBitrate: { video: key === null } } },
      });
      if (key !== null) player.setRepresentationForTypeById("video", key, true);
    },
    setCaption(lang) {
      wantedCaption = lang;
      applyCaption();
    },
    setAudioTrack,
    bandwidth() {
      const kbps = player.getAverageThroughput("video");
      return Number.isFinite(kbps) && kbps > 0 ? kbps * 1000 : null;
    },
    destroy() {
      player.destroy();
    },
  };
}

function createNative(
  video: HTMLVideoElement,
  url: string,
  startAt: number,
  cb: EngineCallbacks,
): Engine {
  const onError = () => cb.onFatal("The browser could not play this video.");
  const onMeta = () => {
    if (startAt > 0) video.currentTime = startAt;
  };
  video.addEventListener("error", onError);
  video.addEventListener("loadedmetadata", onMeta, { once: true });
  video.src = url;
  cb.onRenditions([]);
  let wantedCaption: string | null = null;
  const applyCaption = () => {
    const tracks = Array.from(video.textTracks).filter((t) =>
      t.kind === "subtitles" || t.kind === "captions"
    );
    const i = trackIndex(tracks.map((t) => t.language), wantedCaption);
    tracks.forEach((t, n) => t.mode = n === i ? "showing" : "disabled");
  };
  video.textTracks.addEventListener("addtrack", applyCaption);
  const audio = nativeAudioTracks(video, cb);
  return {
    kind: "native",
    setRendition() {},
    setCaption(lang) {
      wantedCaption = lang;
      applyCaption();
    },
    setAudioTrack: audio.set,
    bandwidth: () => null,
    destroy() {
      video.textTracks.removeEventListener("addtrack", applyCaption);
      audio.stop();
      video.removeEventListener("error", onError);
      video.removeEventListener("loadedmetadata", onMeta);
      video.removeAttribute("src");
      video.load();
    },
  };
}
