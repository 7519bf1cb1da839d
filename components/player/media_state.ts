/**
 * The state of a `<video>` element as Preact state: playing, time, buffer, volume, speed,
 * fullscreen and picture in picture, kept current from the element's own events.
 */
import type { RefObject } from "preact";
import { useEffect, useState } from "preact/hooks";

/** What the controls show. */
export interface MediaState {
  playing: boolean;
  /** Playback has started at least once (hides the big play button). */
  started: boolean;
  /** Waiting for data. */
  waiting: boolean;
  time: number;
  duration: number;
  /** End of the buffered range around the current time. */
  bufferedEnd: number;
  volume: number;
  muted: boolean;
  rate: number;
  fullscreen: boolean;
  inPip: boolean;
}

function bufferedEnd(v: HTMLVideoElement): number {
  const b = v.buffered;
  for (let i = 0; i < b.length; i++) {
    if (b.start(i) <= v.currentTime + 0.5 && b.end(i) >= v.currentTime) {
      return b.end(i);
    }
  }
  return 0;
}

/**
 * Follows `videoRef`'s element; `fullscreen` is true while `stageRef`'s element is the
 * fullscreen element. `initialDuration` is shown until the media reports its own.
 */
export function useMediaState(
  videoRef: RefObject<HTMLVideoElement>,
  stageRef: RefObject<HTMLElement>,
  initialDuration: number,
): [MediaState, (change: Partial<MediaState>) => void] {
  const [state, setState] = useState<MediaState>({
    playing: false,
    started: false,
    waiting: false,
    time: 0,
    duration: initialDuration,
    bufferedEnd: 0,
    volume: 1,
    muted: false,
    rate: 1,
    fullscreen: false,
    inPip: false,
  });
  const update = (change: Partial<MediaState>) =>
    setState((s) => ({ ...s, ...change }));

  useEffect(() => {
    const v = videoRef.current!;
    const on: Record<string, () => void> = {
      play: () => update({ playing: true, started: true }),
      pause: () => update({ playing: false }),
      playing: () => update({ waiting: false }),
      canplay: () => update({ waiting: false }),
      waiting: () => update({ waiting: true }),
      seeking: () => update({ time: v.currentTime }),
      timeupdate: () =>
        update({ time: v.currentTime, bufferedEnd: bufferedEnd(v) }),
      progress: () => update({ bufferedEnd: bufferedEnd(v) }),
      durationchange: () => {
        if (Number.isFinite(v.duration)) update({ duration: v.duration });
      },
      volumechange: () => update({ volume: v.volume, muted: v.muted }),
      ratechange: () => update({ rate: v.playbackRate }),
      enterpictureinpicture: () => update({ inPip: true }),
      leavepictureinpicture: () => update({ inPip: false }),
    };
    for (const [name, fn] of Object.entries(on)) v.addEventListener(name, fn);
    const fs = () =>
      update({ fullscreen: document.fullscreenElement === stageRef.current });
    document.addEventListener("fullscreenchange", fs);
    update({ volume: v.volume, muted: v.muted });
    return () => {
      for (const [name, fn] of Object.entries(on)) {
        v.removeEventListener(name, fn);
      }
      document.removeEventListener("fullscreenchange", fs);
    };
  }, []);

  return [state, update];
}
