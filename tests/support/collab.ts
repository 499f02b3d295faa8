// Real y-websocket clients for the collaboration tests: a WebsocketProvider over `ws` that sends
// the session cookie and Origin, counts its update messages and listens for "saved"/"access".
import * as decoding from "lib0/decoding";
import WebSocket from "ws";
import { WebsocketProvider } from "y-websocket";
import * as Y from "yjs";
import { MESSAGE_ACCESS, MESSAGE_SAVED, MESSAGE_SYNC, SYNC_STEP2, SYNC_UPDATE } from "../../server/collab/protocol";

export const CODE = "influencercode";

/** Polls `predicate` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function wsBase(httpUrl: string): string {
  return httpUrl.replace(/^http/, "ws") + "/collab";
}

/** Whether a frame the client sends carries an update (sync step 2 or update). */
function isUpdateFrame(data: unknown): boolean {
  const bytes = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
  return !!bytes && bytes[0] === MESSAGE_SYNC && (bytes[1] === SYNC_STEP2 || bytes[1] === SYNC_UPDATE);
}

/** A WebSocket class (for WebSocketPolyfill) that sends our headers and counts update frames. */
export function socketClass(headers: { cookie?: string; origin?: string }) {
  return class CollabTestSocket extends WebSocket {
    sentUpdates = 0;
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, {
        headers: { ...(headers.cookie ? { Cookie: headers.cookie } : {}), ...(headers.origin ? { Origin: headers.origin } : {}) },
      });
    }
    override send(data: unknown, ...rest: unknown[]): void {
      if (isUpdateFrame(data)) this.sentUpdates++;
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  };
}

export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Latest "saved" count on the current socket, and whether the server says read-only. */
  state: { saved: number; readOnly: boolean | null; closeCodes: number[] };
  /** Update frames sent on the current socket. */
  sent(): number;
  text(): string;
  destroy(): void;
}

export function connectClient(
  httpUrl: string,
  sectionId: string,
  headers: { cookie?: string; origin?: string },
  opts: { doc?: Y.Doc; connect?: boolean; onSaved?: (n: number, socket: unknown) => void } = {},
): TestClient {
  const doc = opts.doc ?? new Y.Doc();
  const state = { saved: 0, readOnly: null as boolean | null, closeCodes: [] as number[] };
  const provider = new WebsocketProvider(wsBase(httpUrl), `${CODE}/${sectionId}`, doc, {
    WebSocketPolyfill: socketClass(headers) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: opts.connect ?? true,
    maxBackoffTime: 300,
  });
  provider.messageHandlers[MESSAGE_SAVED] = (_enc, dec) => {
    state.saved = decoding.readVarUint(dec);
    opts.onSaved?.(state.saved, provider.ws);
  };
  provider.messageHandlers[MESSAGE_ACCESS] = (_enc, dec) => {
    state.readOnly = decoding.readVarUint(dec) === 1;
  };
  provider.on("connection-close", (event) => {
    state.saved = 0;
    if (event) state.closeCodes.push(event.code);
  });
  return {
    doc,
    provider,
    state,
    sent: () => (provider.ws as unknown as { sentUpdates?: number } | null)?.sentUpdates ?? 0,
    text: () => fragmentText(doc),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

export function fragmentText(doc: Y.Doc): string {
  return doc.getXmlFragment("default").toString();
}

/** Inserts `text` at `index` of the first paragraph (creating one in an empty document). */
export function insertText(doc: Y.Doc, index: number, text: string): void {
  const fragment = doc.getXmlFragment("default");
  doc.transact(() => {
    let para = fragment.get(0) as Y.XmlElement | undefined;
    if (!para) {
      para = new Y.XmlElement("paragraph");
      fragment.insert(0, [para]);
    }
    let t = para.get(0) as Y.XmlText | undefined;
    if (!(t instanceof Y.XmlText)) {
      t = new Y.XmlText();
      para.insert(0, [t]);
    }
    t.insert(Math.min(index, t.length), text);
  });
}

/** A random insert or delete in the first paragraph. */
export function randomEdit(doc: Y.Doc, tag: string): void {
  const para = doc.getXmlFragment("default").get(0) as Y.XmlElement | undefined;
  const t = para?.get(0) as Y.XmlText | undefined;
  const len = t instanceof Y.XmlText ? t.length : 0;
  if (len > 20 && Math.random() < 0.3) {
    const at = Math.floor(Math.random() * (len - 3));
    t!.delete(at, 1 + Math.floor(Math.random() * 3));
  } else {
    insertText(doc, Math.floor(Math.random() * (len + 1)), tag);
  }
}
