// Folding a stored document (snapshot + tail rows) into one compacted state is pure CPU work
// that grows with the document (1–30 ms, more for big ones): it runs on a worker thread so the
// event loop keeps relaying edits meanwhile. Falls back to folding inline if the worker fails.
import { Worker } from "node:worker_threads";
import { foldInline } from "../../app/models/ydocs.server";

// Plain JavaScript evaluated in the worker (no TypeScript loader there; works the same from the
// esbuild bundle, which has no separate worker file to point at).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
import(workerData.yjs).then((Y) => {
  parentPort.on("message", ({ id, parts }) => {
    try {
      const merged = parts.length === 1 ? parts[0] : Y.mergeUpdates(parts);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, merged);
      const state = Y.encodeStateAsUpdate(doc);
      doc.destroy();
      parentPort.postMessage({ id, state }, [state.buffer]);
    } catch (err) {
      parentPort.postMessage({ id, error: String(err && err.message || err) });
    }
  });
  parentPort.postMessage({ ready: true });
});
`;

interface Pending {
  resolve(state: Uint8Array): void;
  reject(err: Error): void;
}

class FoldWorker {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  async fold(parts: Uint8Array[]): Promise<Uint8Array> {
    const worker = this.broken ? null : this.start();
    if (!worker) return foldInline(parts);
    const id = this.nextId++;
    // Copies: the rows' buffers may be views into larger pooled buffers.
    const copies = parts.map((p) => p.slice());
    const result = new Promise<Uint8Array>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    worker.ref();
    worker.postMessage({ id, parts: copies }, copies.map((c) => c.buffer as ArrayBuffer));
    try {
      return await result;
    } catch {
      return foldInline(parts);
    }
  }

  private start(): Worker | null {
    if (this.worker) return this.worker;
    try {
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { yjs: import.meta.resolve("yjs") } });
      worker.unref();
      worker.on("message", (m: { id?: number; state?: Uint8Array; error?: string }) => {
        if (m.id === undefined) return;
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) worker.unref();
        if (m.state) p.resolve(new Uint8Array(m.state.buffer, m.state.byteOffset, m.state.byteLength));
        else p.reject(new Error(m.error ?? "fold failed"));
      });
      const fail = (err: Error) => {
        this.broken = true;
        this.worker = null;
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      };
      worker.on("error", fail);
      worker.on("exit", (code) => fail(new Error(`fold worker exited with ${code}`)));
      this.worker = worker;
      return worker;
    } catch {
      this.broken = true;
      return null;
    }
  }
}

const shared = new FoldWorker();

/** Folds snapshot + tail rows off the event loop (same result as `foldInline` in app/models/ydocs.server.ts). */
export function foldOffThread(parts: Uint8Array[]): Promise<Uint8Array> {
  return shared.fold(parts);
}
