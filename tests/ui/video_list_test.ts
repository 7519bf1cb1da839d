import assert from "node:assert/strict";
import type { Video } from "../../lib/api/present.ts";
import {
  appendPage,
  removeVideo,
  upsertVideo,
} from "../../lib/ui/video_list.ts";

function video(id: string, createdAt: string, title = id): Video {
  return {
    id,
    title,
    visibility: "public",
    status: "queued",
    playable: false,
    progress: 0,
    error: null,
    createdAt,
    sourceName: `${id}.mp4`,
    sizeBytes: 1,
    durationSec: null,
    width: null,
    height: null,
    renditions: [],
    captions: [],
    hlsUrl: null,
    dashUrl: null,
    posterUrl: null,
    thumbnailsUrl: null,
    audioTracks: [],
    playerUrl: `/player/${id}`,
    embedUrl: `/embed/${id}`,
  };
}

const a = video("a", "2026-01-03T00:00:00Z");
const b = video("b", "2026-01-02T00:00:00Z");
const c = video("c", "2026-01-01T00:00:00Z");

Deno.test("video list - new videos go first, changes replace in place", () => {
  let list = upsertVideo([b, c], a);
  assert.deepEqual(list.map((v) => v.id), ["a", "b", "c"]);
  list = upsertVideo(list, { ...b, title: "renamed" });
  assert.deepEqual(list.map((v) => v.title), ["a", "renamed", "c"]);
});

Deno.test("video list - an older video is left to 'Load more' while pages remain", () => {
  assert.deepEqual(upsertVideo([a, b], c, false).map((v) => v.id), ["a", "b"]);
  assert.deepEqual(upsertVideo([a, b], c, true).map((v) => v.id), [
    "a",
    "b",
    "c",
  ]);
});

Deno.test("video list - pages append without duplicates; removal by id", () => {
  assert.deepEqual(appendPage([a, b], [b, c]).map((v) => v.id), [
    "a",
    "b",
    "c",
  ]);
  assert.deepEqual(removeVideo([a, b, c], "b").map((v) => v.id), ["a", "c"]);
});
