import { define } from "../lib/api/mod.ts";

/** The HTML shell of every page. */
export default define.layout(function App({ Component, data, state }) {
  const title = (data as { title?: unknown } | null)?.title;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>
          {typeof title === "string"
            ? `${title} · Reel`
            : "Reel — self-hosted video"}
        </title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/styles.css" />
      </head>
      <body>
        <header class="site-header">
          <a class="brand" href="/">
            <img src="/favicon.svg" alt="" width="28" height="28" />
            <span>Reel</span>
          </a>
          <nav aria-label="Main">
            <a href="/">Library</a>
            {state.web?.settings.apiToken != null && (
              <a href="/login">Sign in / out</a>
            )}
          </nav>
        </header>
        <main id="main" class="container">
          <Component />
        </main>
        <footer class="site-footer container">
          Self-hosted video · HLS and DASH
        </footer>
      </body>
    </html>
  );
});
