import { define } from "../../lib/define.ts";
import { ApiError } from "../../lib/http/errors.ts";

/** Unknown API paths answer JSON, not the HTML 404 page. */
export const handler = define.handlers(() => {
  throw new ApiError("not_found", "There is no API endpoint at this path.");
});
