// The wire protocol of /collab: y-websocket's message types (sync, awareness, query awareness)
// plus Codewerf's own "saved" and "access" messages (docs/collab-protocol.md), encoded once.
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
/** Server → client: varUint n, "your first n update-bearing messages are durable". */
export const MESSAGE_SAVED = 100;
/** Server → client: varUint 1 = read-only, 0 = read-write (sent at start and on every change). */
export const MESSAGE_ACCESS = 101;

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

/** Close codes: RFC 6455 ones for bad input; 44xx (y-websocket does not reconnect) for rights. */
export const CLOSE = {
  goingAway: 1001,
  unsupported: 1003,
  invalidPayload: 1007,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
  rightsRevoked: 4403,
  notFound: 4404,
} as const;

export function syncMessage(kind: typeof SYNC_STEP1 | typeof SYNC_STEP2 | typeof SYNC_UPDATE, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_SYNC);
  encoding.writeVarUint(e, kind);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

export function awarenessMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function numberMessage(type: typeof MESSAGE_SAVED | typeof MESSAGE_ACCESS, n: number): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, type);
  encoding.writeVarUint(e, n);
  return encoding.toUint8Array(e);
}

/** One decoded client frame; `null` fields never escape: a bad frame throws ProtocolError. */
export type ClientMessage =
  | { type: "sync-step1"; stateVector: Uint8Array }
  | { type: "update"; update: Uint8Array }
  | { type: "awareness"; update: Uint8Array }
  | { type: "query-awareness" };

export class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function readToEnd<T>(decoder: decoding.Decoder, read: () => T): T {
  const value = read();
  if (decoding.hasContent(decoder)) throw new ProtocolError(CLOSE.invalidPayload, "trailing bytes after message");
  return value;
}

/** Decodes one binary frame from a client; throws ProtocolError on anything malformed. */
export function decodeClientMessage(frame: Uint8Array): ClientMessage {
  const decoder = decoding.createDecoder(frame);
  let type: number;
  try {
    type = decoding.readVarUint(decoder);
  } catch {
    throw new ProtocolError(CLOSE.invalidPayload, "unreadable message type");
  }
  try {
    switch (type) {
      case MESSAGE_SYNC: {
        const kind = decoding.readVarUint(decoder);
        const payload = readToEnd(decoder, () => decoding.readVarUint8Array(decoder));
        if (kind === SYNC_STEP1) return { type: "sync-step1", stateVector: payload };
        if (kind === SYNC_STEP2 || kind === SYNC_UPDATE) return { type: "update", update: payload };
        throw new ProtocolError(CLOSE.unsupported, `unknown sync message ${kind}`);
      }
      case MESSAGE_AWARENESS:
        return { type: "awareness", update: readToEnd(decoder, () => decoding.readVarUint8Array(decoder)) };
      case MESSAGE_QUERY_AWARENESS:
        return readToEnd(decoder, () => ({ type: "query-awareness" }) as const);
      default:
        throw new ProtocolError(CLOSE.unsupported, `unknown message type ${type}`);
    }
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(CLOSE.invalidPayload, "truncated or malformed message");
  }
}
