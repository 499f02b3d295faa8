// One authenticated websocket on one section: decodes frames, enforces read-only, and closes
// only itself (with a fitting code) on bad input; frames wait until the document is loaded.
import type { Logger } from "pino";
import WebSocket from "ws";
import * as Y from "yjs";
import type { CurrentUser } from "../../app/session.server";
import type { SharedDoc } from "./document";
import { type Outgoing, writeFramed } from "./frame";
import type { AckTarget } from "./persistence";
import { CLOSE, decodeClientMessage, MESSAGE_ACCESS, MESSAGE_SAVED, numberMessage, ProtocolError, type ClientMessage } from "./protocol";

/** A client that stops reading is dropped before it can pin this much memory. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export class Connection implements AckTarget {
  readonly clientIds = new Set<number>();
  /** Update-bearing messages received (sync step 2 and update), counted from 1. */
  private received = 0;
  private acked = 0;
  private queue: Uint8Array[] | null = [];
  closed = false;
  alive = true;
  /** Frames from a read-only connection that were dropped (tests, logs). */
  dropped = 0;

  constructor(
    readonly ws: WebSocket,
    public user: CurrentUser,
    public readOnly: boolean,
    readonly cookie: string | undefined,
    readonly shared: SharedDoc,
    private readonly log: Logger,
  ) {
    ws.on("message", (data: Buffer, isBinary: boolean) => this.onFrame(data, isBinary));
    ws.on("pong", () => {
      this.alive = true;
    });
  }

  /** Called once the document is loaded: greets the client and replays frames that waited. */
  attach(): void {
    if (this.closed) return;
    this.shared.connections.add(this);
    this.send(numberMessage(MESSAGE_ACCESS, this.readOnly ? 1 : 0));
    if (!this.readOnly) this.send(this.shared.syncStep1());
    this.shared.awareness.join(this);
    const waiting = this.queue ?? [];
    this.queue = null;
    for (const frame of waiting) if (!this.closed) this.handle(frame);
  }

  setReadOnly(readOnly: boolean): void {
    if (readOnly === this.readOnly) return;
    this.readOnly = readOnly;
    this.log.info({ doc: this.shared.name, user: this.user.id, readOnly }, "collab access changed");
    this.send(numberMessage(MESSAGE_ACCESS, readOnly ? 1 : 0));
  }

  send(message: Outgoing): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn({ doc: this.shared.name, user: this.user.id }, "collab client too slow; dropping it");
      this.ws.terminate();
      return;
    }
    writeFramed(this.ws, message);
  }

  acknowledge(n: number): void {
    if (n <= this.acked) return;
    this.acked = n;
    this.send(numberMessage(MESSAGE_SAVED, n));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (!isBinary) return this.fail(new ProtocolError(CLOSE.unsupported, "text frame"));
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (this.queue) this.queue.push(frame);
    else this.handle(frame);
  }

  private handle(frame: Uint8Array): void {
    let message: ClientMessage;
    try {
      message = decodeClientMessage(frame);
    } catch (err) {
      return this.fail(err);
    }
    try {
      this.dispatch(message);
    } catch (err) {
      this.fail(err instanceof ProtocolError ? err : new ProtocolError(CLOSE.invalidPayload, `rejected: ${(err as Error).message}`));
    }
  }

  private dispatch(message: ClientMessage): void {
    const shared = this.shared;
    switch (message.type) {
      case "sync-step1": {
        let answer: Outgoing;
        try {
          answer = shared.syncStep2For(message.stateVector);
        } catch {
          throw new ProtocolError(CLOSE.invalidPayload, "undecodable state vector");
        }
        this.send(answer);
        return;
      }
      case "update": {
        if (this.readOnly) {
          this.dropped++;
          return;
        }
        let meta: { to: Map<number, number> };
        try {
          // Decodes every struct and the delete set: garbage throws here, before the live doc.
          meta = Y.parseUpdateMeta(message.update);
        } catch {
          throw new ProtocolError(CLOSE.invalidPayload, "undecodable update");
        }
        this.received++;
        shared.applyFromConnection(this, message.update, this.received, meta);
        return;
      }
      case "awareness":
        if (!shared.awareness.applyFromPeer(this, message.update)) throw new ProtocolError(CLOSE.invalidPayload, "undecodable awareness update");
        return;
      case "query-awareness":
        this.send(shared.awareness.fullMessage());
        return;
    }
  }

  private fail(err: unknown): void {
    const e = err instanceof ProtocolError ? err : new ProtocolError(CLOSE.internal, String(err));
    this.log.warn({ doc: this.shared.name, user: this.user.id, code: e.code, reason: e.message }, "collab frame rejected; closing this socket");
    this.close(e.code, e.message);
  }
}
