/**
 * Page weight: the JavaScript and CSS a browser downloads for the index and the player page,
 * gzipped. Starts from the page's `<script src>`, `<link rel=modulepreload|stylesheet>` tags
 * and inline code, follows static imports, and lists dynamic imports (the player engines,
 * loaded on demand) apart.
 */

/** Bytes of one page's code, raw and gzipped. */
export interface PageWeight {
  path: string;
  htmlGzip: number;
  jsFiles: number;
  jsGzip: number;
  jsRaw: number;
  cssGzip: number;
  cssRaw: number;
  /** Loaded only on demand (dynamic `import()`), e.g. hls.js and dash.js: url → gzip bytes. */
  lazyGzip: Record<string, number>;
  /** Whether the server itself sent the JS compressed to a client that accepts gzip. */
  servedCompressed: boolean;
}

async function gzipSize(data: Uint8Array): Promise<number> {
  const stream = new Blob([new Uint8Array(data)]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return (await new Response(stream).arrayBuffer()).byteLength;
}

const attr = (tag: string, name: string): string | null =>
  tag.match(new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`, "i"))?.[1] ??
    null;

/** Static (`import … from "x"`, `import "x"`) and dynamic (`import("x")`) specifiers. */
export function importsOf(js: string): { static: string[]; dynamic: string[] } {
  const stat = [
    ...js.matchAll(/\bimport\s*[\w${},*\s]*?\bfrom\s*["']([^"']+)["']/g),
    ...js.matchAll(/\bimport\s*["']([^"']+)["']/g),
    ...js.matchAll(/\bexport\s*[\w${},*\s]*?\bfrom\s*["']([^"']+)["']/g),
  ].map((m) => m[1]);
  const dyn = [...js.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((
    m,
  ) => m[1]);
  return { static: stat, dynamic: dyn };
}

/** Weighs the page at `base + path`. */
export async function weighPage(
  base: string,
  path: string,
): Promise<PageWeight> {
  const page = await fetch(`${base}${path}`);
  const html = await page.text();
  const pageUrl = new URL(path, base);
  const js = new Map<string, Uint8Array>();
  const css = new Map<string, Uint8Array>();
  const inline: string[] = [];
  let servedCompressed = false;

  const get = async (url: string): Promise<Uint8Array> => {
    const res = await fetch(url, { headers: { "accept-encoding": "gzip" } });
    if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
    if (/gzip|br/.test(res.headers.get("content-encoding") ?? "")) {
      servedCompressed = true;
    }
    return new Uint8Array(await res.arrayBuffer());
  };
  const dynamic = new Set<string>();
  const addJs = async (url: string): Promise<void> => {
    if (js.has(url)) return;
    const body = await get(url);
    js.set(url, body);
    const found = importsOf(new TextDecoder().decode(body));
    for (const s of found.static) await addJs(new URL(s, url).href);
    for (const s of found.dynamic) dynamic.add(new URL(s, url).href);
  };

  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const src = attr(m[1], "src");
    if (src) await addJs(new URL(src, pageUrl).href);
    else if (m[2].trim()) {
      inline.push(m[2]);
      // Inline module code may import the island chunks.
      for (const s of importsOf(m[2]).static) {
        await addJs(new URL(s, pageUrl).href);
      }
      for (const s of importsOf(m[2]).dynamic) {
        dynamic.add(new URL(s, pageUrl).href);
      }
    }
  }
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = attr(m[0], "rel")?.toLowerCase();
    const href = attr(m[0], "href");
    if (!href) continue;
    const url = new URL(href, pageUrl).href;
    if (rel === "modulepreload") await addJs(url);
    if (rel === "stylesheet" && !css.has(url)) css.set(url, await get(url));
  }
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) {
    css.set(`inline:${css.size}`, new TextEncoder().encode(m[1]));
  }

  const enc = new TextEncoder();
  const allJs = [...js.values(), ...inline.map((s) => enc.encode(s))];
  const sum = async (parts: Uint8Array[]) => {
    let raw = 0;
    let gz = 0;
    for (const p of parts) {
      raw += p.byteLength;
      gz += await gzipSize(p);
    }
    return { raw, gz };
  };
  const jsSum = await sum(allJs);
  const cssSum = await sum([...css.values()]);
  const lazyGzip: Record<string, number> = {};
  for (const url of dynamic) {
    if (js.has(url)) continue;
    const name = new URL(url).pathname.split("/").pop()!;
    lazyGzip[name] = await gzipSize(await get(url));
  }
  return {
    path,
    htmlGzip: await gzipSize(enc.encode(html)),
    jsFiles: js.size,
    jsGzip: jsSum.gz,
    jsRaw: jsSum.raw,
    cssGzip: cssSum.gz,
    cssRaw: cssSum.raw,
    lazyGzip,
    servedCompressed,
  };
}
