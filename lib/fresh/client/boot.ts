/// <reference lib="dom" />
/**
 * Client boot, loaded as `/_fresh/js/boot-<hash>.js`: reads the island list and props from
 * `<script type="application/json" id="__FRSH_STATE">`, imports the island bundles and
 * hydrates each island between its `<!--frsh:ID:NAME-->` / `<!--/frsh:ID-->` markers.
 * Sets `document.documentElement.dataset.hydrated = "true"` when done.
 */
import { type ComponentType, h, hydrate } from "preact";
import { revive } from "./deserialize.ts";

interface BootState {
  islands: { id: number; name: string; url: string }[];
  props: unknown;
}

/** A stand-in parent that makes Preact render into the nodes between two comments. */
function rangeRoot(start: Comment, end: Comment): Element {
  const parent = start.parentNode as Element;
  const nodes: ChildNode[] = [];
  for (let n = start.nextSibling; n && n !== end; n = n.nextSibling) {
    nodes.push(n);
  }
  const insert = (child: Node, ref?: Node | null): Node =>
    parent.insertBefore(child, ref ?? end);
  return {
    nodeType: 1,
    namespaceURI: parent.namespaceURI,
    parentNode: parent,
    firstChild: nodes[0] ?? null,
    childNodes: nodes,
    insertBefore: insert,
    appendChild: (child: Node) => insert(child),
    removeChild: (child: Node) => parent.removeChild(child),
    contains: (child: Node) => parent.contains(child),
  } as unknown as Element;
}

async function boot(): Promise<void> {
  const el = document.getElementById("__FRSH_STATE");
  if (!el) return;
  const state = JSON.parse(el.textContent ?? "{}") as BootState;
  const props = revive(state.props) as Record<string, unknown>[];

  const urls = [...new Set(state.islands.map((i) => i.url))];
  const modules = new Map<string, ComponentType>();
  await Promise.all(urls.map(async (url) => {
    const mod = await import(url);
    modules.set(url, mod.default);
  }));

  const starts = new Map<string, Comment>();
  const ends = new Map<string, Comment>();
  const walker = document.createTreeWalker(
    document.body,
    NodeFilter.SHOW_COMMENT,
  );
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const m = /^(\/?)frsh:(\d+)/.exec((n as Comment).data);
    if (m) (m[1] ? ends : starts).set(m[2], n as Comment);
  }

  for (const island of state.islands) {
    const start = starts.get(String(island.id));
    const end = ends.get(String(island.id));
    const component = modules.get(island.url);
    if (!start || !end || !component) {
      console.error(
        `Island ${island.name} #${island.id} is missing its markers or code.`,
      );
      continue;
    }
    hydrate(h(component, props[island.id]), rangeRoot(start, end));
  }
  document.documentElement.dataset.hydrated = "true";
}

boot().catch((err) => console.error("Island hydration failed:", err));
