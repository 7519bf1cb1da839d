/**
 * Access control: API_TOKEN on every write, the session cookie, cross-site refusal,
 * CORS only on streams, security headers and rate limits — against a real server.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "../_server.ts";
import { makeClip } from "../media/_clips.ts";
import { listFiles, waitFor } from "../integration/_api.ts";

const tmp = await Deno.makeTempDir({ prefix: "reel-access-" });
globalThis.addEventListener(
  "unload",
  () => Deno.removeSync(tmp, { recursive: true }),
);
const TOKEN = "s3cret-token-for-tests";

async function status(
  res: Promise<Response>,
): Promise<[number, string | null]> {
  const r = await res;
  const text = await r.text();
  let code: string | null = null;
  try {
    code = JSON.parse(text).error?.code ?? null;
  } catch { /* not JSON */ }
  return [r.status, code];
}

Deno.test("access - with API_TOKEN every write needs the token or a session; reads stay public", async () => {
  await using s = await startServer({ env: { API_TOKEN: TOKEN } });
  const clip = await makeClip(tmp, { width: 160, height: 90, seconds: 1 });
  const id = crypto.randomUUID();
  const writes: [string, string, BodyInit | undefined][] = [
    [
      "POST",
      "/api/videos",
      (() => {
        const fd = new FormData();
        fd.append("file", new Blob([Deno.readFileSync(clip)]), "a.mp4");
        return fd;
      })(),
    ],
    ["POST", "/api/uploads", undefined],
    ["PATCH", `/api/videos/${id}`, JSON.stringify({ title: "x" })],
    ["DELETE", `/api/videos/${id}`, undefined],
    ["POST", `/api/videos/${id}/retry`, undefined],
  ];
  for (const [method, path, body] of writes) {
    const headers: Record<string, string> = path === "/api/uploads"
      ? {
        "tus-resumable": "1.0.0",
        "upload-length": "10",
        "upload-metadata": "filename YS5tcDQ=",
      }
      : {};
    assert.deepEqual(
      await status(fetch(`${s.url}${path}`, { method, body, headers })),
      [401, "unauthorized"],
      `${method} ${path}`,
    );
    assert.deepEqual(
      await status(fetch(`${s.url}${path}`, {
        method,
        body,
        headers: { ...headers, authorization: "Bearer wrong" },
      })),
      [401, "unauthorized"],
    );
  }
  assert.deepEqual(await listFiles(join(s.dataDir, "uploads")), []);
  assert.equal(
    (await status(fetch(`${s.url}/api/videos`)))[0],
    200,
    "reads are public",
  );

  // Bearer token works.
  const fd = new FormData();
  fd.append("file", new Blob([await Deno.readFile(clip)]), "ok.mp4");
  const ok = await fetch(`${s.url}/api/videos`, {
    method: "POST",
    body: fd,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(ok.status, 202);
  const video = await ok.json();

  // A wrong token is refused; the right one sets an HttpOnly, SameSite=Strict cookie.
  assert.deepEqual(
    await status(fetch(`${s.url}/api/session`, {
      method: "POST",
      body: JSON.stringify({ token: "nope" }),
    })),
    [401, "unauthorized"],
  );
  const login = await fetch(`${s.url}/api/session`, {
    method: "POST",
    body: JSON.stringify({ token: TOKEN }),
  });
  assert.equal(login.status, 204);
  const cookie = login.headers.get("set-cookie")!;
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const session = cookie.split(";")[0];
  const renamed = await fetch(`${s.url}/api/videos/${video.id}`, {
    method: "PATCH",
    body: JSON.stringify({ title: "By cookie" }),
    headers: { cookie: session },
  });
  assert.equal(renamed.status, 200);
  assert.equal((await renamed.json()).title, "By cookie");
  const forged = await fetch(`${s.url}/api/videos/${video.id}`, {
    method: "PATCH",
    body: JSON.stringify({ title: "forged" }),
    headers: { cookie: `session=9999999999999.AAAA` },
  });
  assert.equal(forged.status, 401);
  await forged.body?.cancel();

  // The upload UI asks visitors to sign in; a signed-in browser gets the dropzone.
  const visitor = await (await fetch(`${s.url}/`)).text();
  assert.match(visitor, /Sign in to upload/);
  assert.match(visitor, /href="\/login"/, "the header links to sign-in");
  assert.doesNotMatch(visitor, /Browse files/);
  const member =
    await (await fetch(`${s.url}/`, { headers: { cookie: session } })).text();
  assert.doesNotMatch(member, /Sign in to upload/);
  assert.match(member, /Browse files/);

  // The sign-in page works without JavaScript.
  const page = await fetch(`${s.url}/login`);
  assert.match(await page.text(), /Access token/);
  const form = await fetch(`${s.url}/login`, {
    method: "POST",
    body: new URLSearchParams({ token: TOKEN }),
    redirect: "manual",
  });
  assert.equal(form.status, 303);
  assert.match(form.headers.get("set-cookie")!, /^session=\d+\./);
  await form.body?.cancel();
  await waitFor(s, video.id);
});

Deno.test("access - cross-site writes are refused; scripts without Origin still work", async () => {
  await using s = await startServer();
  const id = crypto.randomUUID();
  const body = JSON.stringify({ title: "x" });
  assert.deepEqual(
    await status(fetch(`${s.url}/api/videos/${id}`, {
      method: "PATCH",
      body,
      headers: { origin: "https://evil.example" },
    })),
    [403, "forbidden"],
  );
  assert.deepEqual(
    await status(fetch(`${s.url}/api/videos/${id}`, {
      method: "DELETE",
      headers: { "sec-fetch-site": "cross-site" },
    })),
    [403, "forbidden"],
  );
  assert.deepEqual(
    await status(fetch(`${s.url}/api/uploads`, {
      method: "POST",
      headers: {
        origin: "null",
        "tus-resumable": "1.0.0",
        "upload-length": "1",
      },
    })),
    [403, "forbidden"],
  );
  // Same origin, and no Origin at all (curl): not refused for that (404: no such video).
  const own = new URL(s.url).origin;
  assert.deepEqual(
    await status(fetch(`${s.url}/api/videos/${id}`, {
      method: "PATCH",
      body,
      headers: { origin: own, "sec-fetch-site": "same-origin" },
    })),
    [404, "not_found"],
  );
  assert.deepEqual(
    await status(fetch(`${s.url}/api/videos/${id}`, { method: "PATCH", body })),
    [404, "not_found"],
  );
});

Deno.test("access - security headers on pages, CORS only on streams", async () => {
  await using s = await startServer();
  const page = await fetch(`${s.url}/`);
  await page.body?.cancel();
  const csp = page.headers.get("content-security-policy") ?? "";
  assert.match(csp, /script-src 'self'(;|$)/, "no unsafe-inline scripts");
  assert.match(csp, /object-src 'none'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  assert.ok(page.headers.get("referrer-policy"));

  const api = await fetch(`${s.url}/api/videos`, {
    headers: { origin: "https://x.example" },
  });
  await api.body?.cancel();
  assert.equal(
    api.headers.get("access-control-allow-origin"),
    null,
    "no CORS on the API",
  );
  const pre = await fetch(`${s.url}/api/videos`, {
    method: "OPTIONS",
    headers: {
      origin: "https://x.example",
      "access-control-request-method": "POST",
    },
  });
  await pre.body?.cancel();
  assert.equal(pre.headers.get("access-control-allow-origin"), null);
  const stream = await fetch(
    `${s.url}/stream/${crypto.randomUUID()}/master.m3u8`,
    {
      method: "OPTIONS",
      headers: {
        origin: "https://x.example",
        "access-control-request-method": "GET",
      },
    },
  );
  await stream.body?.cancel();
  assert.equal(stream.headers.get("access-control-allow-origin"), "*");
  assert.doesNotMatch(
    stream.headers.get("access-control-allow-methods") ?? "",
    /POST|DELETE/,
  );
});

Deno.test("access - rate limits answer 429 with Retry-After", async () => {
  await using s = await startServer({
    env: { RATE_LIMIT_WRITES: "3", RATE_LIMIT_UPLOADS: "2" },
  });
  const id = crypto.randomUUID();
  const codes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${s.url}/api/videos/${id}`, {
      method: "PATCH",
      body: JSON.stringify({ title: "x" }),
    });
    codes.push(r.status);
    if (r.status === 429) {
      assert.ok(Number(r.headers.get("retry-after")) > 0);
      assert.equal((await r.json()).error.code, "rate_limited");
    } else await r.body?.cancel();
  }
  assert.deepEqual(codes, [404, 404, 404, 429, 429]);
  const uploads: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${s.url}/api/videos`, {
      method: "POST",
      body: new FormData(),
    });
    uploads.push(r.status);
    await r.body?.cancel();
  }
  assert.deepEqual(uploads, [400, 400, 429]);
  const read = await fetch(`${s.url}/api/videos`);
  assert.equal(read.status, 200, "reads are not limited");
  await read.body?.cancel();
});
