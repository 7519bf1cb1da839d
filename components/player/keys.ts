/**
 * The player's keyboard shortcuts, on the whole page (the player is the page's subject):
 * Space/k play-pause, ←/→ 5 s, j/l 10 s, ↑/↓ volume, m mute, f fullscreen, 0–9 jump to 0–90%.
 * Keys typed into text fields, selects and buttons keep their usual meaning.
 */
import { useEffect, useRef } from "preact/hooks";

/** What the shortcuts do. */
export interface PlayerKeyActions {
  togglePlay(): void;
  seekBy(seconds: number): void;
  seekToFraction(fraction: number): void;
  volumeBy(delta: number): void;
  toggleMute(): void;
  toggleFullscreen(): void;
}

/** True when `key` pressed on `target` belongs to that element, not to the player. */
function ownsKey(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    if (type === "range") {
      // The seek and volume sliders keep their arrows; the seek slider is the player's.
      return key.startsWith("Arrow") &&
        !target.classList.contains("seek-input");
    }
    if (type === "radio" || type === "checkbox") {
      return key === " " || key.startsWith("Arrow");
    }
    return true;
  }
  if (tag === "BUTTON" || tag === "A" || tag === "SUMMARY") {
    return key === " " || key === "Enter";
  }
  return false;
}

/** Installs the shortcuts while the calling component is mounted. */
export function usePlayerKeys(actions: PlayerKeyActions): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
      if (ownsKey(e.target, e.key)) return;
      const a = ref.current;
      const handlers: Record<string, () => void> = {
        " ": a.togglePlay,
        k: a.togglePlay,
        ArrowLeft: () => a.seekBy(-5),
        ArrowRight: () => a.seekBy(5),
        j: () => a.seekBy(-10),
        l: () => a.seekBy(10),
        ArrowUp: () => a.volumeBy(0.1),
        ArrowDown: () => a.volumeBy(-0.1),
        m: a.toggleMute,
        f: a.toggleFullscreen,
      };
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
      const run = handlers[key] ??
        (/^[0-9]$/.test(key) ? () => a.seekToFraction(Number(key) / 10) : null);
      if (!run) return;
      e.preventDefault();
      run();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}
