import { define } from "../lib/api/mod.ts";

/** Shown when a page fails; never shows a stack trace. */
export default define.page(function ErrorPage() {
  return (
    <section class="message-page">
      <h1>Something went wrong</h1>
      <p>The server could not show this page. Please try again in a moment.</p>
      <p>
        <a class="button" href="/">Go to the library</a>
      </p>
    </section>
  );
});
