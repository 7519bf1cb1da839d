import { join } from "node:path";
import {
  assert,
  assertEquals,
  assertMatch,
  assertNotMatch,
} from "./_assert.ts";
import manifest from "../fixtures/fresh_app/fresh.gen.ts";
import { buildIslands, createApp, needsBuild } from "../../lib/fresh/mod.ts";

const FIXTURE = new URL("../fixtures/fresh_app", import.meta.url).pathname;

async function sha(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as BufferSource),
  );
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("build - island bundles are content-hashed, minified and share one preact chunk", async () => {
  const outDir = await Deno.makeTempDir({ prefix: "fresh-build-test-" });
  try {
    const { files, assets } = await buildIslands({ root: FIXTURE, outDir });
    const names = [...files.keys()].sort();
    const entries = names.filter((n) => !n.startsWith("chunk-"));
    assertEquals(entries.map((n) => n.replace(/-[0-9a-f]{12}\.js$/, "")), [
      "Badge",
      "Counter",
      "Display",
      "PropsView",
      "boot",
    ]);
    for (const name of entries) {
      const hash = name.match(/-([0-9a-f]{12})\.js$/)![1];
      assert((await sha(files.get(name)!)).startsWith(hash), `${name} hash`);
      const text = new TextDecoder().decode(files.get(name));
      assert(text.split("\n").length <= 3, `${name} is not minified`);
      assertNotMatch(text, /\.\.\/chunk-/);
    }
    // Preact's core (its SVG namespace string) lives in exactly one shared chunk.
    const withPreact = names.filter((n) =>
      new TextDecoder().decode(files.get(n)).includes(
        "http://www.w3.org/2000/svg",
      )
    );
    assertEquals(withPreact.length, 1);
    assert(withPreact[0].startsWith("chunk-"), withPreact[0]);
    for (const island of Object.values(assets.islands)) {
      assert(island.deps.includes(`/_fresh/js/${withPreact[0]}`), island.url);
    }
    assert(assets.bootDeps.includes(`/_fresh/js/${withPreact[0]}`));
    // Written to disk with the asset map.
    for (const name of names) await Deno.stat(join(outDir, "js", name));
    assertEquals(
      JSON.parse(await Deno.readTextFile(join(outDir, "assets.json"))),
      JSON.parse(JSON.stringify(assets)),
    );

    // A second build gives the same names.
    const again = await buildIslands({ root: FIXTURE, write: false });
    assertEquals([...again.files.keys()].sort(), names);

    // Pages load only the islands they render; assets are served immutable.
    const app = createApp({ manifest, buildDir: outDir, dev: false });
    const html = await (await app.handler(new Request("http://x/islands")))
      .text();
    const scripts = [
      ...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g),
    ]
      .map((m) => m[1]);
    assert(scripts.includes(assets.islands.Counter.url));
    assert(scripts.includes(assets.islands.Display.url));
    assert(
      !scripts.includes(assets.islands.Badge.url),
      "Badge renders inside Display",
    );
    assertMatch(
      html,
      new RegExp(`<script type="module" src="${assets.bootUrl}"></script>`),
    );
    assertEquals(
      [...html.matchAll(/<!--frsh:\d+:(\w+)-->/g)].map((m) => m[1]),
      [
        "Counter",
        "Display",
        "PropsView",
      ],
    );
    const badge = await (await app.handler(new Request("http://x/badge")))
      .text();
    assertMatch(badge, new RegExp(assets.islands.Badge.url));
    assertNotMatch(badge, new RegExp(assets.islands.Counter.url));

    const res = await app.handler(new Request(`http://x${assets.bootUrl}`));
    assertEquals(res.status, 200);
    assertEquals(
      res.headers.get("cache-control"),
      "public, max-age=31536000, immutable",
    );
    assertMatch(res.headers.get("content-type") ?? "", /javascript/);
    await res.body?.cancel();
    const missing = await app.handler(
      new Request("http://x/_fresh/js/../assets.json"),
    );
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

Deno.test("build - needsBuild compares the build time with the sources", async () => {
  const root = await Deno.makeTempDir({ prefix: "fresh-needs-build-" });
  try {
    await Deno.mkdir(join(root, "islands"));
    await Deno.mkdir(join(root, "_fresh"));
    const island = join(root, "islands/A.tsx");
    await Deno.writeTextFile(island, "export default () => null;\n");
    assertEquals(await needsBuild(root), true);
    await Deno.writeTextFile(join(root, "_fresh/assets.json"), "{}");
    const past = new Date(Date.now() - 60_000);
    await Deno.utime(island, past, past);
    // The runtime's own client files count too; they are older than this build.
    assertEquals(await needsBuild(root), false);
    await Deno.utime(island, new Date(), new Date(Date.now() + 60_000));
    assertEquals(await needsBuild(root), true);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
