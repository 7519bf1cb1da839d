import {
  deepStrictEqual as assertEquals,
  ok as assert,
  strictEqual,
} from "node:assert/strict";
import { planThumbnails, thumbnailVtt } from "../../lib/media/mod.ts";

Deno.test("thumbnails - at most 100 tiles at a nice interval", () => {
  assertEquals(
    [5, 60, 100, 101, 600, 3600, 14400].map((d) =>
      planThumbnails(d, 1280, 720).intervalSec
    ),
    [1, 1, 1, 2, 10, 60, 180],
  );
  for (const d of [1, 99, 1000, 14400, 100_000]) {
    assert(planThumbnails(d, 1280, 720).count <= 100, String(d));
  }
});

Deno.test("thumbnails - tiles fit 160x160 with even sides", () => {
  const land = planThumbnails(10, 1280, 720);
  assertEquals([land.tileWidth, land.tileHeight], [160, 90]);
  const portrait = planThumbnails(10, 720, 1280);
  assertEquals([portrait.tileWidth, portrait.tileHeight], [90, 160]);
});

Deno.test("thumbnails - VTT cues walk the sprite grid and stop at the end", () => {
  const plan = planThumbnails(25.5, 1280, 720);
  assertEquals([plan.count, plan.columns, plan.rows], [26, 10, 3]);
  const vtt = thumbnailVtt(plan, 25.5);
  assert(
    vtt.startsWith(
      "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nthumbs.jpg#xywh=0,0,160,90\n",
    ),
  );
  assert(
    vtt.includes(
      "00:00:10.000 --> 00:00:11.000\nthumbs.jpg#xywh=0,90,160,90\n",
    ),
  );
  assert(
    vtt.includes(
      "00:00:25.000 --> 00:00:25.500\nthumbs.jpg#xywh=800,180,160,90\n",
    ),
  );
  strictEqual(vtt.match(/-->/g)?.length, 26);
});
