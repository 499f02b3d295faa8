// Hostile input: thousands of malformed, truncated, oversized and unknown frames each close only
// their own socket with a fitting code; the server, the document and other clients carry on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import * as encoding from "lib0/encoding";
import { CLOSE, decodeClientMessage, MESSAGE_AWARENESS, ProtocolError, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, syncMessage } from "../../server/collab/protocol";
import { startTestApp, type TestApp } from "../support/app";
import { connectClient, insertText, waitFor, wsBase } from "../support/collab";
import { Client } from "../support/http";

let app: TestApp;
const cookies: string[] = [];
const SECTION = "voor-en-door";

beforeAll(async () => {
  app = await startTestApp({}, { collab: { maxConnectionsPerUser: 1000 } });
  for (const who of ["creator1", "creator2", "ministerie", "awel"]) {
    const c = new Client(app.url);
    await c.login(`${who}@codewerf.test`);
    cookies.push(c.cookie);
  }
});
afterAll(async () => app?.close());

/** Deterministic pseudo-random bytes, so a failing case can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function bytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function validUpdate(text: string): Uint8Array {
  const d = new Y.Doc();
  insertText(d, 0, text);
  return Y.encodeStateAsUpdate(d);
}

function framed(type: number, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, type);
  encoding.writeUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

interface Case {
  name: string;
  frame: Uint8Array | string;
}

function cases(count: number): Case[] {
  const rand = rng(4242);
  const out: Case[] = [];
  const good = syncMessage(SYNC_UPDATE, validUpdate("fuzz ".repeat(20)));
  for (let i = 0; out.length < count; i++) {
    switch (i % 8) {
      case 0:
        out.push({ name: `random ${i}`, frame: bytes(rand, Math.floor(rand() * 64)) });
        break;
      case 1:
        out.push({ name: `truncated update ${i}`, frame: good.subarray(0, 1 + Math.floor(rand() * (good.length - 2))) });
        break;
      case 2:
        out.push({ name: `update header, garbage update ${i}`, frame: syncMessage(SYNC_UPDATE, bytes(rand, 1 + Math.floor(rand() * 80))) });
        break;
      case 3:
        out.push({ name: `sync step 2, garbage ${i}`, frame: syncMessage(SYNC_STEP2, bytes(rand, 1 + Math.floor(rand() * 80))) });
        break;
      case 4:
        out.push({ name: `sync step 1, garbage state vector ${i}`, frame: syncMessage(SYNC_STEP1, bytes(rand, 1 + Math.floor(rand() * 30))) });
        break;
      case 5:
        out.push({ name: `unknown message type ${i}`, frame: framed(4 + Math.floor(rand() * 5000), bytes(rand, Math.floor(rand() * 10))) });
        break;
      case 6:
        out.push({ name: `awareness garbage ${i}`, frame: framed(MESSAGE_AWARENESS, bytes(rand, 1 + Math.floor(rand() * 40))) });
        break;
      case 7:
        out.push({ name: `unknown sync type ${i}`, frame: new Uint8Array([0, 3 + Math.floor(rand() * 100), 1, 0]) });
        break;
    }
  }
  out.push({ name: "text frame", frame: "hallo" });
  out.push({ name: "empty frame", frame: new Uint8Array(0) });
  return out;
}

/** The code a frame should be closed with, or null when its framing is valid. */
function expectedClose(frame: Uint8Array | string): number | null {
  if (typeof frame === "string") return CLOSE.unsupported;
  try {
    decodeClientMessage(frame);
    return null;
  } catch (err) {
    return (err as ProtocolError).code;
  }
}

/** Opens a socket, waits for the server's greeting, sends one frame, resolves with the close code (or "open"). */
function runCase(c: Case, cookie: string): Promise<number | "open"> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsBase(app.url)}/influencercode/${SECTION}`, { headers: { Cookie: cookie, Origin: app.url } });
    let sent = false;
    ws.on("message", (data: Buffer) => {
      if (!sent) {
        sent = true;
        ws.send(c.frame, { binary: typeof c.frame !== "string" });
        // A valid probe after the case: if it is answered, the socket survived the frame.
        ws.send(syncMessage(SYNC_STEP1, new Uint8Array([0])));
        return;
      }
      if (data[0] === 0 && data[1] === SYNC_STEP2) {
        ws.removeAllListeners("close");
        ws.close();
        resolve("open");
      }
    });
    ws.on("close", (code) => resolve(code));
    ws.on("error", (err) => (sent ? undefined : reject(err)));
  });
}

describe("malformed input", () => {
  it("closes only the offending socket, with a fitting code, over a few thousand cases", async () => {
    const watcher = connectClient(app.url, SECTION, { cookie: cookies[0], origin: app.url });
    await waitFor(() => watcher.provider.synced, "watcher synced");
    const before = watcher.text();
    const all = cases(2400);
    const results: { c: Case; got: number | "open" }[] = [];
    const queue = [...all];
    await Promise.all(
      Array.from({ length: 16 }, async (_, worker) => {
        for (let c; (c = queue.shift()); ) results.push({ c, got: await runCase(c, cookies[worker % cookies.length]) });
      }),
    );
    expect(results.length).toBe(all.length);
    let closed = 0;
    for (const { c, got } of results) {
      const expected = expectedClose(c.frame);
      if (expected !== null) expect({ name: c.name, got }).toEqual({ name: c.name, got: expected });
      else expect({ name: c.name, ok: got === "open" || got === CLOSE.invalidPayload }).toEqual({ name: c.name, ok: true });
      if (got !== "open") closed++;
    }
    expect(closed).toBeGreaterThan(2000);
    // The document and the other connection are untouched; the server still serves.
    expect(watcher.provider.wsconnected).toBe(true);
    expect(watcher.state.closeCodes).toEqual([]);
    insertText(watcher.doc, 0, "Nog altijd hier. ");
    await waitFor(() => watcher.state.saved === watcher.sent(), "watcher's edit saved");
    const fresh = connectClient(app.url, SECTION, { cookie: cookies[1], origin: app.url });
    await waitFor(() => fresh.provider.synced && fresh.text() === watcher.text(), "fresh client sees the same text");
    expect(watcher.text()).toBe(`${before.slice(0, "<paragraph>".length)}Nog altijd hier. ${before.slice("<paragraph>".length)}`);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    [watcher, fresh].forEach((c) => c.destroy());
  }, 180_000);

  it("closes a 10 MB frame with 1009 (message too big)", async () => {
    const big = new Uint8Array(10 * 1024 * 1024);
    big[0] = 0;
    big[1] = 2;
    expect(await runCase({ name: "10 MB", frame: big }, cookies[2])).toBe(CLOSE.tooBig);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});
