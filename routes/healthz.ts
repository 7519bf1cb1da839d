import { define } from "../lib/define.ts";
import { health } from "../lib/health.ts";
import { json } from "../lib/http/json.ts";
import { services } from "../lib/services.ts";

export const handler = define.handlers({
  /** Liveness: always 200 while serving. */
  async GET() {
    return json(await health(services()));
  },
});
