/// Visibility seen by a visitor and by the owner across every endpoint: list, get, SSE,
/// pages, streams, poster, oEmbed, embed; signed playback tokens (wrong, tampered, expired,
/// other video); bad values refused with nothing changed.
import assert from "node:assert/strict";
import { makeClip } from "../media/_clips.ts";
import { listFiles } from "../integration/_api.ts";
import { loadConfig } from "../../lib/app/mod.ts";
import { formBody } from "../uploads/_helpers.ts";
import {
  fakeTranscode,
  type InProcessApp,
  inProcessApp,
  until,
} from "./_app.ts";

const TOKEN = "owner-token-for-visibility-tests";
const OWNER = { authorization: `Bearer ${TOKEN}` };
const b64 = (s: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(s)));

let clip: Uint8Array<ArrayBuffer> | null = null;
async function clipBytes(): Promise<Uint8Array<ArrayBuffer>> {
  if (clip) return clip;
  const dir = await Deno.makeTempDir();
  try {
    clip = await Deno.readFile(await makeClip(dir, { seconds: 1 }));
    return clip;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface Video {
  id: string;
  title: string;
  visibility: string;
  status: string;
  hlsUrl: string | null;
  dashUrl: string | null;
  posterUrl: string | null;
  embedUrl: string;
  playerUrl: string;
}

async function upload(
  app: InProcessApp,
  title: string,
  visibility?: string,
): Promise<Response> {
  const fields = [{ name: "title", value: title }];
  if (visibility !== undefined) {
    fields.push({ name: "visibility", value: visibility });
  }
  const { body, contentType } = formBody([
    ...fields,
    {
      name: "file",
      filename: "clip.mp4",
      data: await clipBytes(),
      type: "video/mp4",
    },
  ]);
  return await app.fetch("/api/videos", {
    method: "POST",
    body,
    headers: { "content-type": contentType, ...OWNER },
  });
}

async function ready(app: InProcessApp, id: string): Promise<Video> {
  return await until(async () => {
    const v = await (await app.fetch(`/api/videos/${id}`, { headers: OWNER }))
      .json() as Video;
    return v.status === "ready" && v;
  });
}

/** A library of one video of each visibility, all ready. */
async function library(env: Record<string, string> = {}) {
  const app = await inProcessApp({
    env: { API_TOKEN: TOKEN, ...env },
    transcode: fakeTranscode(),
  });
  const made: Record<string, Video> = {};
  for (const vis of ["public", "unlisted", "private"]) {
    const res = await upload(app, `The ${vis} one`, vis);
    assert.equal(res.status, 202);
    const v = await res.json() as Video;
    assert.equal(v.visibility, vis);
    made[vis] = await ready(app, v.id);
  }
  return { app, pub: made.public, unl: made.unlisted, prv: made.private };
}

/** A prop of the page's first island, from Fresh's serialized state. */
function islandProp(html: string, name: string): unknown {
  const json =
    /<script type="application\/json" id="__FRSH_STATE">(.*?)<\/script>/s
      .exec(html)![1];
  const props = JSON.parse(json).props as unknown[];
  const index = (props[1] as Record<string, number>)[name];
  return index === -1 ? undefined : props[index];
}

/** Reads an SSE response for `ms`, returning the events seen. */
async function sse(res: Response, ms: number): Promise<string> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const stop = setTimeout(() => reader.cancel(), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } catch { /* cancelled */ }
  clearTimeout(stop);
  return text;
}

Deno.test("visibility - a visitor's list, home page and video JSON show only what they may see", async () => {
  const { app, pub, unl, prv } = await library();
  await using _ = app;

  const list = await (await app.fetch("/api/videos")).text();
  assert.ok(list.includes(pub.id));
  assert.ok(!list.includes(unl.id) && !list.includes(unl.title));
  assert.ok(!list.includes(prv.id) && !list.includes(prv.title));

  const home = await (await app.fetch("/")).text();
  assert.ok(home.includes(pub.title));
  assert.ok(!home.includes(unl.title) && !home.includes(prv.title));

  assert.equal((await app.fetch(`/api/videos/${pub.id}`)).status, 200);
  const unlisted = await (await app.fetch(`/api/videos/${unl.id}`)).json();
  assert.equal(unlisted.visibility, "unlisted");
  assert.ok(unlisted.hlsUrl.endsWith(`/stream/${unl.id}/master.m3u8`));

  const hidden = await app.fetch(`/api/videos/${prv.id}`);
  assert.equal(hidden.status, 404);
  const body = await hidden.text();
  assert.equal(JSON.parse(body).error.code, "not_found");
  assert.ok(!body.includes(prv.title));

  // The owner sees all three, the private one with signed stream URLs.
  const owned = await (await app.fetch("/api/videos", { headers: OWNER }))
    .json() as { videos: Video[] };
  assert.deepEqual(
    owned.videos.map((v) => v.visibility).sort(),
    ["private", "public", "unlisted"],
  );
  const mine = owned.videos.find((v) => v.id === prv.id)!;
  assert.match(
    mine.hlsUrl!,
    new RegExp(`^/stream/${prv.id}/t/\\d+\\.[\\w-]{22}/master\\.m3u8$`),
  );
  assert.match(mine.posterUrl!, /\/t\/[^/]+\/poster\.jpg$/);
});

Deno.test("visibility - streams: private files only under a valid token, for anyone holding it", async () => {
  const { app, pub, unl, prv } = await library();
  await using _ = app;
  for (const v of [pub, unl]) {
    assert.equal((await app.fetch(`/stream/${v.id}/master.m3u8`)).status, 200);
    assert.equal(
      (await app.fetch(`/stream/${v.id}/chunk-0-00001.m4s`)).status,
      200,
    );
  }
  // No token: 404 for everyone, the owner included (unsigned paths never serve private files).
  for (const file of ["master.m3u8", "chunk-0-00001.m4s", "poster.jpg"]) {
    const res = await app.fetch(`/stream/${prv.id}/${file}`, {
      headers: OWNER,
    });
    assert.equal(res.status, 404, file);
    assert.equal(await res.text(), "Not found");
  }
  const owner =
    await (await app.fetch(`/api/videos/${prv.id}`, { headers: OWNER }))
      .json() as Video;
  // The signed master and a segment beside it (relative URIs inherit the token).
  const master = await app.fetch(owner.hlsUrl!);
  assert.equal(master.status, 200);
  assert.match(master.headers.get("cache-control")!, /^private/);
  const base = owner.hlsUrl!.replace(/master\.m3u8$/, "");
  assert.equal((await app.fetch(`${base}chunk-0-00001.m4s`)).status, 200);
});

Deno.test("visibility - playback links: issued to the owner; wrong, tampered, expired or other-video tokens are 403", async () => {
  const { app, pub, prv } = await library();
  await using _ = app;
  const res = await app.fetch(`/api/videos/${prv.id}/playback`, {
    method: "POST",
    headers: OWNER,
    body: JSON.stringify({ ttlSec: 120 }),
  });
  assert.equal(res.status, 200);
  const grant = await res.json();
  const left = Date.parse(grant.expiresAt) - Date.now();
  assert.ok(left > 110_000 && left <= 120_000, `expires in ${left} ms`);
  assert.ok(grant.hlsUrl.includes(`/t/${grant.token}/`));
  assert.ok(grant.embedUrl.endsWith(`/embed/${prv.id}?token=${grant.token}`));
  assert.equal((await app.fetch(grant.hlsUrl)).status, 200);
  assert.equal((await app.fetch(grant.dashUrl)).status, 404); // fake transcode: no MPD file

  // Default TTL and an empty body.
  const dflt = await (await app.fetch(`/api/videos/${prv.id}/playback`, {
    method: "POST",
    headers: OWNER,
  })).json();
  const h = (Date.parse(dflt.expiresAt) - Date.now()) / 3_600_000;
  assert.ok(h > 0.99 && h <= 1, `${h} h`);

  // Visitors cannot ask for one.
  const visitor = await app.fetch(`/api/videos/${prv.id}/playback`, {
    method: "POST",
  });
  assert.equal(visitor.status, 401);

  const { signer } = app.web.deps;
  const [exp, mac] = grant.token.split(".");
  const flipped = mac[0] === "A" ? `B${mac.slice(1)}` : `A${mac.slice(1)}`;
  const cases: [string, string, RegExp][] = [
    ["tampered mac", `${exp}.${flipped}`, /not valid/],
    ["tampered expiry", `${Number(exp) + 3600}.${mac}`, /not valid/],
    ["garbage", "nonsense", /not valid/],
    ["other video's token", signer.issue(pub.id, 600).token, /not valid/],
    [
      "expired",
      signer.sign(prv.id, Math.floor(Date.now() / 1000) - 5),
      /expired/,
    ],
  ];
  for (const [name, token, message] of cases) {
    const r = await app.fetch(`/stream/${prv.id}/t/${token}/master.m3u8`);
    assert.equal(r.status, 403, name);
    const text = await r.text();
    assert.match(text, message, name);
    assert.ok(!text.includes("#EXTM3U"), name);
    const embed = await app.fetch(
      `/embed/${prv.id}?token=${encodeURIComponent(token)}`,
    );
    assert.equal(embed.status, 403, `embed: ${name}`);
    assert.ok(!(await embed.text()).includes(prv.title), `embed: ${name}`);
  }

  // Out-of-range TTLs: 400, nothing issued.
  for (const ttlSec of [59, 86_401, 1.5, "600"]) {
    const r = await app.fetch(`/api/videos/${prv.id}/playback`, {
      method: "POST",
      headers: OWNER,
      body: JSON.stringify({ ttlSec }),
    });
    assert.equal(r.status, 400, String(ttlSec));
    assert.match((await r.json()).error.message, /60 to 86400/);
  }
});

Deno.test("visibility - SSE: visitors' library stream carries public videos only; turning private ends a visitor's video stream", async () => {
  const { app, pub, unl, prv } = await library();
  await using _ = app;
  const visitorLib = sse(await app.fetch("/api/events"), 2500);
  const ownerLib = sse(
    await app.fetch("/api/events", { headers: OWNER }),
    2500,
  );
  assert.equal((await app.fetch(`/api/videos/${prv.id}/events`)).status, 404);
  await new Promise((r) => setTimeout(r, 300));
  for (const v of [pub, unl, prv]) {
    const r = await app.fetch(`/api/videos/${v.id}`, {
      method: "PATCH",
      headers: OWNER,
      body: JSON.stringify({ title: `${v.title} renamed` }),
    });
    assert.equal(r.status, 200);
  }
  // The public one turns unlisted: the visitor's library hears it as gone.
  await app.fetch(`/api/videos/${pub.id}`, {
    method: "PATCH",
    headers: OWNER,
    body: JSON.stringify({ visibility: "unlisted" }),
  });
  await app.fetch(`/api/videos/${unl.id}`, {
    method: "PATCH",
    headers: OWNER,
    body: JSON.stringify({ visibility: "private" }),
  });
  const visitor = await visitorLib;
  assert.ok(visitor.includes(`${pub.title} renamed`));
  assert.ok(!visitor.includes(unl.id), "unlisted id leaked to visitors");
  assert.ok(!visitor.includes(prv.id), "private id leaked to visitors");
  assert.ok(!visitor.includes(prv.title));
  assert.match(
    visitor,
    new RegExp(`event: deleted\\ndata: \\{"id":"${pub.id}"\\}`),
  );
  const owner = await ownerLib;
  for (const v of [pub, unl, prv]) {
    assert.ok(owner.includes(`${v.title} renamed`));
  }
  assert.ok(owner.includes("/t/"), "owner's private video has signed URLs");
});

Deno.test("visibility - a visitor's stream of a processing video ends as deleted when it turns private", async () => {
  let release!: () => void;
  const hold = new Promise<void>((r) => release = r);
  await using app = await inProcessApp({
    env: { API_TOKEN: TOKEN },
    transcode: fakeTranscode({ hold }),
  });
  const v = await (await upload(app, "Work in progress", "unlisted"))
    .json() as Video;
  const events = sse(await app.fetch(`/api/videos/${v.id}/events`), 3000);
  await new Promise((r) => setTimeout(r, 300));
  await app.fetch(`/api/videos/${v.id}`, {
    method: "PATCH",
    headers: OWNER,
    body: JSON.stringify({ title: "Still unlisted" }),
  });
  await new Promise((r) => setTimeout(r, 300));
  await app.fetch(`/api/videos/${v.id}`, {
    method: "PATCH",
    headers: OWNER,
    body: JSON.stringify({ visibility: "private", title: "Secret now" }),
  });
  const text = await events;
  release();
  assert.ok(text.includes("Still unlisted"));
  assert.match(text, new RegExp(`event: deleted\\ndata: \\{"id":"${v.id}"\\}`));
  assert.ok(!text.includes("Secret now"), "the private change leaked");
  assert.ok(!text.includes('"visibility":"private"'));
});

Deno.test("visibility - pages: private is 404 to visitors; unlisted is noindex; public has link previews and oEmbed", async () => {
  const { app, pub, unl, prv } = await library();
  await using _ = app;
  const hidden = await app.fetch(`/player/${prv.id}`);
  assert.equal(hidden.status, 404);
  assert.ok(!(await hidden.text()).includes(prv.title));
  const ownerPage =
    await (await app.fetch(`/player/${prv.id}`, { headers: OWNER })).text();
  assert.ok(ownerPage.includes(prv.title));
  assert.match(ownerPage, /<meta name="robots"\s+content="noindex, nofollow"/);
  assert.ok(!ownerPage.includes("og:"), "no preview tags for a private video");

  const unlisted = await (await app.fetch(`/player/${unl.id}`)).text();
  assert.match(unlisted, /<meta name="robots"\s+content="noindex, nofollow"/);
  const page = await (await app.fetch(`/player/${pub.id}`)).text();
  assert.ok(!page.includes('name="robots"'));
  assert.match(page, /<meta\s+property="og:title" content="The public one"/);
  assert.match(
    page,
    new RegExp(
      `<meta\\s+property="og:video" content="http://reel.test/embed/${pub.id}"`,
    ),
  );
  assert.match(page, /<meta name="twitter:card"\s+content="player"/);
  const link =
    /<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/
      .exec(page);
  assert.ok(link, "oEmbed discovery link");
  const discovered = await app.fetch(link[1].replaceAll("&amp;", "&"));
  assert.equal(discovered.status, 200);
  const o = await discovered.json();
  assert.equal(o.type, "video");
  assert.equal(o.version, "1.0");
  assert.equal(o.title, pub.title);
  assert.match(
    o.html,
    new RegExp(`<iframe src="http://reel.test/embed/${pub.id}"`),
  );
  assert.ok(o.width > 0 && o.height > 0);
  assert.match(o.thumbnail_url, /poster\.jpg$/);

  const oembed = (url: string, extra = "") =>
    app.fetch(`/oembed?url=${encodeURIComponent(url)}${extra}`);
  assert.equal((await oembed(`http://reel.test/player/${unl.id}`)).status, 200);
  const sized =
    await (await oembed(`http://reel.test/embed/${pub.id}`, "&maxwidth=320"))
      .json();
  assert.equal(sized.width, 320);
  const priv = await oembed(`http://reel.test/player/${prv.id}`);
  assert.equal(priv.status, 404);
  assert.ok(!(await priv.text()).includes(prv.title));
  assert.equal(
    (await oembed(`https://elsewhere.example/player/${pub.id}`)).status,
    404,
  );
  assert.equal(
    (await oembed(`http://reel.test/player/${pub.id}`, "&format=xml")).status,
    501,
  );
  assert.equal((await app.fetch("/oembed")).status, 400);
  assert.equal(
    (await oembed(`http://reel.test/player/${pub.id}`, "&maxwidth=9")).status,
    400,
  );
  // A private video's signed embed link answers, and keeps its token in the iframe.
  const grant = app.web.deps.signer.issue(prv.id, 600);
  const signed = await oembed(
    `http://reel.test/embed/${prv.id}?token=${grant.token}`,
  );
  assert.equal(signed.status, 200);
  assert.ok((await signed.json()).html.includes(`token=${grant.token}`));
});

Deno.test("visibility - embeds: framable from EMBED_ORIGINS only; other pages never; private needs a token", async () => {
  const { app, pub, prv } = await library({
    EMBED_ORIGINS: "http://blog.example:8080, https://example.org",
  });
  await using _ = app;
  const embed = await app.fetch(`/embed/${pub.id}?t=30`);
  assert.equal(embed.status, 200);
  const csp = embed.headers.get("content-security-policy")!;
  assert.match(
    csp,
    /frame-ancestors http:\/\/blog\.example:8080 https:\/\/example\.org/,
  );
  assert.equal(embed.headers.get("x-frame-options"), null);
  const html = await embed.text();
  assert.ok(!html.includes("site-header"), "no site chrome");
  assert.equal(islandProp(html, "startAt"), 30);
  const player = await app.fetch(`/player/${pub.id}`);
  assert.match(
    player.headers.get("content-security-policy")!,
    /frame-ancestors 'none'/,
  );
  assert.equal(player.headers.get("x-frame-options"), "DENY");
  await player.body?.cancel();

  const noToken = await app.fetch(`/embed/${prv.id}`);
  assert.equal(noToken.status, 404);
  assert.ok(!(await noToken.text()).includes(prv.title));
  const grant = app.web.deps.signer.issue(prv.id, 600);
  const ok = await app.fetch(`/embed/${prv.id}?token=${grant.token}`);
  assert.equal(ok.status, 200);
  assert.ok((await ok.text()).includes(`/t/${grant.token}/master.m3u8`));
});

Deno.test("visibility - bad values: 400 naming the allowed values, nothing changed or kept", async () => {
  await using app = await inProcessApp({
    env: { API_TOKEN: TOKEN },
    transcode: fakeTranscode(),
  });
  const bad = await upload(app, "Bogus", "secret");
  assert.equal(bad.status, 400);
  assert.match(
    (await bad.json()).error.message,
    /visibility "secret" is not valid: use one of public, unlisted, private/,
  );
  assert.deepEqual(
    await listFiles(app.dataDir).then((f) =>
      f.filter((x) => !x.endsWith(".key") && !x.startsWith("app.db"))
    ),
    [],
  );

  // tus: refused at creation, before any byte.
  const tus = await app.fetch("/api/uploads", {
    method: "POST",
    headers: {
      ...OWNER,
      "tus-resumable": "1.0.0",
      "upload-length": "1000",
      "upload-metadata": `filename ${b64("a.mp4")},visibility ${
        b64("everyone")
      }`,
    },
  });
  assert.equal(tus.status, 400);
  assert.match((await tus.json()).error.message, /public, unlisted, private/);

  const v = await (await upload(app, "Kept", "unlisted")).json() as Video;
  for (
    const body of [{ visibility: "hidden" }, { visibility: 1 }, {
      title: "ok",
      visibility: "nope",
    }, {}]
  ) {
    const r = await app.fetch(`/api/videos/${v.id}`, {
      method: "PATCH",
      headers: OWNER,
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 400, JSON.stringify(body));
  }
  const after =
    await (await app.fetch(`/api/videos/${v.id}`, { headers: OWNER })).json();
  assert.equal(after.visibility, "unlisted");
  assert.equal(after.title, "Kept");
  // A visitor may not change it.
  const r = await app.fetch(`/api/videos/${v.id}`, {
    method: "PATCH",
    body: JSON.stringify({ visibility: "public" }),
  });
  assert.equal(r.status, 401);
});

Deno.test("visibility - tus metadata sets it; the signing key survives a restart", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const env = { API_TOKEN: TOKEN, DATA_DIR: dataDir };
    let token: string;
    let id: string;
    {
      await using app = await inProcessApp({ env, transcode: fakeTranscode() });
      const data = await clipBytes();
      const created = await app.fetch("/api/uploads", {
        method: "POST",
        headers: {
          ...OWNER,
          "tus-resumable": "1.0.0",
          "upload-length": String(data.length),
          "upload-metadata": `filename ${b64("clip.mp4")},visibility ${
            b64("private")
          }`,
        },
      });
      assert.equal(created.status, 201);
      const done = await app.fetch(created.headers.get("location")!, {
        method: "PATCH",
        headers: {
          ...OWNER,
          "tus-resumable": "1.0.0",
          "upload-offset": "0",
          "content-type": "application/offset+octet-stream",
        },
        body: data,
      });
      assert.equal(done.status, 204);
      id = done.headers.get("x-video-id")!;
      const v = await ready(app, id);
      assert.equal(v.visibility, "private");
      token = app.web.deps.signer.issue(id, 600).token;
      assert.equal(
        (await app.fetch(`/stream/${id}/t/${token}/master.m3u8`)).status,
        200,
      );
    }
    await using again = await inProcessApp({ env, transcode: fakeTranscode() });
    assert.equal(
      (await again.fetch(`/stream/${id}/t/${token}/master.m3u8`)).status,
      200,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});

Deno.test("config - EMBED_ORIGINS takes * or origins, and names a bad entry", () => {
  assert.deepEqual(loadConfig({}).embedOrigins, ["*"]);
  assert.deepEqual(
    loadConfig({ EMBED_ORIGINS: "https://a.example, http://b.example:8080/" })
      .embedOrigins,
    ["https://a.example", "http://b.example:8080"],
  );
  assert.throws(
    () => loadConfig({ EMBED_ORIGINS: "https://a.example/blog" }),
    /^Error: EMBED_ORIGINS entry "https:\/\/a.example\/blog" is not an origin/,
  );
  assert.throws(
    () => loadConfig({ EMBED_ORIGINS: "a.example" }),
    /EMBED_ORIGINS entry "a.example" is not an origin/,
  );
});

Deno.test("visibility - a private video's captions: listed and served only to the owner, under its token", async () => {
  const { app, prv } = await library();
  await using _ = app;
  const { body, contentType } = formBody([
    { name: "lang", value: "en" },
    {
      name: "file",
      filename: "en.vtt",
      data: new TextEncoder().encode(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nSecret words\n",
      ),
      type: "text/vtt",
    },
  ]);
  const added = await app.fetch(`/api/videos/${prv.id}/captions`, {
    method: "POST",
    body,
    headers: { "content-type": contentType, ...OWNER },
  });
  assert.equal(added.status, 201);
  const caption = await added.json();
  assert.match(
    caption.url,
    new RegExp(`/stream/${prv.id}/t/[^/]+/captions/en\\.vtt$`),
  );
  assert.equal((await app.fetch(caption.url)).status, 200);
  assert.equal((await app.fetch(`/api/videos/${prv.id}/captions`)).status, 404);
  for (const file of ["captions/en.vtt", "captions/en.m3u8"]) {
    const r = await app.fetch(`/stream/${prv.id}/${file}`);
    assert.equal(r.status, 404, file);
    assert.ok(!(await r.text()).includes("Secret words"));
  }
  // The signed master names the captions with relative URIs (they inherit the token).
  const owner =
    await (await app.fetch(`/api/videos/${prv.id}`, { headers: OWNER }))
      .json() as Video & { captions: { url: string }[] };
  assert.equal(owner.captions[0].url, caption.url);
  const master = await (await app.fetch(owner.hlsUrl!)).text();
  assert.match(master, /TYPE=SUBTITLES/);
  assert.ok(
    !master.includes("/stream/"),
    "absolute caption URIs would drop the token",
  );
});
