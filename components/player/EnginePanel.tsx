/**
 * Under the player: the engine switch (hls.js / dash.js) and what the engine reports, the
 * rendition on screen and its bandwidth estimate.
 */
import type { VNode } from "preact";
import { ENGINE_LABELS, type EngineKind } from "../../lib/ui/engine_choice.ts";
import type { Rendition } from "../../lib/ui/engines.ts";
import { formatBitrate } from "../../lib/ui/format.ts";
import { renditionLabel } from "./ControlBar.tsx";

/** Props of {@link EnginePanel}. */
export interface EnginePanelProps {
  /** Engines this browser can use; empty until known (before hydration). */
  engines: EngineKind[];
  /** Engines that cannot be used yet, with the reason shown to the viewer. */
  unavailable?: Partial<Record<EngineKind, string>> | null;
  active: EngineKind | null;
  renditions: Rendition[];
  current: Rendition | null;
  /** True while the quality is chosen adaptively. */
  auto: boolean;
  /** Bits per second. */
  bandwidth: number | null;
  onSwitch(engine: EngineKind): void;
}

/** Renders the panel. */
export function EnginePanel(p: EnginePanelProps): VNode {
  const shown: EngineKind[] = p.engines.length
    ? [
      ...p.engines,
      ...(p.unavailable?.dash && !p.engines.includes("dash")
        ? ["dash" as const]
        : []),
    ]
    : ["hls", "dash"];
  const reasons = Object.values(p.unavailable ?? {}).filter(Boolean);
  return (
    <div class="player-panel">
      <fieldset class="engine-switch">
        <legend class="panel-title">Playback engine</legend>
        <div class="segmented">
          {shown.map((e) => (
            <label key={e} class={p.active === e ? "is-active" : ""}>
              <input
                type="radio"
                name="engine"
                value={e}
                checked={p.active === e}
                disabled={!p.engines.includes(e)}
                onChange={() =>
                  p.onSwitch(e)}
              />
              <span>{ENGINE_LABELS[e]}</span>
            </label>
          ))}
        </div>
        {reasons.map((r) => (
          <p key={r} class="muted engine-note" data-testid="engine-note">{r}</p>
        ))}
      </fieldset>
      <dl class="stats">
        <div>
          <dt>Rendition</dt>
          <dd data-testid="current-rendition">
            {p.current
              ? `${renditionLabel(p.current)} · ${
                formatBitrate(p.current.bitrate)
              }${p.auto ? " (auto)" : ""}`
              : "—"}
          </dd>
        </div>
        <div>
          <dt>Bandwidth estimate</dt>
          <dd data-testid="bandwidth">{formatBitrate(p.bandwidth)}</dd>
        </div>
        <div>
          <dt>Renditions</dt>
          <dd>
            {p.renditions.length
              ? p.renditions.map(renditionLabel).join(", ")
              : "—"}
          </dd>
        </div>
      </dl>
    </div>
  );
}
