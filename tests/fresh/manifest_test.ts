import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "./_assert.ts";
import {
  generateManifest,
  isManifestCurrent,
  writeManifest,
} from "../../lib/fresh/mod.ts";

const FIXTURE = new URL("../fixtures/fresh_app", import.meta.url).pathname;
const DEV = new URL("../../dev.ts", import.meta.url).pathname;

async function tempProject(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "fresh-manifest-" });
  await Deno.mkdir(join(dir, "routes/api"), { recursive: true });
  await Deno.mkdir(join(dir, "islands"), { recursive: true });
  await Deno.writeTextFile(
    join(dir, "routes/index.tsx"),
    "export default () => null;\n",
  );
  await Deno.writeTextFile(
    join(dir, "routes/api/[id].ts"),
    "export const handler = {};\n",
  );
  await Deno.writeTextFile(join(dir, "routes/helper_test.ts"), "// ignored\n");
  await Deno.writeTextFile(
    join(dir, "islands/B.tsx"),
    "export default () => null;\n",
  );
  await Deno.writeTextFile(
    join(dir, "islands/A.tsx"),
    "export default () => null;\n",
  );
  return dir;
}

async function runDev(
  ...args: string[]
): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", DEV, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("manifest - generation is deterministic and sorted", async () => {
  const dir = await tempProject();
  try {
    const a = await generateManifest(dir);
    const b = await generateManifest(dir);
    assertEquals(a, b);
    const imports = [...a.matchAll(/from "(\.\/[^"]+)"/g)].map((m) => m[1]);
    assertEquals(imports, [
      "./routes/api/[id].ts",
      "./routes/index.tsx",
      "./islands/A.tsx",
      "./islands/B.tsx",
    ]);
    assertMatch(a, /baseUrl: import\.meta\.url,/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("manifest - output is already deno fmt formatted", async () => {
  const dir = await tempProject();
  try {
    await writeManifest(dir);
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--check", join(dir, "fresh.gen.ts")],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert(fmt.success, new TextDecoder().decode(fmt.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("manifest - the committed fixture manifest is current", async () => {
  assert(
    await isManifestCurrent(FIXTURE),
    "run: deno run -A dev.ts manifest --root=" + FIXTURE,
  );
});

Deno.test("manifest - dev.ts --check detects a stale manifest", async () => {
  const dir = await tempProject();
  try {
    await writeManifest(dir);
    assertEquals((await runDev("--check", `--root=${dir}`)).code, 0);
    await Deno.writeTextFile(
      join(dir, "routes/new.tsx"),
      "export default () => null;\n",
    );
    const stale = await runDev("--check", `--root=${dir}`);
    assertEquals(stale.code, 1);
    assertMatch(stale.stderr, /fresh\.gen\.ts is stale/);
    assertEquals(await writeManifest(dir), true);
    assertEquals(await writeManifest(dir), false);
    assertEquals((await runDev("--check", `--root=${dir}`)).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
