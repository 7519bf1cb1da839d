import {
  assert,
  assertEquals,
  assertMatch,
  assertNotMatch,
} from "./_assert.ts";
import manifest from "../fixtures/fresh_app/fresh.gen.ts";
import { createApp } from "../../lib/fresh/mod.ts";

const app = createApp({ manifest, dev: false });

async function get(path: string, init?: RequestInit): Promise<Response> {
  return await app.handler(new Request(`http://localhost${path}`, init));
}

async function text(
  path: string,
  init?: RequestInit,
): Promise<[number, string, Headers]> {
  const res = await get(path, init);
  return [res.status, await res.text(), res.headers];
}

/** Runs `fn` with console.error captured; returns what was logged. */
async function captureErrors(fn: () => Promise<void>): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return logged;
}

Deno.test("router - index.tsx maps to the folder path and _app wraps the page", async () => {
  const [status, body, headers] = await text("/");
  assertEquals(status, 200);
  assertEquals(headers.get("content-type"), "text/html; charset=utf-8");
  assert(body.startsWith('<!DOCTYPE html><html lang="en">'), body);
  assertMatch(body, /<title>Fixture<\/title>/);
  assertMatch(body, /<div class="layout-root"><h1 id="home">Home<\/h1><\/div>/);
});

Deno.test("router - static segment wins over [param]", async () => {
  assertMatch((await text("/about"))[1], /About \(static\)/);
  assertMatch((await text("/users/new"))[1], /new user form/);
  assertMatch((await text("/users/42"))[1], /user=42/);
});

Deno.test("router - [param] wins over [...rest] and rest takes the remainder", async () => {
  assertMatch((await text("/docs/intro"))[1], /intro \(static\)/);
  assertMatch((await text("/docs/a/b/c"))[1], /rest=a\/b\/c/);
  assertMatch((await text("/docs"))[1], /rest=<\/p>/);
});

Deno.test("router - params are URL-decoded, %2F stays inside one param", async () => {
  assertMatch((await text("/caf%C3%A9"))[1], /slug=café/);
  assertMatch((await text("/a%2Fb"))[1], /slug=a\/b/);
  assertMatch((await text("/%E2%9C%93%20ok"))[1], /slug=✓ ok/);
});

Deno.test("router - ctx.route and props.route give the matched pattern", async () => {
  assertMatch((await text("/xyz"))[1], /data-route="\/\[slug\]"/);
  const res = await get("/api/items/7");
  assertEquals((await res.json()).route, "/api/items/[id]");
});

Deno.test("router - a malformed %-sequence is a 404, not a crash", async () => {
  const [status, body] = await text("/%E0%A4%A");
  assertEquals(status, 404);
  assertMatch(body, /Custom 404/);
});

Deno.test("router - (group) folders are not part of the URL but scope their layout", async () => {
  const [status, body] = await text("/pricing");
  assertEquals(status, 200);
  assertMatch(body, /<section class="layout-marketing"><p id="pricing">/);
  assertNotMatch((await text("/about"))[1], /layout-marketing/);
});

Deno.test("router - nested layouts wrap outer first", async () => {
  const body = (await text("/nested/deep/page"))[1];
  assertMatch(
    body,
    /<div class="layout-root"><div class="layout-nested"><div class="layout-deep"><p id="trail">/,
  );
});

Deno.test("router - middlewares run outer first and share ctx.state", async () => {
  const [status, body, headers] = await text("/nested/deep/page");
  assertEquals(status, 200);
  assertMatch(body, /<p id="trail">root>nested-a>nested-b>deep<\/p>/);
  assertEquals(headers.get("x-root-mw"), "1");
  const json = await (await get("/api/items/1")).json();
  assertEquals(json.trail, ["root", "api"]);
  assertEquals(json.remote.hostname, "127.0.0.1");
});

Deno.test("router - unknown path renders _404 with status 404 through middleware", async () => {
  const [status, body, headers] = await text("/no/such/page");
  assertEquals(status, 404);
  assertMatch(body, /Custom 404 for \/no\/such\/page/);
  assertMatch(body, /<title>Fixture<\/title>/);
  assertEquals(headers.get("x-root-mw"), null); // the error left the chain as a rejection
});

Deno.test("router - middleware can catch errors from ctx.next()", async () => {
  const logged = await captureErrors(async () => {
    const res = await get("/api/fail");
    assertEquals(res.status, 500);
    assertEquals(await res.json(), { error: "internal" });
    const missing = await get("/api/nope");
    assertEquals(missing.status, 404);
    assertEquals(await missing.json(), { error: "Not Found" });
  });
  assertEquals(logged.length, 0);
});

Deno.test("router - unknown method on a route with handlers is 405 with Allow", async () => {
  const res = await get("/api/items/1", { method: "DELETE" });
  assertEquals(res.status, 405);
  assertEquals(res.headers.get("allow"), "GET, HEAD, POST");
  await res.body?.cancel();
  const post = await get("/api/items/1", { method: "POST" });
  assertEquals([post.status, await post.text()], [201, "created"]);
});

Deno.test("router - a page-only route allows GET and HEAD", async () => {
  const res = await get("/about", { method: "POST" });
  assertEquals(res.status, 405);
  assertEquals(res.headers.get("allow"), "GET, HEAD");
  assertMatch(await res.text(), /Custom error page/);
});

Deno.test("router - HEAD falls back to GET with the body dropped", async () => {
  const res = await get("/api/items/9", { method: "HEAD" });
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "application/json");
  assertEquals(await res.text(), "");
  const page = await get("/about", { method: "HEAD" });
  assertEquals([page.status, await page.text()], [200, ""]);
});

Deno.test("router - a thrown error renders _error with 500, logs once, shows no stack", async () => {
  let status = 0;
  let body = "";
  const logged = await captureErrors(async () => {
    [status, body] = await text("/boom");
  });
  assertEquals(status, 500);
  assertMatch(body, /Custom error page/);
  assertNotMatch(body, /secret-detail|boom\.tsx|at /);
  assertEquals(logged.length, 1);
  assert(String(logged[0][1]).includes("secret-detail"));
});

Deno.test("router - HttpError status is used for the error page", async () => {
  const logged = await captureErrors(async () => {
    const [status, body] = await text("/teapot");
    assertEquals(status, 418);
    assertMatch(body, /Custom error page/);
    const [s404, b404] = await text("/missing");
    assertEquals(s404, 404);
    assertMatch(b404, /Custom 404/);
  });
  assertEquals(logged.length, 0);
});

Deno.test("router - page(data, init) and ctx.render(data) render the page", async () => {
  const [status, body, headers] = await text("/data?who=%3Cb%3E");
  assertEquals(status, 201);
  assertEquals(headers.get("x-data"), "yes");
  assertMatch(body, /<p id="msg">hello &lt;b>/);
  const [s2, b2, h2] = await text("/rendered");
  assertEquals([s2, h2.get("x-render")], [200, "1"]);
  assertMatch(b2, /<p id="via">ctx.render<\/p>/);
});

Deno.test("router - static files are served before routes", async () => {
  const res = await get("/styles.css");
  assertEquals(res.status, 200);
  assertMatch(res.headers.get("content-type") ?? "", /text\/css/);
  assertMatch(await res.text(), /font-family/);
});

Deno.test("router - pages without islands get no script at all", async () => {
  const body = (await text("/about"))[1];
  assertNotMatch(body, /<script/);
});
