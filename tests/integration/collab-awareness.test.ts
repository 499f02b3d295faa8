// Presence you can trust: names and colours come from the session, a client cannot set another
// client's state, and changes reach others merged, at most once per frame interval.
import * as encoding from "lib0/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MESSAGE_AWARENESS, awarenessMessage } from "../../server/collab/protocol";
import { startTestApp, type TestApp } from "../support/app";
import { connectClient, waitFor, type TestClient } from "../support/collab";
import { Client } from "../support/http";

const INTERVAL_MS = 100;
let app: TestApp;
const cookies: Record<string, string> = {};
const names: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp({}, { collab: { awarenessIntervalMs: INTERVAL_MS } });
  for (const who of ["creator1", "creator2", "creator3"]) {
    const c = new Client(app.url);
    await c.login(`${who}@codewerf.test`);
    cookies[who] = c.cookie;
    names[who] = (await app.db.selectFrom("users").select("display_name").where("email", "=", `${who}@codewerf.test`).executeTakeFirstOrThrow()).display_name;
  }
});
afterAll(async () => app?.close());

const as = (who: string) => connectClient(app.url, "grenzen", { cookie: cookies[who], origin: app.url });

function rawAwareness(entries: { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const x of entries) {
    encoding.writeVarUint(e, x.clientId);
    encoding.writeVarUint(e, x.clock);
    encoding.writeVarString(e, JSON.stringify(x.state));
  }
  return awarenessMessage(encoding.toUint8Array(e));
}

const seenBy = (observer: TestClient, subject: TestClient) => observer.provider.awareness.getStates().get(subject.doc.clientID) as { user?: { name: string; color: string }; cursor?: number } | undefined;

describe("awareness", () => {
  it("shows the session's name, ignores forged ids and fake names, and merges changes per interval", async () => {
    const alice = as("creator1");
    const mallory = as("creator2");
    const observer = as("creator3");
    let framesAtObserver = 0;
    const handler = observer.provider.messageHandlers[MESSAGE_AWARENESS];
    observer.provider.messageHandlers[MESSAGE_AWARENESS] = (...args) => {
      framesAtObserver++;
      handler(...args);
    };
    await waitFor(() => [alice, mallory, observer].every((c) => c.provider.synced), "all synced");

    // A client claims to be someone else by name: the server's name wins.
    alice.provider.awareness.setLocalState({ user: { name: "De Minister", color: "#000000" }, cursor: 1 });
    await waitFor(() => seenBy(observer, alice)?.cursor === 1, "alice's state arrives");
    expect(seenBy(observer, alice)!.user!.name).toBe(names.creator1);
    expect(seenBy(observer, alice)!.user!.color).not.toBe("#000000");

    // Mallory overwrites alice's client id (with a far-ahead clock) and sets her own fake name.
    const aliceClock = alice.provider.awareness.meta.get(alice.doc.clientID)!.clock;
    mallory.provider.ws!.send(rawAwareness([{ clientId: alice.doc.clientID, clock: aliceClock + 100, state: { user: { name: "Gehackt" }, cursor: 666 } }]));
    mallory.provider.awareness.setLocalState({ user: { name: "Gehackt" }, cursor: 2 });
    await waitFor(() => seenBy(observer, mallory)?.cursor === 2, "mallory's own state arrives");
    expect(seenBy(observer, mallory)!.user!.name).toBe(names.creator2);
    expect(seenBy(observer, alice)!.cursor).toBe(1);
    expect(seenBy(observer, alice)!.user!.name).toBe(names.creator1);

    // Fifty quick changes reach the observer merged: at most one frame per interval.
    const before = framesAtObserver;
    const started = Date.now();
    for (let i = 0; i < 50; i++) {
      alice.provider.awareness.setLocalStateField("cursor", 100 + i);
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor(() => seenBy(observer, alice)?.cursor === 149, "last cursor arrives");
    const elapsed = Date.now() - started;
    const frames = framesAtObserver - before;
    expect(frames).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL_MS) + 1);
    expect(frames).toBeLessThan(50);

    // Leaving removes the state for the others.
    alice.destroy();
    await waitFor(() => seenBy(observer, alice) === undefined, "alice's presence is gone");
    [mallory, observer].forEach((c) => c.destroy());
  });
});
