import assert from "node:assert/strict";
import * as path from "node:path";
import { checkLayers } from "../../lib/cli/check_layers.ts";

// Specifiers are interpolated so the checker, run on this repository, sees no imports here.
const imp = (spec: string) => `import { x } from "${spec}";\n`;
const impType = (spec: string) => `import type { X } from "${spec}";\n`;

/** Writes `files` (project-relative path → source) into a fresh temp dir; returns its path. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "check_layers_" });
  for (const [rel, src] of Object.entries(files)) {
    await Deno.mkdir(path.join(root, path.dirname(rel)), { recursive: true });
    await Deno.writeTextFile(path.join(root, rel), src);
  }
  return root;
}

async function check(files: Record<string, string>) {
  const root = await tree(files);
  try {
    return await checkLayers(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("check_layers - reports an import that goes up a layer", async () => {
  const { problems } = await check({
    "lib/media/probe.ts": imp("../api/errors.ts") + "export const x = 1;\n",
    "lib/api/errors.ts": "export const x = 1;\n",
  });
  assert.equal(problems.length, 1);
  assert.match(
    problems[0],
    /^lib\/media\/probe\.ts: imports lib\/api\/errors\.ts — /,
  );
  assert.match(
    problems[0],
    /lib\/media \(layer 2\) may import only lib\/core, lib\/http/,
  );
});

Deno.test("check_layers - reports a cycle once", async () => {
  const { problems } = await check({
    "lib/videos/a.ts": imp("./b.ts") + "export const x = 1;\n",
    "lib/videos/b.ts": impType("./a.ts") + "export const x = 1;\n",
  });
  assert.deepEqual(problems, [
    "cycle: lib/videos/a.ts → lib/videos/b.ts → lib/videos/a.ts",
  ]);
});

Deno.test("check_layers - browser code may import lib/api types but not lib/store", async () => {
  const { problems } = await check({
    "islands/List.tsx": impType("../lib/api/types.ts") +
      imp("../lib/store/db.ts") +
      imp("../components/Card.tsx"),
    "components/Card.tsx": imp("../lib/ui/format.ts") +
      imp("../lib/fresh/mod.ts"),
    "lib/ui/format.ts": "export const x = 1;\n",
    "lib/fresh/mod.ts": "export const x = 1;\n",
    "lib/api/types.ts": "export type X = number;\n",
    "lib/store/db.ts": "export const x = 1;\n",
  });
  assert.equal(problems.length, 1);
  assert.match(
    problems[0],
    /^islands\/List\.tsx: imports lib\/store\/db\.ts — browser code/,
  );
});

Deno.test("check_layers - routes skip lib/store and lib/ never imports lib/app", async () => {
  const { problems } = await check({
    "routes/index.tsx": imp("../lib/store/db.ts") + imp("../lib/api/list.ts"),
    "lib/api/list.ts": imp("../app/boot.ts"),
    "lib/app/boot.ts": "export const x = 1;\n",
    "lib/store/db.ts": "export const x = 1;\n",
  });
  assert.deepEqual(problems, [
    "lib/api/list.ts: imports lib/app/boot.ts — only lib/cli and entry points may import lib/app (the composition root).",
    "routes/index.tsx: imports lib/store/db.ts — routes must not import lib/store directly; go through lib/api or lib/videos.",
  ]);
});

Deno.test("check_layers - reports lib/ strays and missing files", async () => {
  const { problems } = await check({
    "lib/config.ts": "export const x = 1;\n",
    "routes/index.tsx": imp("../lib/api/gone.ts"),
  });
  assert.deepEqual(problems, [
    "lib/config.ts: files directly in lib/ belong in a layer folder.",
    "routes/index.tsx: imports lib/api/gone.ts — the file does not exist.",
  ]);
});

Deno.test("check_layers - a clean tree has no problems", async () => {
  const result = await check({
    "main.ts": imp("./lib/app/boot.ts"),
    "lib/app/boot.ts": imp("../videos/list.ts") + imp("../core/id.ts"),
    "lib/videos/list.ts": imp("../store/db.ts") +
      `// ${
        imp("./nowhere.ts")
      }/* export { z } from '${"../app/boot.ts"}'; */\n` +
      `const url = "https://example.com/x"; ${imp("npm:preact")}`,
    "lib/store/db.ts": imp("../core/id.ts") + imp("node:fs"),
    "lib/core/id.ts": "export const x = 1;\n",
    "routes/index.tsx": imp("../lib/videos/list.ts") +
      imp("../islands/List.tsx"),
    "islands/List.tsx": `import {\n  a,\n  b,\n} from "${"../lib/ui/x.ts"}";\n`,
    "lib/ui/x.ts": "export const a = 1, b = 2;\n",
    "tests/fixtures/bad.ts": imp("../../lib/nowhere.ts"),
    "tests/a_test.ts": imp("../lib/store/db.ts") + imp("../main.ts"),
  });
  assert.deepEqual(result.problems, []);
  assert.equal(result.files, 9);
  assert.equal(result.imports, 10);
});
