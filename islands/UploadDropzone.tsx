/**
 * The upload dropzone: drag and drop or Browse, a queue of files each with its own progress
 * (percent, bytes, speed, time left) over resumable tus uploads, pause/cancel per file, the
 * API's error next to the file, then live processing progress and a Play link.
 */
import type { VNode } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Signal } from "@preact/signals";
import type { Video } from "../lib/api/present.ts";
import { Icon } from "../components/Icons.tsx";
import { useWindowFileDrop } from "../components/file_drop.ts";
import { UploadRow } from "../components/UploadRow.tsx";
import { ApiFailure, apiFetch } from "../lib/ui/api_error.ts";
import { formatBytes } from "../lib/ui/format.ts";
import { subscribeLibrary, watchVideo } from "../lib/ui/live.ts";
import { TransferRate } from "../lib/ui/transfer_rate.ts";
import { TusUpload } from "../lib/ui/tus_client.ts";
import {
  fingerprint,
  forgetUpload,
  type StorageLike,
  storedUploads,
} from "../lib/ui/tus_storage.ts";
import type { UploadItem } from "../lib/ui/upload_item.ts";
import { xhrTransport } from "../lib/ui/xhr_transport.ts";

/** Props of the dropzone island. */
export interface UploadDropzoneProps {
  /** The server's upload limit, shown as a hint. */
  maxUploadBytes: number;
  /** Accepted file extensions without dots (the server's list), for the file picker. */
  extensions: readonly string[];
  /** Receives each video created here, so the library shows it at once. */
  recent?: Signal<Video[]>;
  /** tus creation endpoint (default `/api/uploads`). */
  endpoint?: string;
}

/** Files uploaded at the same time; the rest wait their turn. */
const PARALLEL = 1;
/** Progress repaints at most this often (ms). */
const REPAINT_MS = 150;

/** The live upload behind a row; kept across pauses. */
interface Task {
  upload: TusUpload;
  rate: TransferRate;
  lastPaint: number;
  state: "running" | "paused" | "canceled" | "idle";
}

function storage(): StorageLike | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function newItem(
  fields:
    & Pick<UploadItem, "fingerprint" | "name" | "size" | "file" | "phase">
    & Partial<UploadItem>,
): UploadItem {
  return {
    key: `u${nextKey++}`,
    sent: 0,
    speed: 0,
    secondsLeft: NaN,
    retryAt: null,
    error: null,
    videoId: null,
    video: null,
    ...fields,
  };
}

let nextKey = 0;

/** The dropzone island. */
export default function UploadDropzone(props: UploadDropzoneProps): VNode {
  const endpoint = props.endpoint ?? "/api/uploads";
  const [items, setItems] = useState<UploadItem[]>([]);
  const inputRef = useRef<HTMLInputElement>(null);
  const tasks = useRef(new Map<string, Task>());
  const watchers = useRef(new Map<string, () => void>());
  // The latest items, for callbacks created earlier (uploads, event streams).
  const itemsRef = useRef(items);

  const commit = (next: UploadItem[]) => {
    itemsRef.current = next;
    setItems(next);
  };
  const patch = (key: string, change: Partial<UploadItem>) => {
    commit(
      itemsRef.current.map((it) => it.key === key ? { ...it, ...change } : it),
    );
  };
  const removeItem = (key: string) => {
    watchers.current.get(key)?.();
    watchers.current.delete(key);
    tasks.current.delete(key);
    commit(itemsRef.current.filter((it) => it.key !== key));
  };

  const showVideo = (key: string, video: Video) => {
    patch(key, {
      video,
      phase: video.status === "ready"
        ? "ready"
        : video.status === "failed"
        ? "failed"
        : "processing",
    });
  };

  /** After the upload: show the video's processing live, and hand it to the library. */
  const follow = (key: string, id: string) => {
    apiFetch<Video>(`/api/videos/${encodeURIComponent(id)}`).then((v) => {
      if (props.recent) props.recent.value = [...props.recent.value, v];
      const item = itemsRef.current.find((it) => it.key === key);
      if (item && !item.video) showVideo(key, v);
    }).catch(() => {});
    watchers.current.set(
      key,
      watchVideo(id, {
        onVideo: (v) => showVideo(key, v),
        onDeleted: () => removeItem(key),
      }),
    );
  };

  const taskFor = (key: string, file: File): Task => {
    const existing = tasks.current.get(key);
    if (existing) return existing;
    const task: Task = {
      rate: new TransferRate(),
      lastPaint: 0,
      state: "idle",
      upload: new TusUpload(file, {
        endpoint,
        metadata: { filename: file.name },
        transport: xhrTransport,
        storage: storage(),
        onProgress: (sent, total) => {
          const now = performance.now();
          task.rate.add(sent, now);
          if (now - task.lastPaint < REPAINT_MS && sent < total) return;
          task.lastPaint = now;
          patch(key, {
            sent,
            speed: task.rate.bytesPerSecond,
            secondsLeft: task.rate.secondsLeft(total - sent),
          });
        },
        onPhase: (phase, detail) => {
          if (task.state !== "running") return;
          patch(key, {
            phase,
            retryAt: detail?.retryInMs ? Date.now() + detail.retryInMs : null,
          });
        },
      }),
    };
    tasks.current.set(key, task);
    return task;
  };

  const start = (key: string, file: File) => {
    const task = taskFor(key, file);
    task.state = "running";
    task.rate.reset();
    patch(key, { phase: "creating", error: null });
    task.upload.start().then(({ videoId }) => {
      task.state = "idle";
      patch(key, { phase: "processing", sent: file.size, videoId });
      if (videoId) follow(key, videoId);
    }, (err: Error) => {
      const was = task.state;
      task.state = "idle";
      if (was === "canceled") return;
      if (was === "paused") {
        patch(key, { phase: "paused" });
        return;
      }
      const retryable = !(err instanceof ApiFailure) || err.status === 0 ||
        err.status >= 500;
      patch(key, { phase: "error", error: err.message, retryable });
    }).finally(pump);
  };

  /** Starts waiting files while fewer than PARALLEL run. */
  const pump = () => {
    let free = PARALLEL -
      [...tasks.current.values()].filter((t) => t.state === "running").length;
    for (const item of itemsRef.current) {
      if (free <= 0) break;
      if (item.phase === "waiting" && item.file) {
        free--;
        start(item.key, item.file);
      }
    }
  };

  const addFiles = (files: Iterable<File>) => {
    let list = itemsRef.current;
    for (const file of files) {
      const id = fingerprint(file);
      const same = list.find((it) => it.fingerprint === id);
      if (same) {
        // The same file again: an interrupted upload resumes; a live row is left alone.
        if (
          same.phase === "interrupted" ||
          (same.phase === "error" && same.retryable)
        ) {
          list = list.map((it) =>
            it === same ? { ...it, file, phase: "waiting", error: null } : it
          );
        }
        continue;
      }
      list = [
        ...list,
        newItem({
          fingerprint: id,
          name: file.name,
          size: file.size,
          file,
          phase: "waiting",
        }),
      ];
    }
    commit(list);
    pump();
  };

  const dragging = useWindowFileDrop(addFiles);

  const cancel = (item: UploadItem) => {
    const task = tasks.current.get(item.key);
    if (task) {
      task.state = "canceled";
      task.upload.abort();
    } else if (item.phase === "interrupted") {
      const s = storage();
      if (s) {
        forgetUpload(s, {
          name: item.name,
          size: item.size,
          lastModified: item.lastModified ?? 0,
        });
      }
      if (item.storedUrl) {
        xhrTransport({
          method: "DELETE",
          url: item.storedUrl,
          headers: { "Tus-Resumable": "1.0.0" },
        }).catch(() => {});
      }
    }
    removeItem(item.key);
    pump();
  };

  const pause = (item: UploadItem) => {
    const task = tasks.current.get(item.key);
    if (task?.state !== "running") return;
    task.state = "paused";
    task.upload.pause();
  };

  const resume = (item: UploadItem) => {
    if (!item.file) return;
    patch(item.key, { phase: "waiting", error: null });
    pump();
  };

  useEffect(() => {
    // Uploads interrupted by a reload: they resume when the same file is chosen again.
    const s = storage();
    const stored = s
      ? storedUploads(s).map((u) =>
        newItem({
          fingerprint: fingerprint(u),
          name: u.name,
          size: u.size,
          lastModified: u.lastModified,
          storedUrl: u.url,
          file: null,
          phase: "interrupted",
          sent: u.offset,
        })
      )
      : [];
    if (stored.length) commit([...stored, ...itemsRef.current]);
    // Ask the server how far each got (the remembered offset lags by up to a chunk); drop
    // the ones it no longer has.
    for (const item of stored) {
      xhrTransport({
        method: "HEAD",
        url: item.storedUrl!,
        headers: { "Tus-Resumable": "1.0.0" },
      }).then((res) => {
        const offset = Number(res.header("Upload-Offset"));
        const current = itemsRef.current.find((it) => it.key === item.key);
        if (current?.phase !== "interrupted") return;
        if (res.status === 404 || res.status === 410) {
          if (s) {
            forgetUpload(s, { ...item, lastModified: item.lastModified ?? 0 });
          }
          removeItem(item.key);
        } else if (res.status < 300 && Number.isInteger(offset)) {
          patch(item.key, { sent: Math.min(offset, item.size) });
        }
      }).catch(() => {});
    }

    // Processing rows also follow the library stream (per-video streams are capped).
    const offLibrary = subscribeLibrary({
      onVideo: (v) => {
        const item = itemsRef.current.find((it) => it.videoId === v.id);
        if (item) showVideo(item.key, v);
      },
      onDeleted: (id) => {
        const item = itemsRef.current.find((it) => it.videoId === id);
        if (item) removeItem(item.key);
      },
    });
    const online = () => {
      for (const t of tasks.current.values()) t.upload.retryNow();
    };
    globalThis.addEventListener("online", online);
    return () => {
      offLibrary();
      globalThis.removeEventListener("online", online);
      for (const stop of watchers.current.values()) stop();
    };
  }, []);

  const finished = items.filter((it) =>
    it.phase === "ready" || it.phase === "failed" || it.phase === "error"
  );

  return (
    <section class="uploader" aria-labelledby="upload-heading">
      <div class={`dropzone${dragging ? " is-dragging" : ""}`}>
        <span class="dropzone-icon">
          <Icon name="upload" size={30} />
        </span>
        <h2 id="upload-heading" class="dropzone-title">
          <span class="when-pointer">Drag and drop videos here</span>
          <span class="when-touch">Upload videos</span>
        </h2>
        <p class="muted dropzone-hint">
          MP4, MOV, MKV, WebM, AVI, WMV or FLV, up to{" "}
          {formatBytes(props.maxUploadBytes)}{" "}
          each. Uploads pick up where they stopped if the connection drops.
        </p>
        <input
          ref={inputRef}
          id="file-input"
          class="file-input"
          type="file"
          multiple
          accept={["video/*", ...props.extensions.map((e) => `.${e}`)].join(
            ",",
          )}
          onChange={(e) => {
            const input = e.currentTarget;
            if (input.files?.length) addFiles([...input.files]);
            input.value = "";
          }}
        />
        <label for="file-input" class="button primary">
          <Icon name="upload" size={18} /> Browse files
        </label>
      </div>
      {items.length > 0 && (
        <div class="upload-queue">
          <div class="section-head">
            <h3>Uploads</h3>
            {finished.length > 0 && (
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  for (const it of finished) removeItem(it.key);
                }}
              >
                Clear finished
              </button>
            )}
          </div>
          <ul class="upload-list" aria-label="Uploads">
            {items.map((item) => (
              <UploadRow
                key={item.key}
                item={item}
                onCancel={() => cancel(item)}
                onPause={() => pause(item)}
                onResume={() => resume(item)}
                onChooseAgain={() => inputRef.current?.click()}
                onDismiss={() => removeItem(item.key)}
              />
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
