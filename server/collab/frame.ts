// Messages that go to many sockets at once (a relayed update, an awareness delta, the full
// state for a join storm), framed once as a websocket binary frame and written as is.
//
// ws frames every send anew and writes header and payload as two corked writes (one writev);
// for a message fanned out to 200 sockets that is 200 framings of the same bytes. Measured
// here (200 sockets, 400 messages/s of 40 bytes, server on one core): 4.6 µs of server CPU
// per delivery through ws.send, 4.0 µs written pre-framed; the rest is the kernel's
// (docs/decisions.md, "Fan-out frames framed once").
import type WebSocket from "ws";
import * as wsModule from "ws";

/** ws's public frame builder (`Sender.frame`; exported by ws, not declared by @types/ws). */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[] };
};

export class SharedFrame {
  private payload: Uint8Array | null;
  private framed: Buffer | null = null;
  private readonly length: number;

  constructor(message: Uint8Array) {
    this.payload = message;
    this.length = message.byteLength;
  }

  /**
   * The message itself. Once framed, only the frame is kept (a cached full state is held once,
   * and an idle document keeps one object less) and this is a view into it.
   */
  get message(): Uint8Array {
    return this.payload ?? this.framed!.subarray(this.framed!.length - this.length);
  }

  /** The whole frame (FIN, binary, unmasked as a server sends), built on first use. */
  get frame(): Buffer {
    if (!this.framed) {
      const payload = this.payload!;
      const data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
      const parts = Sender.frame(data, { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false });
      this.framed = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      this.payload = null;
    }
    return this.framed;
  }
}

export type Outgoing = Uint8Array | SharedFrame;

/** What of ws's WebSocket writeFramed relies on (ws 8: `_socket`, and `_sender` with its queue). */
interface WsInternals {
  _socket?: { destroyed: boolean; write(chunk: Buffer): boolean };
  _sender?: { _state: number; _queue: unknown[] };
}

/**
 * Sends `out` on an open websocket: a shared frame straight to the socket when ws has nothing
 * of its own waiting to be written (ws writes synchronously then, so order is kept; it queues
 * only while compressing, which is off, or reading a Blob), anything else through ws.send.
 */
export function writeFramed(ws: WebSocket, out: Outgoing): void {
  if (out instanceof SharedFrame) {
    const { _socket: socket, _sender: sender } = ws as unknown as WsInternals;
    if (socket && !socket.destroyed && sender && sender._state === 0 && sender._queue.length === 0) {
      socket.write(out.frame);
      return;
    }
    ws.send(out.message);
    return;
  }
  ws.send(out);
}
