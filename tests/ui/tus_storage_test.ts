import assert from "node:assert/strict";
import {
  forgetUpload,
  loadUpload,
  saveUpload,
  type StorageLike,
  storedUploads,
} from "../../lib/ui/tus_storage.ts";

class MemoryStorage implements StorageLike {
  #map = new Map<string, string>();
  get length(): number {
    return this.#map.size;
  }
  key(i: number): string | null {
    return [...this.#map.keys()][i] ?? null;
  }
  getItem(k: string): string | null {
    return this.#map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.#map.set(k, v);
  }
  removeItem(k: string): void {
    this.#map.delete(k);
  }
}

const file = { name: "clip.mp4", size: 1000, lastModified: 5 };

Deno.test("tus storage - remembers by name, size and modification time", () => {
  const storage = new MemoryStorage();
  saveUpload(storage, file, "http://reel.test/api/uploads/a", 100, 1000);
  saveUpload(storage, file, "http://reel.test/api/uploads/a", 400, 2000);
  assert.deepEqual(loadUpload(storage, file), {
    ...file,
    url: "http://reel.test/api/uploads/a",
    offset: 400,
    createdAt: 1000,
  });
  assert.equal(loadUpload(storage, { ...file, lastModified: 6 }), null);
  forgetUpload(storage, file);
  assert.equal(loadUpload(storage, file), null);
});

Deno.test("tus storage - stale and corrupt remembered entries are dropped", () => {
  const storage = new MemoryStorage();
  storage.setItem("reel.tus::bad", "{not json");
  storage.setItem(
    "reel.tus::old",
    JSON.stringify({
      url: "x",
      name: "a",
      size: 1,
      lastModified: 1,
      createdAt: 0,
    }),
  );
  storage.setItem("unrelated", "1");
  assert.deepEqual(storedUploads(storage, 30 * 24 * 3600 * 1000), []);
  assert.equal(storage.length, 1);
});
