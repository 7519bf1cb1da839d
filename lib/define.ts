/** The app's `define` helpers, typed with its request state (Fresh 2 convention). */
import { createDefine } from "./fresh/mod.ts";

/** Per-request state set by the root middleware. */
export interface State {
  /** Echoed as `X-Request-Id` and in the request log line. */
  requestId: string;
}

/** Typing helpers for routes: `define.handlers`, `define.page`, `define.middleware`. */
export const define = createDefine<State>();
