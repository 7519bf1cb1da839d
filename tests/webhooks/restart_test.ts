/// The real server (narrow permissions, no -A): a receiver that is down while the server is
/// killed with -9 and started again still gets the event, once, signed.
import assert from "node:assert/strict";
import { startServer } from "../../lib/cli/spawn_server.ts";
import { makeClip } from "../media/_clips.ts";
import { until } from "../app/_app.ts";
import { freePort, startReceiver } from "./_receiver.ts";

const env = {
  WEBHOOK_ALLOW_PRIVATE: "true",
  WEBHOOK_RETRY_BASE_SEC: "0.5",
  TRANSCODE_CONCURRENCY: "0",
};

Deno.test("webhooks - kill -9 while the receiver is down: delivered after the restart", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "reel-hooks-kill-" });
  const port = freePort();
  try {
    const clip = await makeClip(dataDir, { seconds: 1, name: "c.mp4" });
    let hook: { id: string; secret: string };
    let videoId: string;
    {
      const s = await startServer({ dataDir, env });
      const res = await fetch(`${s.url}/api/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          url: `http://127.0.0.1:${port}/ok`,
          events: ["video.created"],
        }),
      });
      assert.equal(res.status, 201);
      hook = await res.json();
      const fd = new FormData();
      fd.append("file", new Blob([await Deno.readFile(clip)]), "c.mp4");
      const up = await fetch(`${s.url}/api/videos`, {
        method: "POST",
        body: fd,
      });
      assert.equal(up.status, 202);
      videoId = (await up.json()).id;
      await until(async () => {
        const r = await fetch(`${s.url}/api/webhooks/${hook.id}/deliveries`);
        return (await r.json()).deliveries.length >= 1;
      });
      await s.kill9();
    }
    await using rx = await startReceiver(port);
    rx.secrets.set("/ok", hook.secret);
    await using s2 = await startServer({ dataDir, env });
    await until(() => rx.got.length > 0, 20_000);
    assert.equal(rx.got[0].body.type, "video.created");
    assert.equal(rx.got[0].body.data.id, videoId);
    assert.ok(rx.got[0].libraryVerified && rx.got[0].hmacVerified);
    // The attempt is logged once the receiver's answer is in.
    const log = await until(async () => {
      const l = (await (await fetch(
        `${s2.url}/api/webhooks/${hook.id}/deliveries`,
      )).json()).deliveries;
      return l[0]?.ok && l;
    });
    assert.ok(log.slice(1).every((d: { ok: boolean }) => !d.ok));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(rx.got.length, 1, "once");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
