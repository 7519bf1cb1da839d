/**
 * The adaptive player: a `<video>` driven by hls.js or dash.js (loaded only when chosen),
 * custom controls with a quality menu and seek thumbnails, keyboard shortcuts, and an engine
 * switch that keeps the playback position. The root carries `data-engine` with the active
 * engine for tests and styling.
 */
import type { VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Video } from "../../lib/api/present.ts";
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
import { Icon } from "../Icons.tsx";
import { CAPTION_STORAGE_KEY, pickCaption } from "../../lib/ui/captions.ts";
import { CaptionsMenu } from "./CaptionsMenu.tsx";
import type { AudioTrackOption } from "../../lib/ui/audio_tracks.ts";
import { ControlBar } from "./ControlBar.tsx";
import { EnginePanel } from "./EnginePanel.tsx";
import { usePlayerKeys } from "./keys.ts";
import { useMediaState } from "./media_state.ts";
import { SeekBar } from "./SeekBar.tsx";

/** Props of {@link VideoPlayer}: a playable video (its HLS URL is set; DASH once ready). */
export interface VideoPlayerProps {
  video: Video & { hlsUrl: string };
  /** Where playback starts, in seconds (a share link's `?t=`). */
  startAt?: number;
  /** The engine to start with (an embed's `?engine=`), over the remembered choice. */
  engine?: EngineKind;
}

/** Why dash.js cannot be chosen yet, shown beside the engine switch. */
export const DASH_LATER = "DASH is available when processing finishes.";

const VOLUME_KEY = "reel.player.volume";
/** Controls hide after this long without pointer or keyboard activity while playing. */
const IDLE_MS = 2500;

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
export function VideoPlayer(
  { video, startAt, engine: preferred }: VideoPlayerProps,
): VNode {
  const videoRef = useRef<HTMLVideoElement>(null);
  const stageRef = useRef<HTMLDivElement>(null);
  const engineRef = useRef<Engine | null>(null);
  /** Where (and whether to play) the next engine starts. */
  const resumeRef = useRef({
    time: startAt && startAt > 0 ? startAt : 0,
    play: false,
  });
  /** The height the viewer picked, re-applied when the engine changes. */
  const wantedHeight = useRef<number | null>(null);
  /** The audio track the viewer picked (by label), re-applied when the engine changes. */
  const wantedAudio = useRef<string | null>(null);

  const [media, setMedia] = useMediaState(
    videoRef,
    stageRef,
    video.durationSec ?? 0,
  );
  const [engines, setEngines] = useState<EngineKind[]>([]);
  const [kind, setKind] = useState<EngineKind | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [renditions, setRenditions] = useState<Rendition[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [currentKey, setCurrentKey] = useState<string | null>(null);
  const [audioTracks, setAudioTracks] = useState<AudioTrackOption[]>([]);
  const [audioKey, setAudioKey] = useState<string | null>(null);
  const [bandwidth, setBandwidth] = useState<number | null>(null);
  const [pipSupported, setPipSupported] = useState(false);
  const [cues, setCues] = useState<ThumbnailCue[]>([]);
  const [idle, setIdle] = useState(false);
  const [osd, setOsd] = useState<string | null>(null);
  /** The caption language on screen, or null (off); the viewer's choice is remembered. */
  const [caption, setCaption] = useState<string | null>(null);
  const captionRef = useRef<string | null>(null);
  const captionLangs = video.captions.map((c) => c.lang).join(" ");

  // Client-only facts, read after hydration so the server's HTML matches the first render.
  useEffect(() => {
    const support = detectSupport();
    setEngines(availableEngines(support));
    // dash.js waits for the static MPD; until then the remembered choice falls back.
    const remembered = preferred ?? load(ENGINE_STORAGE_KEY);
    const first = chooseEngine(
      support,
      remembered === "dash" && !video.dashUrl ? null : remembered,
    );
    if (first) setKind(first);
    else {
      setError(
        "This browser cannot play adaptive video (no Media Source Extensions).",
      );
    }
    setPipSupported(!!document.pictureInPictureEnabled);
    captionRef.current = pickCaption(
      load(CAPTION_STORAGE_KEY),
      video.captions.map((c) => c.lang),
    );
    setCaption(captionRef.current);
    const saved = load(VOLUME_KEY);
    if (saved !== null && Number(saved) >= 0 && Number(saved) <= 1) {
      videoRef.current!.volume = Number(saved);
    }
    const poll = setInterval(
      () => setBandwidth(engineRef.current?.bandwidth() ?? null),
      1000,
    );
    return () => clearInterval(poll);
  }, []);

  // Renditions that join the master playlist while the video plays (the rest of the ladder
  // lands when the video is ready): hls.js reads the master once, so the engine restarts at
  // the same position (and play state) to learn the new levels.
  useEffect(() => {
    if (video.status !== "ready" || !engineRef.current || kind === "dash") {
      return;
    }
    if (
      renditions.length === 0 || renditions.length >= video.renditions.length
    ) return;
    const v = videoRef.current!;
    resumeRef.current = {
      time: v.currentTime,
      play: media.started && !v.paused,
    };
    setAttempt((a) => a + 1);
  }, [video.status]);

  // New stream URLs (the video turned private or public: signed or plain paths) would leave
  // the engine fetching addresses that no longer answer; captions added or removed while the
  // page is open are only read with the master (or MPD). Either way: restart where it was.
  const urlsRef = useRef(video.hlsUrl);
  const firstLangs = useRef(captionLangs);
  useEffect(() => {
    if (
      urlsRef.current === video.hlsUrl && captionLangs === firstLangs.current
    ) return;
    urlsRef.current = video.hlsUrl;
    firstLangs.current = captionLangs;
    const langs = captionLangs ? captionLangs.split(" ") : [];
    if (captionRef.current && !langs.includes(captionRef.current)) {
      captionRef.current = null;
      setCaption(null);
    }
    if (!engineRef.current) return;
    const v = videoRef.current!;
    resumeRef.current = {
      time: v.currentTime,
      play: media.started && !v.paused,
    };
    setAttempt((a) => a + 1);
  }, [video.hlsUrl, captionLangs]);

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
    setAudioTracks([]);
    setAudioKey(null);
    setBandwidth(null);
    setMedia({ waiting: true });
    const urls = { hls: video.hlsUrl, dash: video.dashUrl ?? "" };
    createEngine(kind, v, urls, resume.time, {
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
      onAudioTracks(list, current) {
        if (disposed) return;
        setAudioTracks(list);
        setAudioKey(current);
        const want = list.find((t) => t.label === wantedAudio.current);
        if (want && want.key !== current) {
          queueMicrotask(() => engineRef.current?.setAudioTrack(want.key));
        }
      },
      onFatal(message) {
        if (disposed) return;
        setError(message);
        setMedia({ waiting: false });
      },
    }).then((e) => {
      if (disposed) {
        e.destroy();
        return;
      }
      engine = e;
      engineRef.current = e;
      e.setCaption(captionRef.current);
      v.playbackRate = v.defaultPlaybackRate;
      if (resume.play) v.play().catch(() => {});
    }, (err: Error) => {
      if (disposed) return;
      setError(err.message || "The player could not start.");
      setMedia({ waiting: false });
    });
    return () => {
      disposed = true;
      engine?.destroy();
      engineRef.current = null;
    };
  }, [kind, attempt]);

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
    if (!media.playing) {
      setIdle(false);
      return;
    }
    const stage = stageRef.current!;
    let t = setTimeout(() => setIdle(true), IDLE_MS);
    const wake = () => {
      setIdle(false);
      clearTimeout(t);
      t = setTimeout(() => setIdle(true), IDLE_MS);
    };
    const events = ["pointermove", "focusin", "keydown"];
    for (const e of events) stage.addEventListener(e, wake);
    return () => {
      clearTimeout(t);
      for (const e of events) stage.removeEventListener(e, wake);
    };
  }, [media.playing]);

  useEffect(() => {
    if (!osd) return;
    const t = setTimeout(() => setOsd(null), 900);
    return () => clearTimeout(t);
  }, [osd]);

  const el = () => videoRef.current!;
  const togglePlay = () => {
    const v = el();
    if (v.paused || v.ended) v.play().catch(() => {});
    else v.pause();
  };
  const seek = (t: number) => {
    const v = el();
    const end = Number.isFinite(v.duration) ? v.duration : media.duration;
    v.currentTime = Math.max(0, Math.min(end || 0, t));
  };
  const changeVolume = (value: number) => {
    const v = el();
    v.volume = Math.max(0, Math.min(1, value));
    v.muted = v.volume === 0;
    save(VOLUME_KEY, String(v.volume));
  };
  const toggleMute = () => {
    const v = el();
    v.muted = !v.muted;
    if (!v.muted && v.volume === 0) v.volume = 0.5;
  };
  const toggleFullscreen = () => {
    const stage = stageRef.current!;
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    else if (stage.requestFullscreen) stage.requestFullscreen().catch(() => {});
    else {
      // iOS Safari: only the video element itself can go fullscreen.
      (el() as { webkitEnterFullscreen?: () => void })
        .webkitEnterFullscreen?.();
    }
  };
  const togglePip = () => {
    if (document.pictureInPictureElement) {
      document.exitPictureInPicture().catch(() => {});
    } else el().requestPictureInPicture().catch(() => {});
  };
  const switchEngine = (next: EngineKind) => {
    if (next === kind) return;
    if (next === "dash" && !video.dashUrl) return;
    const v = el();
    resumeRef.current = {
      time: v.currentTime,
      play: media.started && !v.paused,
    };
    save(ENGINE_STORAGE_KEY, next);
    setKind(next);
  };
  const retry = () => {
    resumeRef.current = { time: el().currentTime, play: media.started };
    setAttempt((n) => n + 1);
  };
  const chooseCaption = (lang: string | null) => {
    captionRef.current = lang;
    setCaption(lang);
    save(CAPTION_STORAGE_KEY, lang ?? "off");
    engineRef.current?.setCaption(lang);
  };
  // The menu follows the engine's report of the track playing (onAudioTracks), not the click.
  const chooseAudio = (key: string) => {
    wantedAudio.current = audioTracks.find((t) => t.key === key)?.label ??
      null;
    engineRef.current?.setAudioTrack(key);
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
      seek(el().currentTime + d);
      setOsd(d > 0 ? `+${d} s` : `${d} s`);
    },
    seekToFraction: (f) => seek(f * (el().duration || media.duration)),
    volumeBy: (d) => {
      changeVolume(el().volume + d);
      setOsd(`Volume ${Math.round(el().volume * 100)}%`);
    },
    toggleMute: () => {
      toggleMute();
      setOsd(el().muted ? "Muted" : "Sound on");
    },
    toggleFullscreen,
  });

  const current = renditions.find((r) => r.key === currentKey) ?? null;
  const state = error
    ? "error"
    : media.waiting
    ? "loading"
    : media.playing
    ? "playing"
    : "paused";

  return (
    <div class="player" data-engine={kind ?? undefined} data-state={state}>
      <div
        ref={stageRef}
        class={`player-stage${media.playing && idle ? " controls-hidden" : ""}`}
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
        {media.waiting && !error && media.started && (
          <span class="spinner" role="status" aria-label="Loading" />
        )}
        {!media.started && !error && (
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
              {engines.filter((e) =>
                e !== kind && (e !== "dash" || video.dashUrl)
              ).map((e) => (
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
            currentTime={media.time}
            duration={media.duration}
            bufferedEnd={media.bufferedEnd}
            cues={cues}
            onSeek={seek}
          />
          <ControlBar
            playing={media.playing}
            currentTime={media.time}
            duration={media.duration}
            volume={media.volume}
            muted={media.muted}
            rate={media.rate}
            renditions={renditions}
            selected={selected}
            current={current}
            pipSupported={pipSupported}
            inPip={media.inPip}
            fullscreen={media.fullscreen}
            onTogglePlay={togglePlay}
            onToggleMute={toggleMute}
            onVolume={changeVolume}
            onRate={(r) => {
              el().defaultPlaybackRate = r;
              el().playbackRate = r;
            }}
            onQuality={chooseQuality}
            onTogglePip={togglePip}
            onToggleFullscreen={toggleFullscreen}
            audioTracks={{
              tracks: audioTracks,
              current: audioKey,
              onChange: chooseAudio,
            }}
          >
            <CaptionsMenu
              captions={video.captions}
              selected={caption}
              onChange={chooseCaption}
            />
          </ControlBar>
        </div>
      </div>
      <EnginePanel
        engines={video.dashUrl ? engines : engines.filter((e) => e !== "dash")}
        unavailable={video.dashUrl ? null : { dash: DASH_LATER }}
        active={kind}
        renditions={renditions}
        current={current}
        auto={selected === null}
        bandwidth={bandwidth}
        onSwitch={switchEngine}
      />
    </div>
  );
}
