/**
 * Renders a page inside its layouts and `_app` to an HTML document, and adds the island
 * boot script, island data and module preloads only when the page contains islands.
 */
import { type ComponentType, h, type VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { collectIslands, type IslandUse } from "./islands.ts";
import { escapeJson, serialize } from "./serialize.ts";
import type { PageProps } from "./types.ts";

/** URLs of the built client assets (see build.ts). */
export interface Assets {
  bootUrl: string;
  /** Island name → its bundle URL and the chunk URLs it imports. */
  islands: Record<string, { url: string; deps: string[] }>;
  /** Chunk URLs the boot script imports. */
  bootDeps: string[];
}

/** What {@link renderDocument} needs. */
export interface RenderInput {
  // deno-lint-ignore no-explicit-any
  app?: ComponentType<any>;
  /** Outermost first. */
  // deno-lint-ignore no-explicit-any
  layouts: ComponentType<any>[];
  // deno-lint-ignore no-explicit-any
  page: ComponentType<any>;
  props: PageProps;
  assets: Assets | null;
  /** Adds the live-reload script. */
  dev: boolean;
}

/** The URL of the dev live-reload script. */
export const RELOAD_SCRIPT_URL = "/_fresh/reload.js";

let warnedUnbuilt = false;

/** Renders the full HTML document (with `<!DOCTYPE html>`). */
export function renderDocument(input: RenderInput): string {
  const { props } = input;
  let tree: VNode = h(input.page, props);
  const wrappers = input.app ? [input.app, ...input.layouts] : input.layouts;
  for (let i = wrappers.length - 1; i >= 0; i--) {
    const inner = tree;
    tree = h(wrappers[i], { ...props, Component: () => inner });
  }
  const { result, islands } = collectIslands(() => renderToString(tree));
  let html = /^\s*<html[\s>]/i.test(result)
    ? result
    : `<html><head><meta charset="utf-8"></head><body>${result}</body></html>`;

  let head = "";
  let body = "";
  if (islands.length > 0) {
    if (input.assets) {
      [head, body] = islandTags(islands, input.assets);
    } else if (!warnedUnbuilt) {
      warnedUnbuilt = true;
      console.warn(
        "Islands are not built, so pages render without client JS. " +
          "Run `deno run -A dev.ts build`.",
      );
    }
  }
  if (input.dev) {
    body += `<script type="module" src="${RELOAD_SCRIPT_URL}"></script>`;
  }
  html = insertBefore(html, "</head>", head, false);
  html = insertBefore(html, "</body>", body, true);
  return "<!DOCTYPE html>" + html;
}

function islandTags(islands: IslandUse[], assets: Assets): [string, string] {
  const list = islands.map(({ id, name }) => {
    const asset = assets.islands[name];
    if (!asset) {
      throw new Error(
        `Island ${name} is not in the build; rebuild with dev.ts build.`,
      );
    }
    return { id, name, url: asset.url };
  });
  const preload = new Set([assets.bootUrl, ...assets.bootDeps]);
  for (const { name } of islands) {
    preload.add(assets.islands[name].url);
    for (const dep of assets.islands[name].deps) preload.add(dep);
  }
  const head = [...preload].map((url) =>
    `<link rel="modulepreload" href="${url}">`
  ).join(
    "",
  );
  const state = `{"islands":${escapeJson(JSON.stringify(list))},"props":${
    serialize(islands.map((i) => i.props))
  }}`;
  const body =
    `<script type="application/json" id="__FRSH_STATE">${state}</script>` +
    `<script type="module" src="${assets.bootUrl}"></script>`;
  return [head, body];
}

function insertBefore(
  html: string,
  tag: string,
  text: string,
  last: boolean,
): string {
  if (!text) return html;
  const lower = html.toLowerCase();
  const at = last ? lower.lastIndexOf(tag) : lower.indexOf(tag);
  return at === -1 ? html + text : html.slice(0, at) + text + html.slice(at);
}
