// The browser side of one section's live document: Y.Doc + WebsocketProvider + y-indexeddb,
// and the truthful connection/saving state derived from the server's "saved" (100) and
// "access" (101) messages (docs/collab-protocol.md). Browser-only; create it in an effect.
import * as decoding from "lib0/decoding";
import { IndexeddbPersistence } from "y-indexeddb";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { docName, YDOC_FRAGMENT } from "~/domain/richtext";

const MESSAGE_SYNC = 0;
/** y-protocols' sync message carrying an update (messageYjsUpdate). */
const SYNC_UPDATE = 2;
/** Remote updates closer together than this are applied together, at the next frame. */
const REMOTE_BATCH_MS = 16;
export const MESSAGE_SAVED = 100;
export const MESSAGE_ACCESS = 101;

/** What the status line says; "saved" only once the server acknowledged every local update. */
export type SaveStatus = "connecting" | "connected" | "saving" | "saved" | "offline";

export interface CollabState {
  status: SaveStatus;
  /** Whether the server treats this socket as read-only (null until it said so). */
  serverReadOnly: boolean | null;
  /** Local edits the server has not acknowledged yet (survives reloads through localStorage). */
  unsaved: boolean;
  /** The editor may take over from the server-rendered HTML (synced, or offline with local data). */
  ready: boolean;
  /** Set when the server refused or closed for good (4400–4499). */
  closedForGood: boolean;
}

interface CountingWebSocket extends WebSocket {
  sentUpdates: number;
}

/**
 * A WebSocket that counts update-bearing frames (sync step 2 = [0, 1, …], update = [0, 2, …]),
 * which the server's "saved" count refers to. Made on demand: the server bundle has no WebSocket.
 */
function countingWebSocket(): typeof WebSocket {
  return class extends WebSocket implements CountingWebSocket {
    sentUpdates = 0;
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      const bytes = data instanceof Uint8Array ? data : null;
      if (bytes && bytes[0] === 0 && (bytes[1] === 1 || bytes[1] === 2)) this.sentUpdates++;
      super.send(data);
    }
  };
}

export interface CollabSessionOptions {
  codeId: string;
  sectionId: string;
  userId: string;
  /** Keep offline edits in IndexedDB (only for people who may edit). */
  persistOffline: boolean;
  /** Base of the websocket URL; default: this page's origin with ws(s). */
  wsBase?: string;
}

export class CollabSession {
  readonly ydoc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly persistence: IndexeddbPersistence | null;
  private state: CollabState;
  private readonly listeners = new Set<() => void>();
  private readonly unsavedKey: string;
  private everSaved = false;
  private persistenceSynced: boolean;
  /** Sockets that closed or failed since the page opened (a connected one included). */
  private closes = 0;
  private destroyed = false;
  /** Remote updates waiting for the next frame (see queueRemote). */
  private remote: Uint8Array[] = [];
  private remoteFrame = 0;
  private remoteTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRemote = -Infinity;

  constructor(private readonly opts: CollabSessionOptions) {
    const name = docName(opts.codeId, opts.sectionId);
    this.unsavedKey = `codewerf:unsaved:${opts.userId}:${name}`;
    const wsBase = opts.wsBase ?? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/collab`;
    this.state = { status: "connecting", serverReadOnly: null, unsaved: opts.persistOffline && readFlag(this.unsavedKey), ready: false, closedForGood: false };
    this.persistence = opts.persistOffline ? new IndexeddbPersistence(`codewerf:${opts.userId}:${name}`, this.ydoc) : null;
    this.persistenceSynced = !this.persistence;
    this.provider = new WebsocketProvider(wsBase, name, this.ydoc, {
      WebSocketPolyfill: countingWebSocket(),
      // Tabs of one browser talk through the server too, so "saved" always means the server has it.
      disableBc: true,
      maxBackoffTime: 2000,
    });
    const sync = this.provider.messageHandlers[MESSAGE_SYNC];
    this.provider.messageHandlers[MESSAGE_SYNC] = (encoder, decoder, provider, emitSynced, messageType) => {
      const start = decoder.pos;
      if (decoding.readVarUint(decoder) === SYNC_UPDATE) return this.queueRemote(decoding.readVarUint8Array(decoder));
      decoder.pos = start;
      sync(encoder, decoder, provider, emitSynced, messageType);
    };
    this.provider.messageHandlers[MESSAGE_SAVED] = (_encoder, decoder) => this.onSaved(decoding.readVarUint(decoder));
    this.provider.messageHandlers[MESSAGE_ACCESS] = (_encoder, decoder) => this.set({ serverReadOnly: decoding.readVarUint(decoder) === 1 });
    this.provider.on("status", () => this.refresh());
    this.provider.on("sync", () => this.refresh());
    this.provider.on("connection-close", (event) => {
      this.closes++;
      if (event && event.code >= 4400 && event.code < 4500) this.set({ closedForGood: true });
      this.refresh();
    });
    this.ydoc.on("update", this.onDocUpdate);
    this.persistence?.whenSynced.then(() => {
      this.persistenceSynced = true;
      this.refresh();
    });
    window.addEventListener("online", this.refresh);
    window.addEventListener("offline", this.refresh);
  }

  get snapshot(): CollabState {
    return this.state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  destroy(): void {
    this.destroyed = true;
    cancelAnimationFrame(this.remoteFrame);
    if (this.remoteTimer) clearTimeout(this.remoteTimer);
    this.remote = [];
    window.removeEventListener("online", this.refresh);
    window.removeEventListener("offline", this.refresh);
    this.ydoc.off("update", this.onDocUpdate);
    this.provider.destroy();
    void this.persistence?.destroy();
    this.ydoc.destroy();
    this.listeners.clear();
  }

  private get socket(): CountingWebSocket | null {
    return this.provider.ws as CountingWebSocket | null;
  }

  /**
   * Others' updates: one that arrives after a quiet moment is applied at once; those that come
   * close behind it (many people typing, or a busy page catching up) wait for the next frame
   * and are applied in one transaction. Each remote transaction costs the editor a full
   * rebuild of its Yjs ↔ ProseMirror mapping (y-tiptap) and y-indexeddb a write of its own, so
   * ten people typing cost ten of each per update before (docs/decisions.md, "Remote updates
   * per frame"). Order does not matter to Yjs; the server has them all already.
   */
  private queueRemote(update: Uint8Array): void {
    if (this.destroyed) return;
    const now = performance.now();
    if (!this.remote.length && now - this.lastRemote >= REMOTE_BATCH_MS) {
      this.lastRemote = now;
      Y.applyUpdate(this.ydoc, update, this.provider);
      return;
    }
    this.remote.push(update);
    if (this.remote.length > 1) return;
    // The next frame; a tab in the background paints no frames, so at the latest in 100 ms.
    this.remoteFrame = requestAnimationFrame(this.applyRemote);
    this.remoteTimer = setTimeout(this.applyRemote, 100);
  }

  private applyRemote = (): void => {
    cancelAnimationFrame(this.remoteFrame);
    if (this.remoteTimer) clearTimeout(this.remoteTimer);
    this.remoteTimer = null;
    const updates = this.remote;
    this.remote = [];
    if (this.destroyed || !updates.length) return;
    this.lastRemote = performance.now();
    this.ydoc.transact(() => {
      for (const update of updates) Y.applyUpdate(this.ydoc, update, this.provider);
    }, this.provider);
  };

  /** A change that did not come from the server or from IndexedDB is ours and must be saved. */
  private onDocUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider || origin === this.persistence) return;
    if (this.state.serverReadOnly) return; // the server drops it; nothing to wait for
    // Written when not set yet (another tab of this person may have cleared it), not per keystroke.
    if (this.opts.persistOffline && !readFlag(this.unsavedKey)) writeFlag(this.unsavedKey, true);
    this.set({ unsaved: true });
    this.refresh();
  };

  private onSaved(count: number): void {
    const ws = this.socket;
    if (!ws || count < ws.sentUpdates) return;
    // The server holds everything this socket sent. Edits made while offline were part of the
    // sync step 2 of this socket, so they are covered too.
    if (this.state.unsaved) this.everSaved = true;
    if (this.opts.persistOffline && readFlag(this.unsavedKey)) writeFlag(this.unsavedKey, false);
    this.set({ unsaved: false });
    this.refresh();
  }

  private refresh = (): void => {
    if (this.destroyed) return;
    const p = this.provider;
    const online = p.wsconnected && (typeof navigator === "undefined" || navigator.onLine !== false);
    let status: SaveStatus;
    if (!online) status = this.closes > 0 || this.state.ready ? "offline" : "connecting";
    else if (!p.synced) status = "connecting";
    else if (this.state.unsaved) status = "saving";
    else status = this.everSaved ? "saved" : "connected";
    // Synced with the server; or offline after a failed attempt with text kept in IndexedDB
    // (without it the server-rendered text stays, rather than an empty editor).
    const offlineWithText = this.persistenceSynced && this.closes > 0 && !p.synced && this.ydoc.getXmlFragment(YDOC_FRAGMENT).length > 0;
    const ready = this.state.ready || (this.persistenceSynced && p.synced) || offlineWithText;
    this.set({ status, ready });
  };

  private set(patch: Partial<CollabState>): void {
    const next = { ...this.state, ...patch };
    if ((Object.keys(next) as (keyof CollabState)[]).every((k) => next[k] === this.state[k])) return;
    this.state = next;
    for (const l of this.listeners) l();
  }
}

function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === "1";
  } catch {
    return false;
  }
}

function writeFlag(key: string, on: boolean): void {
  try {
    if (on) localStorage.setItem(key, "1");
    else localStorage.removeItem(key);
  } catch {
    // Private mode without storage: the in-memory state still tells the truth for this tab.
  }
}
