/**
 * Dropping files anywhere on the page: reports whether files are being dragged over the
 * window and hands dropped files to a callback. Without it the browser would open a file
 * dropped outside the dropzone and leave the page.
 */
import { useEffect, useRef, useState } from "preact/hooks";

/** Listens while mounted; returns true while files are dragged over the window. */
export function useWindowFileDrop(onFiles: (files: File[]) => void): boolean {
  const [dragging, setDragging] = useState(false);
  const callback = useRef(onFiles);
  callback.current = onFiles;

  useEffect(() => {
    const hasFiles = (e: DragEvent) =>
      !!e.dataTransfer?.types.includes("Files");
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
      setDragging(true);
    };
    // relatedTarget is null only when the pointer leaves the window.
    const leave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(false);
      callback.current([...e.dataTransfer!.files]);
    };
    globalThis.addEventListener("dragover", over);
    globalThis.addEventListener("dragleave", leave);
    globalThis.addEventListener("drop", drop);
    return () => {
      globalThis.removeEventListener("dragover", over);
      globalThis.removeEventListener("dragleave", leave);
      globalThis.removeEventListener("drop", drop);
    };
  }, []);

  return dragging;
}
