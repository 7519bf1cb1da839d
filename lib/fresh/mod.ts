/**
 * A small Fresh-compatible runtime on npm Preact: file-system routes, middleware, layouts,
 * islands with serialized props, and a generated manifest. App code imports only this.
 *
 * Islands limitation: JSX passed to an island (`children` or any prop) is not supported;
 * pass data props (JSON values, Date, Map, Set, URL, signals) instead.
 *
 * @example
 * import manifest from "./fresh.gen.ts";
 * import { createApp } from "./lib/fresh/mod.ts";
 * Deno.serve(createApp({ manifest }).handler);
 */
export { type App, type AppOptions, createApp } from "./app.ts";
export {
  createDefine,
  type DataOf,
  type Define,
  HttpError,
  page,
} from "./define.ts";
export {
  buildIslands,
  type BuildOptions,
  type BuildResult,
  needsBuild,
} from "./build.ts";
export {
  generateManifest,
  isManifestCurrent,
  MANIFEST_FILE,
  writeManifest,
} from "./manifest.ts";
export type {
  FreshContext,
  HandlerByMethod,
  HandlerFn,
  IslandModule,
  LayoutProps,
  Manifest,
  Method,
  Middleware,
  PageComponent,
  PageProps,
  PageResponse,
  RouteHandler,
  RouteModule,
} from "./types.ts";
