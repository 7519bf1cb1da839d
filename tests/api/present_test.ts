import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { presentVideo } from "../../lib/api/present.ts";
import type { VideoRecord } from "../../lib/store/ports.ts";

function record(media: unknown): VideoRecord {
  return {
    seq: 1,
    id: "0b6c1c1e-54a6-4b8e-9a57-0d6f0c5a2f10",
    title: "Clip",
    status: "ready",
    playable: true,
    visibility: "public",
    captions: [],
    progress: 1,
    error: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    sourceName: "clip.mkv",
    sizeBytes: 1,
    durationSec: 6,
    width: 640,
    height: 360,
    renditions: [],
    media,
    rev: 1,
  };
}

const aac = { codec: "aac", profile: "LC", channels: 2, sampleRate: 48000 };

Deno.test("present - audioTracks lists every track of the stored probe", () => {
  const media = {
    audioStreams: [
      { ...aac, index: 1, language: "en", title: null, default: false },
      { ...aac, index: 2, language: "fr", title: "Commentary", default: true },
    ],
  };
  assertEquals(presentVideo(record(media)).audioTracks, [
    { index: 0, language: "en", label: "English", default: false },
    { index: 1, language: "fr", label: "Commentary", default: true },
  ]);
});

Deno.test("present - a probe stored before audio tracks, or none, still presents", () => {
  assertEquals(
    presentVideo(record({ audio: { ...aac, index: 1 } })).audioTracks,
    [
      { index: 0, language: null, label: "Track 1", default: true },
    ],
  );
  assertEquals(presentVideo(record({ audio: null })).audioTracks, []);
  assertEquals(presentVideo(record(null)).audioTracks, []);
});
