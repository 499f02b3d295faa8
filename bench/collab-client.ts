// A light websocket client for the collaboration benchmark: speaks y-websocket's protocol (and
// Hocuspocus' document-prefixed variant) on raw `ws`, without applying what others send.
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import * as Y from "yjs";

export type Flavour = "codewerf" | "hocuspocus" | "y-websocket";

const MARK = Buffer.from("§");
const TAG_END = 0xa7;

/** Shared bookkeeping of one scenario: when each tag was sent, and what arrived where. */
export class Ledger {
  sentAt = new Map<string, number>();
  latencies: number[] = [];
  /** [sentAt, latency] of every delivery, for per-second breakdowns. */
  samples: [number, number][] = [];
  savedLatencies: number[] = [];
  deliveries = 0;
  awarenessFrames = 0;
  /** Every frame the clients received (BENCH_DEBUG prints it per load phase). */
  frames = 0;
  payloadBytes = 0;

  /** Counts tags in a received update; a client's own tags echoed back do not count. */
  onArrival(frame: Buffer, self: number): void {
    const own = `${self}:`;
    const now = performance.now();
    for (let at = frame.indexOf(MARK); at !== -1; at = frame.indexOf(MARK, at + 2)) {
      const end = frame.indexOf(MARK, at + 2);
      if (end === -1 || end - at > 24) continue;
      const tag = frame.toString("utf8", at + 2, end);
      const sent = this.sentAt.get(tag);
      if (sent !== undefined && !tag.startsWith(own)) {
        this.latencies.push(now - sent);
        this.samples.push([sent, now - sent]);
        this.deliveries++;
      }
      at = end;
    }
  }
}

export class BenchClient {
  readonly ws: WebSocket;
  readonly doc = new Y.Doc();
  synced = false;
  syncedAt = 0;
  opened: Promise<void>;
  private sentUpdates = 0;
  private pendingAcks: { index: number; at: number }[] = [];
  private seq = 0;
  private lastUpdate: Uint8Array | null = null;

  constructor(
    url: string,
    private readonly flavour: Flavour,
    private readonly docName: string,
    private readonly ledger: Ledger,
    private readonly id: number,
    headers: Record<string, string> = {},
    private readonly awarenessOnJoin = false,
  ) {
    this.ws = new WebSocket(url, { headers, perMessageDeflate: false });
    this.doc.on("update", (u: Uint8Array) => (this.lastUpdate = u));
    this.ws.on("error", () => undefined);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      this.ws.once("close", () => reject(new Error("closed before opening")));
    });
    this.opened.catch(() => undefined);
    this.ws.on("open", () => this.greet());
    this.ws.on("message", (data: Buffer) => this.onMessage(data));
  }

  private frame(write: (e: encoding.Encoder) => void): Uint8Array {
    const e = encoding.createEncoder();
    if (this.flavour === "hocuspocus") encoding.writeVarString(e, this.docName);
    write(e);
    return encoding.toUint8Array(e);
  }

  private greet(): void {
    if (this.flavour === "hocuspocus") {
      this.ws.send(this.frame((e) => (encoding.writeVarUint(e, 2), encoding.writeVarUint(e, 0), encoding.writeVarString(e, ""))));
    }
    this.ws.send(this.frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, Y.encodeStateVector(this.doc)))));
    if (this.awarenessOnJoin) {
      const a = encoding.createEncoder();
      encoding.writeVarUint(a, 1);
      encoding.writeVarUint(a, this.doc.clientID);
      encoding.writeVarUint(a, 1);
      encoding.writeVarString(a, JSON.stringify({ user: { name: `bench ${this.id}` }, cursor: null }));
      const update = encoding.toUint8Array(a);
      this.ws.send(this.frame((e) => (encoding.writeVarUint(e, 1), encoding.writeVarUint8Array(e, update))));
    }
  }

  /** Sends any update (e.g. a big initial document). */
  sendUpdate(update: Uint8Array): void {
    this.ws.send(this.frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, update))));
    this.sentUpdates++;
    this.pendingAcks.push({ index: this.sentUpdates, at: performance.now() });
  }

  /** One small edit carrying a unique tag; its arrival at the others is timed. */
  edit(): void {
    const tag = `${this.id}:${++this.seq}`;
    const fragment = this.doc.getXmlFragment("default");
    this.doc.transact(() => {
      if (fragment.length === 0) fragment.insert(0, [new Y.XmlElement("paragraph")]);
      const para = fragment.get(0) as Y.XmlElement;
      if (para.length === 0) para.insert(0, [new Y.XmlText()]);
      const text = para.get(0) as Y.XmlText;
      text.insert(text.length, `§${tag}§ `);
    });
    const update = this.lastUpdate!;
    this.ledger.payloadBytes += update.byteLength;
    this.ledger.sentAt.set(tag, performance.now());
    this.sendUpdate(update);
  }

  private onMessage(data: Buffer): void {
    this.ledger.frames++;
    const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    let offset = 0;
    if (this.flavour === "hocuspocus") {
      decoding.readVarString(d);
      offset = d.pos;
    }
    const type = decoding.readVarUint(d);
    if (type === 0 || type === 4) {
      const sub = decoding.readVarUint(d);
      if (sub === 0) {
        const sv = decoding.readVarUint8Array(d);
        const reply = Y.encodeStateAsUpdate(this.doc, sv);
        this.ws.send(this.frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 1), encoding.writeVarUint8Array(e, reply))));
        if (this.flavour === "codewerf") this.sentUpdates++;
      } else if (sub === 1) {
        if (!this.synced) {
          this.synced = true;
          this.syncedAt = performance.now();
        }
      } else if (sub === 2) {
        this.ledger.onArrival(data.subarray(offset), this.id);
      }
    } else if (type === 1) {
      this.ledger.awarenessFrames++;
    } else if (type === 100 && this.flavour === "codewerf") {
      this.acked(decoding.readVarUint(d));
    }
  }

  private acked(n: number): void {
    const now = performance.now();
    while (this.pendingAcks.length && this.pendingAcks[0].index <= n) this.ledger.savedLatencies.push(now - this.pendingAcks.shift()!.at);
  }

  close(): void {
    this.ws.terminate();
  }
}
