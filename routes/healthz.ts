import { define, health } from "../lib/api/mod.ts";
import { json } from "../lib/http/json.ts";

export const handler = define.handlers({
  /** Liveness: always 200 while serving. */
  async GET(ctx) {
    return json(await health(ctx.state.web.health));
  },
});
