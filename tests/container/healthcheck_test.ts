import assert from "node:assert/strict";
import { healthUrl, isHealthy } from "../../lib/cli/healthcheck.ts";

Deno.test("healthcheck - asks 127.0.0.1 on PORT, 8000 by default", () => {
  assert.equal(healthUrl(undefined), "http://127.0.0.1:8000/healthz");
  assert.equal(healthUrl(" 8080 "), "http://127.0.0.1:8080/healthz");
  assert.throws(() => healthUrl("http"), /PORT=http/);
});

Deno.test("healthcheck - healthy only on a 200", async () => {
  let status = 200;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("{}", { status }),
  );
  const url = `http://127.0.0.1:${server.addr.port}/healthz`;
  assert.equal(await isHealthy(url), true);
  status = 503;
  assert.equal(await isHealthy(url), false);
  await server.shutdown();
  assert.equal(await isHealthy(url), false);
});
