import { define, type HeadTag, type PageHead } from "../lib/api/mod.ts";

function Tag({ tag }: { tag: HeadTag }) {
  return tag.kind === "meta"
    ? <meta name={tag.name} property={tag.property} content={tag.content} />
    : <link rel={tag.rel} type={tag.type} href={tag.href} title={tag.title} />;
}

/** The HTML shell of every page; `bare` pages (the embed player) get no site chrome. */
export default define.layout(function App({ Component, data, state }) {
  const page = (data ?? {}) as PageHead;
  const title = typeof page.title === "string"
    ? `${page.title} · Reel`
    : "Reel — self-hosted video";
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{title}</title>
        {page.head?.map((tag, i) => <Tag key={i} tag={tag} />)}
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/styles.css" />
      </head>
      {page.bare
        ? (
          <body class="embed">
            <Component />
          </body>
        )
        : (
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
        )}
    </html>
  );
});
