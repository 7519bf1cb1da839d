/// <reference lib="dom" />
/**
 * The browser {@link Transport} of the tus client: XMLHttpRequest, because `fetch` cannot
 * report upload progress.
 */
import { NetworkError, type Transport } from "./tus_client.ts";

/** Sends a tus request with XMLHttpRequest (same-origin, cookies included). */
export const xhrTransport: Transport = (req) =>
  new Promise((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(new DOMException("The upload was stopped.", "AbortError"));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open(req.method, req.url);
    for (const [name, value] of Object.entries(req.headers)) {
      xhr.setRequestHeader(name, value);
    }
    const onAbort = () => xhr.abort();
    req.signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => req.signal?.removeEventListener("abort", onAbort);
    if (req.onUploadProgress) {
      const report = req.onUploadProgress;
      xhr.upload.onprogress = (e) => report(e.loaded);
    }
    xhr.onload = () => {
      done();
      resolve({
        status: xhr.status,
        header: (name) => xhr.getResponseHeader(name),
        text: xhr.responseText,
      });
    };
    xhr.onerror = xhr.ontimeout = () => {
      done();
      reject(new NetworkError());
    };
    xhr.onabort = () => {
      done();
      reject(new DOMException("The upload was stopped.", "AbortError"));
    };
    xhr.send(req.body ?? null);
  });
