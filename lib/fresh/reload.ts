/**
 * Dev live reload: pages load `/_fresh/reload.js`, which listens on the SSE endpoint
 * `/_fresh/reload`. Each server process sends its own id; after a restart the
 * EventSource reconnects, sees a new id and reloads the page.
 */

const SERVER_ID = crypto.randomUUID();

const SCRIPT = `let id;
const es = new EventSource("/_fresh/reload");
es.onmessage = (e) => {
  if (id && id !== e.data) location.reload();
  id = e.data;
};
`;

/** The live-reload client script. */
export function reloadScriptResponse(): Response {
  return new Response(SCRIPT, {
    headers: {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}

/** An endless event stream that announces this server's id. */
export function reloadResponse(): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(
        new TextEncoder().encode(`retry: 300\ndata: ${SERVER_ID}\n\n`),
      );
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
    },
  });
}
