import { assert, assertEquals } from "./_assert.ts";
import { get, withTempDir } from "./_helpers.ts";
import { resolveConfined, serveDir } from "../../lib/http/serve_dir.ts";

/** root/ holds a.txt, sub/b c.css and a link out; secret.txt sits beside root. */
async function withTree(
  fn: (root: string, outside: string) => Promise<void>,
): Promise<void> {
  await withTempDir(async (dir) => {
    const root = `${dir}/root`;
    await Deno.mkdir(`${root}/sub`, { recursive: true });
    await Deno.writeTextFile(`${root}/a.txt`, "inside");
    await Deno.writeTextFile(`${root}/sub/b c.css`, "body{}");
    await Deno.writeTextFile(`${dir}/secret.txt`, "secret");
    await Deno.writeTextFile(`${dir}/rootsibling.txt`, "sibling");
    await Deno.symlink(`${dir}/secret.txt`, `${root}/escape.txt`);
    await Deno.symlink(`${dir}`, `${root}/up`);
    await Deno.symlink(`${root}/a.txt`, `${root}/alias.txt`);
    await fn(root, dir);
  });
}

Deno.test("serveDir - serves a file inside the root, decoding the path", async () => {
  await withTree(async (root) => {
    const a = await serveDir(get("/a.txt"), root, "/a.txt");
    assertEquals(a?.status, 200);
    assertEquals(await a?.text(), "inside");
    const b = await serveDir(get("/sub/b%20c.css"), root, "/sub/b%20c.css");
    assertEquals(b?.headers.get("content-type"), "text/css; charset=utf-8");
    assertEquals(await b?.text(), "body{}");
  });
});

Deno.test("serveDir - a symlink that stays inside the root is served", async () => {
  await withTree(async (root) => {
    const res = await serveDir(get("/alias.txt"), root, "/alias.txt");
    assertEquals(await res?.text(), "inside");
  });
});

Deno.test("serveDir - traversal attempts return null", async () => {
  await withTree(async (root, outside) => {
    const attempts = [
      "/../secret.txt",
      "/sub/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/..%2fsecret.txt",
      "/sub%2F..%2F..%2Fsecret.txt",
      "/..%5csecret.txt",
      "/..\\secret.txt",
      `/${outside}/secret.txt`,
      `${outside}/secret.txt`,
      "/a.txt%00.css",
      "/a.txt\0",
      "/escape.txt",
      "/up/secret.txt",
      "/%E0%A4%A", // malformed percent-encoding
      "/./a.txt",
    ];
    for (const p of attempts) {
      assertEquals(await serveDir(get("/"), root, p), null, JSON.stringify(p));
    }
  });
});

Deno.test("serveDir - missing files and directories return null", async () => {
  await withTree(async (root) => {
    assertEquals(await serveDir(get("/"), root, "/nope.txt"), null);
    assertEquals(await serveDir(get("/"), root, "/sub"), null);
    assertEquals(await serveDir(get("/"), root, "/"), null);
    assertEquals(await serveDir(get("/"), root, ""), null);
  });
});

Deno.test("resolveConfined - a sibling sharing the root's name prefix is outside", async () => {
  await withTree(async (root, outside) => {
    // `${outside}/rootsibling.txt` starts with the string `${root}` minus the separator.
    await Deno.symlink(`${outside}/rootsibling.txt`, `${root}/sib`);
    assertEquals(await resolveConfined(root, "sib"), null);
    const real = await resolveConfined(root, "sub/b c.css");
    assert(real?.endsWith("/root/sub/b c.css"));
    assertEquals(await resolveConfined(root, "/etc/passwd"), null);
  });
});
