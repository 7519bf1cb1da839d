/**
 * The player's control bar: play/pause, mute and volume, time, speed, quality, picture in
 * picture and fullscreen. Stateless: the player owns the state and passes callbacks.
 */
import type { ComponentChildren, VNode } from "preact";
import { Icon } from "../Icons.tsx";
import { formatBitrate, formatDuration } from "../../lib/ui/format.ts";
import type { Rendition } from "../../lib/ui/engines.ts";
import { AudioTrackMenu, type AudioTrackMenuProps } from "./AudioTrackMenu.tsx";

/** Playback speeds offered. */
export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

/** Props of {@link ControlBar}. */
export interface ControlBarProps {
  playing: boolean;
  currentTime: number;
  duration: number;
  volume: number;
  muted: boolean;
  rate: number;
  renditions: Rendition[];
  /** Selected rendition key; null is Auto. */
  selected: string | null;
  /** Rendition on screen (for the Auto label). */
  current: Rendition | null;
  pipSupported: boolean;
  inPip: boolean;
  fullscreen: boolean;
  onTogglePlay(): void;
  onToggleMute(): void;
  onVolume(v: number): void;
  onRate(r: number): void;
  onQuality(key: string | null): void;
  onTogglePip(): void;
  onToggleFullscreen(): void;
  /** Further menus (captions, …), shown before the speed menu. */
  children?: ComponentChildren;
  /** The audio-track menu (shown only for two tracks or more). */
  audioTracks?: AudioTrackMenuProps;
}

/** Labels a rendition by its short side, as the quality menu shows it. */
export function renditionLabel(r: Rendition): string {
  return `${Math.min(r.width, r.height) || r.height}p`;
}

/** Renders the bar. */
export function ControlBar(p: ControlBarProps): VNode {
  const volumePct = Math.round((p.muted ? 0 : p.volume) * 100);
  return (
    <div class="control-row">
      <button
        type="button"
        class="control"
        aria-label={p.playing ? "Pause" : "Play"}
        title={p.playing ? "Pause (k)" : "Play (k)"}
        onClick={p.onTogglePlay}
      >
        <Icon name={p.playing ? "pause" : "play"} size={22} />
      </button>
      <div class="volume">
        <button
          type="button"
          class="control"
          aria-label={p.muted || p.volume === 0 ? "Unmute" : "Mute"}
          title="Mute (m)"
          onClick={p.onToggleMute}
        >
          <Icon
            name={p.muted || p.volume === 0 ? "muted" : "volume"}
            size={22}
          />
        </button>
        <input
          class="volume-input"
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={p.muted ? 0 : p.volume}
          aria-label="Volume"
          aria-valuetext={`${volumePct}%`}
          onInput={(e) => p.onVolume(Number(e.currentTarget.value))}
        />
      </div>
      <span class="time" aria-hidden="true">
        {formatDuration(p.currentTime)} / {formatDuration(p.duration || null)}
      </span>
      <span class="control-spacer" />
      {p.children}
      {p.audioTracks && <AudioTrackMenu {...p.audioTracks} />}
      <label class="control-select">
        <span class="visually-hidden">Playback speed</span>
        <select
          aria-label="Playback speed"
          value={String(p.rate)}
          onChange={(e) => p.onRate(Number(e.currentTarget.value))}
        >
          {SPEEDS.map((s) => (
            <option key={s} value={String(s)}>
              {s === 1 ? "1×" : `${s}×`}
            </option>
          ))}
        </select>
      </label>
      <label class="control-select">
        <span class="visually-hidden">Quality</span>
        <select
          aria-label="Quality"
          value={p.selected ?? "auto"}
          disabled={p.renditions.length === 0}
          title={p.current
            ? `Playing ${renditionLabel(p.current)} (${
              formatBitrate(p.current.bitrate)
            })`
            : "Quality"}
          onChange={(e) => {
            const v = e.currentTarget.value;
            p.onQuality(v === "auto" ? null : v);
          }}
        >
          <option value="auto">Auto</option>
          {p.renditions.map((r) => (
            <option key={r.key} value={r.key}>{renditionLabel(r)}</option>
          ))}
        </select>
      </label>
      {p.pipSupported && (
        <button
          type="button"
          class="control"
          aria-label={p.inPip
            ? "Exit picture in picture"
            : "Picture in picture"}
          aria-pressed={p.inPip}
          title="Picture in picture"
          onClick={p.onTogglePip}
        >
          <Icon name="pip" size={22} />
        </button>
      )}
      <button
        type="button"
        class="control"
        aria-label={p.fullscreen ? "Exit fullscreen" : "Fullscreen"}
        title="Fullscreen (f)"
        onClick={p.onToggleFullscreen}
      >
        <Icon name={p.fullscreen ? "exitFullscreen" : "fullscreen"} size={22} />
      </button>
    </div>
  );
}
