/** The store contract against the embedded SQLite backend, one temp directory per case. */
import { openSqliteStores } from "../../lib/store/sqlite/mod.ts";
import { storeContract } from "./contract.ts";

storeContract("sqlite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "store-contract-" });
  const stores = openSqliteStores(dir);
  return {
    stores,
    reopen: () => Promise.resolve(openSqliteStores(dir)),
    async close() {
      await stores.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});
