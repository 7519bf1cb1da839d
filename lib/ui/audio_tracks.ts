/// <reference lib="dom" />
/**
 * Audio tracks behind one small interface for each engine: hls.js (`audioTracks` /
 * `audioTrack` of the master's audio group), dash.js (`getTracksFor("audio")` /
 * `setCurrentTrack`, one adaptation set per track) and the browser's own HLS
 * (`HTMLMediaElement.audioTracks`, where it exists).
 *
 * @module
 */
import type Hls from "hls.js";
import type { MediaInfo, MediaPlayerClass } from "dashjs";

/** One audio track the viewer can pick. */
export interface AudioTrackOption {
  /** Engine-specific key (hls.js track id, dash.js track index). */
  key: string;
  /** The title or language name the stream gives it. */
  label: string;
  language: string | null;
}

/** What an engine reports about audio tracks. */
export interface AudioTrackCallbacks {
  /** The track list (source order) and the key of the track playing. */
  onAudioTracks(list: AudioTrackOption[], current: string | null): void;
}

/** Picks a track by key. */
export type SetAudioTrack = (key: string) => void;

function option(
  key: string,
  label: string | undefined,
  language: string | null | undefined,
  position: number,
): AudioTrackOption {
  return {
    key,
    label: label || language || `Track ${position + 1}`,
    language: language || null,
  };
}

/** Follows hls.js's audio tracks; returns the setter. */
export function hlsAudioTracks(
  hls: Hls,
  events: typeof Hls.Events,
  cb: AudioTrackCallbacks,
): SetAudioTrack {
  const report = () => {
    const list = hls.audioTracks.map((t, i) =>
      option(String(t.id), t.name, t.lang, i)
    );
    cb.onAudioTracks(list, hls.audioTrack >= 0 ? String(hls.audioTrack) : null);
  };
  hls.on(events.AUDIO_TRACKS_UPDATED, report);
  hls.on(events.AUDIO_TRACK_SWITCHED, report);
  return (key) => {
    hls.audioTrack = Number(key);
  };
}

/** Follows dash.js's audio adaptation sets; returns the setter. */
export function dashAudioTracks(
  player: MediaPlayerClass,
  cb: AudioTrackCallbacks,
): SetAudioTrack {
  const tracks = (): MediaInfo[] => player.getTracksFor("audio") ?? [];
  // The adaptation set's index in the period: stable, and the same on every MediaInfo copy.
  const keyOf = (t: MediaInfo) => String(t.index ?? t.id);
  const report = () => {
    const list = tracks().map((t, i) =>
      option(keyOf(t), t.labels?.[0]?.text, t.lang, i)
    );
    const current = player.getCurrentTrackFor("audio");
    cb.onAudioTracks(list, current ? keyOf(current) : null);
  };
  player.on("streamInitialized", report);
  player.on("trackChangeRendered", (e) => {
    if (e.mediaType === "audio") report();
  });
  return (key) => {
    const t = tracks().find((t) => keyOf(t) === key);
    if (t) player.setCurrentTrack(t);
  };
}

/** The browser's own `audioTracks` (Safari's native HLS); not in every DOM typing. */
interface NativeAudioTrack {
  id: string;
  label: string;
  language: string;
  enabled: boolean;
}
interface NativeAudioTrackList extends EventTarget {
  readonly length: number;
  [index: number]: NativeAudioTrack;
}

/** Follows the element's own audio tracks where the browser has them; returns the setter. */
export function nativeAudioTracks(
  video: HTMLVideoElement,
  cb: AudioTrackCallbacks,
): { set: SetAudioTrack; stop(): void } {
  const list = (video as { audioTracks?: NativeAudioTrackList }).audioTracks;
  if (!list) return { set: () => {}, stop: () => {} };
  const all = () => Array.from({ length: list.length }, (_, i) => list[i]);
  const report = () => {
    const tracks = all();
    cb.onAudioTracks(
      tracks.map((t, i) => option(String(i), t.label, t.language, i)),
      String(Math.max(0, tracks.findIndex((t) => t.enabled))),
    );
  };
  for (const e of ["addtrack", "removetrack", "change"]) {
    list.addEventListener(e, report);
  }
  return {
    set: (key) => all().forEach((t, i) => (t.enabled = String(i) === key)),
    stop: () => {
      for (const e of ["addtrack", "removetrack", "change"]) {
        list.removeEventListener(e, report);
      }
    },
  };
}
