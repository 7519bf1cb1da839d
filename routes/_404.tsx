import { define } from "../lib/api/mod.ts";

/** Shown for unknown pages. */
export default define.page(function NotFound() {
  return (
    <section class="message-page">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. It may have been deleted or mistyped.
      </p>
      <p>
        <a class="button" href="/">Go to the library</a>
      </p>
    </section>
  );
});
