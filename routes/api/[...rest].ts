import { define, DomainError } from "../../lib/api/mod.ts";

/** Unknown API paths answer JSON, not the HTML 404 page. */
export const handler = define.handlers(() => {
  throw new DomainError("not_found", "There is no API endpoint at this path.");
});
