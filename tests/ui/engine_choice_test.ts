import assert from "node:assert/strict";
import { availableEngines, chooseEngine } from "../../lib/ui/engine_choice.ts";

Deno.test("engine choice - MSE browsers start with hls.js", () => {
  assert.equal(chooseEngine({ mse: true, nativeHls: false }, null), "hls");
});

Deno.test("engine choice - Chromium's 'maybe' for native HLS never picks native", () => {
  assert.equal(chooseEngine({ mse: true, nativeHls: true }, null), "hls");
  assert.equal(chooseEngine({ mse: true, nativeHls: true }, "native"), "hls");
  assert.deepEqual(availableEngines({ mse: true, nativeHls: true }), [
    "hls",
    "dash",
  ]);
});

Deno.test("engine choice - the remembered engine wins when available", () => {
  assert.equal(chooseEngine({ mse: true, nativeHls: false }, "dash"), "dash");
  assert.equal(chooseEngine({ mse: true, nativeHls: false }, "bogus"), "hls");
});

Deno.test("engine choice - native HLS only where MSE is missing (iOS Safari)", () => {
  assert.equal(chooseEngine({ mse: false, nativeHls: true }, "dash"), "native");
  assert.equal(chooseEngine({ mse: false, nativeHls: false }, null), null);
});
