/**
 * Server-side island marking. While a page renders, a Preact `options` hook wraps every
 * outermost island in comment markers `<!--frsh:ID:NAME-->…<!--/frsh:ID-->` and records
 * its props; islands rendered inside another island are left to that island.
 */
import { type ComponentType, Fragment, h, options, type VNode } from "preact";

/** One island instance on a rendered page. */
export interface IslandUse {
  id: number;
  name: string;
  props: Record<string, unknown>;
}

interface Collector {
  uses: IslandUse[];
  depth: number;
  inner: WeakSet<VNode>;
}

// deno-lint-ignore no-explicit-any
const registry = new Map<ComponentType<any>, string>();
let current: Collector | null = null;

// `__b` (diff start) and `diffed` are Preact's mangled hook names, also honoured by
// preact-render-to-string; `__b` runs before the vnode's type is read, so it may swap it.
type Hook = ((vnode: VNode) => void) | undefined;
const hooks = options as unknown as { __b: Hook; diffed: Hook };
const prevDiff = hooks.__b;
const prevDiffed = hooks.diffed;

hooks.__b = (vnode: VNode): void => {
  const c = current;
  if (c && typeof vnode.type === "function") {
    if (c.inner.has(vnode)) {
      c.depth++;
    } else if (c.depth === 0 && registry.has(vnode.type)) {
      const id = c.uses.length;
      const name = registry.get(vnode.type)!;
      const props = vnode.props as Record<string, unknown>;
      c.uses.push({ id, name, props });
      const inner = h(vnode.type, props);
      c.inner.add(inner);
      const v = vnode as { type: unknown; props: unknown };
      v.type = Fragment;
      v.props = {
        children: [
          comment(`frsh:${id}:${name}`),
          inner,
          comment(`/frsh:${id}`),
        ],
      };
    }
  }
  prevDiff?.(vnode);
};

hooks.diffed = (vnode: VNode): void => {
  if (current?.inner.has(vnode)) current.depth--;
  prevDiffed?.(vnode);
};

/** A comment node (preact-render-to-string renders `UNSTABLE_comment` fragments). */
function comment(text: string): VNode {
  return h(Fragment, { UNSTABLE_comment: text } as Record<string, unknown>);
}

/** Marks `component` as the island called `name` (a bundle entry name). */
export function registerIsland(
  // deno-lint-ignore no-explicit-any
  component: ComponentType<any>,
  name: string,
): void {
  registry.set(component, name);
}

/** Runs a synchronous render and returns its result with the islands it rendered. */
export function collectIslands<T>(
  render: () => T,
): { result: T; islands: IslandUse[] } {
  const prev = current;
  const c: Collector = { uses: [], depth: 0, inner: new WeakSet() };
  current = c;
  try {
    return { result: render(), islands: c.uses };
  } finally {
    current = prev;
  }
}

/** The bundle name of an island file: its path below `islands/`, e.g. `upload_Dropzone`. */
export function islandName(key: string): string {
  return key.replace(/^\.\/islands\//, "").replace(/\.[jt]sx?$/, "").replace(
    /[^A-Za-z0-9_]/g,
    "_",
  );
}
