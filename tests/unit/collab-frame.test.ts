// Fan-out messages framed once and written straight to the socket (server/collab/frame.ts)
// arrive byte for byte, and in order with everything ws itself sends on the same socket.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { SharedFrame, writeFramed } from "../../server/collab/frame";

let wss: WebSocketServer;
let url: string;
beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => wss.close(() => resolve())));

/** A connected pair: the server's socket and what the client received. */
async function pair(expected: number) {
  const serverSide = new Promise<WebSocket>((resolve) => wss.once("connection", resolve));
  const client = new WebSocket(url);
  const received: Buffer[] = [];
  const all = new Promise<Buffer[]>((resolve) =>
    client.on("message", (data: Buffer, isBinary) => {
      expect(isBinary).toBe(true);
      received.push(Buffer.from(data));
      if (received.length === expected) resolve(received);
    }),
  );
  await new Promise((resolve) => client.once("open", resolve));
  return { server: await serverSide, all, client };
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe("SharedFrame", () => {
  it("arrives intact at every length class of the frame header, in order with ws's own sends", async () => {
    // 7-bit, 16-bit and 64-bit payload lengths, the 125/126 and 65535/65536 edges included.
    const sizes = [1, 125, 126, 1000, 65_535, 65_536, 300_000];
    const { server, all, client } = await pair(sizes.length * 2);
    const sent: Uint8Array[] = [];
    for (const [i, size] of sizes.entries()) {
      const own = bytes(3 + i, 200 + i);
      server.send(own);
      sent.push(own);
      const shared = bytes(size, i);
      writeFramed(server, new SharedFrame(shared));
      sent.push(shared);
    }
    const got = await all;
    expect(got.map((b) => b.length)).toEqual(sent.map((b) => b.length));
    got.forEach((b, i) => expect(Buffer.compare(b, Buffer.from(sent[i]))).toBe(0));
    client.close();
  });

  it("one frame written to many sockets reaches each of them", async () => {
    const pairs = [];
    for (let i = 0; i < 5; i++) pairs.push(await pair(1));
    const frame = new SharedFrame(bytes(5000, 7));
    for (const p of pairs) writeFramed(p.server, frame);
    // Framed once, the message is a view into the frame: a cached full state is held once.
    expect(frame.message.buffer).toBe(frame.frame.buffer);
    for (const p of pairs) {
      const [got] = await p.all;
      expect(Buffer.compare(got, Buffer.from(frame.message))).toBe(0);
      p.client.close();
    }
  });

  it("waits its turn behind what ws still has to write (a Blob ws is still reading)", async () => {
    const { server, all, client } = await pair(2);
    // ws reads a Blob asynchronously and queues every later send meanwhile; a frame written
    // straight to the socket now would overtake it.
    server.send(new Blob([bytes(10, 1)]));
    writeFramed(server, new SharedFrame(bytes(20, 2)));
    const got = await all;
    expect(got.map((b) => b.length)).toEqual([10, 20]);
    client.close();
  });
});
