/**
 * The adaptive player: a `<video>` driven by hls.js or dash.js (loaded only when chosen),
 * custom controls with a quality menu and seek thumbnails, keyboard shortcuts, and an engine
 * switch that keeps the playback position. The root carries `data-engine` with the active
 * engine for tests and styling.
 */
import type { VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Video } from "../../lib/videos/present.ts";
import {
  availableEngines,
  chooseEngine,
  detectSupport,
  ENGINE_LABELS,
  ENGINE_STORAGE_KEY,
  type EngineKind,
} from "../../lib/ui/engine_choice.ts";
import {
  createEngine,
  type Engine,
  type Rendition,
} from "../../lib/ui/engines.ts";
import {
  parseThumbnails,
  type ThumbnailCue,
} from "../../lib/ui/vtt_thumbnails.ts";
import { formatBitrate } from "../../lib/ui/format.ts";
import { Icon } from "../Icons.tsx";
import { ControlBar, renditionLabel } from "./ControlBar.tsx";
import { SeekBar } from "./SeekBar.tsx";
import { usePlayerKeys } from "./keys.ts";

/** Props of {@link VideoPlayer}: a ready video (its stream URLs are set). */
export interface VideoPlayerProps {
  video: Video & { hlsUrl: string; dashUrl: string };
}

const VOLUME_KEY = "reel.player.volume";

function load(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function save(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage disabled: the choice just is not remembered.
  }
}

/** Renders the player. */
export function VideoPlayer({ video }: VideoPlayerProps): VNode {
  const videoRef = useRef<HTMLVideoElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const engineRef = useRef<Engine | null>(null);
  /** Where (and whether to play) the next engine starts. */
  const resumeRef = useRef({ time: 0, play: false });
  /** The height the viewer picked, re-applied when the engine changes. */
  const wantedHeight = useRef<number | null>(null);

  const [engines, setEngines] = useState<EngineKind[]>([]);
  const [kind, setKind] = useState<EngineKind | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [renditions, setRenditions] = useState<Rendition[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [currentKey, setCurrentKey] = useState<string | null>(null);
  const [bandwidth, setBandwidth] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const [started, setStarted] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(video.durationSec ?? 0);
  const [bufferedEnd, setBufferedEnd] = useState(0);
  const [volume, setVolume] = useState(1);
  const [muted, setMuted] = useState(false);
  const [rate, setRate] = useState(1);
  const [fullscreen, setFullscreen] = useState(false);
  const [pipSupported, setPipSupported] = useState(false);
  const [inPip, setInPip] = useState(false);
  const [cues, setCues] = useState<ThumbnailCue[]>([]);
  const [idle, setIdle] = useState(false);
  const [osd, setOsd] = useState<string | null>(null);

  // Client-only facts, read after hydration so the server's HTML matches the first render.
  useEffect(() => {
    const support = detectSupport();
    const list = availableEngines(support);
    setEngines(list);
    const first = chooseEngine(support, load(ENGINE_STORAGE_KEY));
    if (first) setKind(first);
    else {setError(
        "This browser cannot play adaptive video (no Media Source Extensions).",
      );}
    setPipSupported(!!document.pictureInPictureEnabled);
    const v = videoRef.current!;
    const savedVolume = Number(load(VOLUME_KEY));
    if (load(VOLUME_KEY) !== null && savedVolume >= 0 && savedVolume <= 1) {
      v.volume = savedVolume;
    }
    setVolume(v.volume);
    setMuted(v.muted);
  }, []);

  // Starts the chosen engine; switching engines or "Try again" re-runs this.
  useEffect(() => {
    if (!kind) return;
    const v = videoRef.current!;
    let engine: Engine | null = null;
    let disposed = false;
    const resume = resumeRef.current;
    setError(null);
    setRenditions([]);
    setCurrentKey(null);
    setSelected(null);
    setBandwidth(null);
    setWaiting(true);
    createEngine(
      kind,
      v,
      { hls: video.hlsUrl, dash: video.dashUrl },
      resume.time,
      {
        onRenditions(list) {
          if (disposed) return;
          setRenditions(list);
          const want = list.find((r) => r.height === wantedHeight.current);
          if (want) {
            setSelected(want.key);
            queueMicrotask(() => engineRef.current?.setRendition(want.key));
          }
        },
        onRendition(key) {
          if (!disposed) setCurrentKey(key);
        },
        onFatal(message) {
          if (disposed) return;
          setError(message);
          setWaiting(false);
        },
      },
    ).then((e) => {
      if (disposed) {
        e.destroy();
        return;
      }
      engine = e;
      engineRef.current = e;
      v.playbackRate = v.defaultPlaybackRate;
      if (resume.play) v.play().catch(() => {});
    }, (err: Error) => {
      if (disposed) return;
      setError(err.message || "The player could not start.");
      setWaiting(false);
    });
    return () => {
      disposed = true;
      engine?.destroy();
      engineRef.current = null;
    };
  }, [kind, attempt]);

  // The video element's own events drive the controls.
  useEffect(() => {
    const v = videoRef.current!;
    const buffered = () => {
      const b = v.buffered;
      for (let i = 0; i < b.length; i++) {
        if (b.start(i) <= v.currentTime + 0.5 && b.end(i) >= v.currentTime) {
          return b.end(i);
        }
      }
      return 0;
    };
    const on: Record<string, () => void> = {
      play: () => {
        setPlaying(true);
        setStarted(true);
      },
      pause: () => setPlaying(false),
      playing: () => setWaiting(false),
      canplay: () => setWaiting(false),
      waiting: () => setWaiting(true),
      timeupdate: () => {
        setTime(v.currentTime);
        setBufferedEnd(buffered());
      },
      progress: () => setBufferedEnd(buffered()),
      durationchange: () =>
        Number.isFinite(v.duration) && setDuration(v.duration),
      volumechange: () => {
        setVolume(v.volume);
        setMuted(v.muted);
      },
      ratechange: () => setRate(v.playbackRate),
      enterpictureinpicture: () => setInPip(true),
      leavepictureinpicture: () => setInPip(false),
    };
    for (const [name, fn] of Object.entries(on)) v.addEventListener(name, fn);
    const fs = () =>
      setFullscreen(document.fullscreenElement === stageRef.current);
    document.addEventListener("fullscreenchange", fs);
    const poll = setInterval(
      () => setBandwidth(engineRef.current?.bandwidth() ?? null),
      1000,
    );
    return () => {
      for (const [name, fn] of Object.entries(on)) {
        v.removeEventListener(name, fn);
      }
      document.removeEventListener("fullscreenchange", fs);
      clearInterval(poll);
    };
  }, []);

  // Seek thumbnails: a small WebVTT file pointing into one sprite image.
  useEffect(() => {
    if (!video.thumbnailsUrl) return;
    const url = new URL(video.thumbnailsUrl, location.href).href;
    const ctrl = new AbortController();
    fetch(url, { signal: ctrl.signal })
      .then((r) => (r.ok ? r.text() : ""))
      .then((text) => {
        const list = parseThumbnails(text, url);
        setCues(list);
        if (list[0]) new Image().src = list[0].url;
      })
      .catch(() => {});
    return () => ctrl.abort();
  }, [video.thumbnailsUrl]);

  // Hide the controls while playing and the pointer rests.
  useEffect(() => {
    if (!playing) {
      setIdle(false);
      return;
    }
    const stage = stageRef.current!;
    let t = setTimeout(() => setIdle(true), 2500);
    const wake = () => {
      setIdle(false);
      clearTimeout(t);
      t = setTimeout(() => setIdle(true), 2500);
    };
    stage.addEventListener("pointermove", wake);
    stage.addEventListener("focusin", wake);
    stage.addEventListener("keydown", wake);
    return () => {
      clearTimeout(t);
      stage.removeEventListener("pointermove", wake);
      stage.removeEventListener("focusin", wake);
      stage.removeEventListener("keydown", wake);
    };
  }, [playing]);

  useEffect(() => {
    if (!osd) return;
    const t = setTimeout(() => setOsd(null), 900);
    return () => clearTimeout(t);
  }, [osd]);

  const v = () => videoRef.current!;
  const togglePlay = () => {
    const el = v();
    if (el.paused || el.ended) el.play().catch(() => {});
    else el.pause();
  };
  const seek = (t: number) => {
    const el = v();
    const end = Number.isFinite(el.duration) ? el.duration : duration;
    el.currentTime = Math.max(0, Math.min(end || 0, t));
    setTime(el.currentTime);
  };
  const changeVolume = (value: number) => {
    const el = v();
    el.volume = Math.max(0, Math.min(1, value));
    el.muted = el.volume === 0;
    save(VOLUME_KEY, String(el.volume));
  };
  const toggleMute = () => {
    const el = v();
    el.muted = !el.muted;
    if (!el.muted && el.volume === 0) el.volume = 0.5;
  };
  const toggleFullscreen = () => {
    const stage = stageRef.current!;
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else if (stage.requestFullscreen) stage.requestFullscreen().catch(() => {});
    else {(v() as { webkitEnterFullscreen?: () => void })
        .webkitEnterFullscreen?.();}
  };
  const togglePip = () => {
    if (document.pictureInPictureElement) {
      document.exitPictureInPicture().catch(() => {});
    } else v().requestPictureInPicture().catch(() => {});
  };
  const switchEngine = (next: EngineKind) => {
    if (next === kind) return;
    const el = v();
    resumeRef.current = {
      time: el.currentTime,
      play: started ? !el.paused : false,
    };
    save(ENGINE_STORAGE_KEY, next);
    setKind(next);
  };
  const retry = () => {
    const el = v();
    resumeRef.current = { time: el.currentTime, play: started };
    setAttempt((n) => n + 1);
  };
  const chooseQuality = (key: string | null) => {
    setSelected(key);
    wantedHeight.current = key === null
      ? null
      : renditions.find((r) => r.key === key)?.height ?? null;
    engineRef.current?.setRendition(key);
  };

  usePlayerKeys({
    togglePlay,
    seekBy: (d) => {
      seek(v().currentTime + d);
      setOsd(d > 0 ? `+${d} s` : `${d} s`);
    },
    seekToFraction: (f) => seek(f * (v().duration || duration)),
    volumeBy: (d) => {
      changeVolume(v().volume + d);
      setOsd(`Volume ${Math.round(v().volume * 100)}%`);
    },
    toggleMute: () => {
      toggleMute();
      setOsd(v().muted ? "Muted" : "Sound on");
    },
    toggleFullscreen,
  });

  const current = renditions.find((r) => r.key === currentKey) ?? null;
  const showControls = !playing || !idle;

  return (
    <div
      class="player"
      data-engine={kind ?? undefined}
      data-state={error
        ? "error"
        : waiting
        ? "loading"
        : playing
        ? "playing"
        : "paused"}
    >
      <div
        ref={stageRef}
        class={`player-stage${showControls ? "" : " controls-hidden"}`}
        role="region"
        aria-label={`Video player: ${video.title}`}
      >
        <video
          ref={videoRef}
          class="player-video"
          poster={video.posterUrl ?? undefined}
          preload="metadata"
          playsInline
          onClick={togglePlay}
          onDblClick={toggleFullscreen}
        />
        {waiting && !error && started && (
          <span class="spinner" aria-label="Loading" role="status" />
        )}
        {!started && !error && (
          <button
            type="button"
            class="big-play"
            aria-label="Play video"
            onClick={togglePlay}
          >
            <Icon name="play" size={40} />
          </button>
        )}
        {osd && <span class="osd" aria-hidden="true">{osd}</span>}
        {error && (
          <div class="player-error" role="alert">
            <Icon name="alert" size={32} />
            <p>{error}</p>
            <div class="actions">
              <button type="button" class="primary" onClick={retry}>
                <Icon name="retry" size={18} /> Try again
              </button>
              {engines.filter((e) => e !== kind).map((e) => (
                <button
                  key={e}
                  type="button"
                  onClick={() => switchEngine(e)}
                >
                  Use {ENGINE_LABELS[e]}
                </button>
              ))}
            </div>
          </div>
        )}
        <div class="player-controls">
          <SeekBar
            currentTime={time}
            duration={duration}
            bufferedEnd={bufferedEnd}
            cues={cues}
            onSeek={seek}
          />
          <ControlBar
            playing={playing}
            currentTime={time}
            duration={duration}
            volume={volume}
            muted={muted}
            rate={rate}
            renditions={renditions}
            selected={selected}
            current={current}
            pipSupported={pipSupported}
            inPip={inPip}
            fullscreen={fullscreen}
            onTogglePlay={togglePlay}
            onToggleMute={toggleMute}
            onVolume={changeVolume}
            onRate={(r) => {
              v().defaultPlaybackRate = r;
              v().playbackRate = r;
            }}
            onQuality={chooseQuality}
            onTogglePip={togglePip}
            onToggleFullscreen={toggleFullscreen}
          />
        </div>
      </div>
      <div class="player-panel">
        <fieldset class="engine-switch">
          <legend class="panel-title">Playback engine</legend>
          <div class="segmented">
            {(engines.length ? engines : (["hls", "dash"] as EngineKind[])).map(
              (e) => (
                <label key={e} class={kind === e ? "is-active" : ""}>
                  <input
                    type="radio"
                    name="engine"
                    value={e}
                    checked={kind === e}
                    disabled={!engines.includes(e)}
                    onChange={() => switchEngine(e)}
                  />
                  <span>{ENGINE_LABELS[e]}</span>
                </label>
              ),
            )}
          </div>
        </fieldset>
        <dl class="stats">
          <div>
            <dt>Rendition</dt>
            <dd data-testid="current-rendition">
              {current
                ? `${renditionLabel(current)} · ${
                  formatBitrate(current.bitrate)
                }`
                : "—"}
              {current && selected === null ? " (auto)" : ""}
            </dd>
          </div>
          <div>
            <dt>Bandwidth estimate</dt>
            <dd data-testid="bandwidth">{formatBitrate(bandwidth)}</dd>
          </div>
          <div>
            <dt>Renditions</dt>
            <dd>
              {renditions.length
                ? renditions.map(renditionLabel).join(", ")
                : "—"}
            </dd>
          </div>
        </dl>
      </div>
    </div>
  );
}
