/** The blob contract on the local-disk backend (a temp folder per test). */
import { LocalBlobStore } from "../../lib/storage/local/local_store.ts";
import { blobContract } from "./contract.ts";

blobContract("local", async () => {
  const root = await Deno.makeTempDir({ prefix: "reel-blobs-local-" });
  return {
    blobs: new LocalBlobStore(root),
    close: () => Deno.remove(root, { recursive: true }),
  };
});
