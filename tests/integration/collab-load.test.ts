// Loading and unloading: fifty clients that connect at the same moment to a stored document that
// is not in memory all get the stored text (nobody overwrites it with an empty state), and idle
// documents are written out and dropped from memory.
import { runInNewContext } from "node:vm";
import v8 from "node:v8";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { loadDocState } from "../../app/models/ydocs.server";
import { startTestApp, type TestApp } from "../support/app";
import { connectClient, fragmentText, insertText, waitFor, type TestClient } from "../support/collab";
import { Client } from "../support/http";

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let app: TestApp;
let cookie: string;

beforeAll(async () => {
  app = await startTestApp({}, { collab: { idleUnloadMs: 1500, maxConnectionsPerUser: 500 } });
  const c = new Client(app.url);
  await c.login("creator1@codewerf.test");
  cookie = c.cookie;
});
afterAll(async () => app?.close());

async function storedText(section: string): Promise<string> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, (await loadDocState(app.db, `influencercode/${section}`)).state);
  return fragmentText(doc);
}

const openDocs = async () => ((await (await fetch(`${app.url}/healthz`)).json()) as { collab: { docs: number } }).collab.docs;

describe("loading", () => {
  it("fifty clients connecting at once to a cold document all see the stored text", async () => {
    const section = "kinderen-in-beeld";
    const stored = await storedText(section);
    expect(stored.length).toBeGreaterThan(100);
    expect(await openDocs()).toBe(0);
    const clients = Array.from({ length: 50 }, () => connectClient(app.url, section, { cookie, origin: app.url }));
    await waitFor(() => clients.every((c) => c.provider.synced), "fifty clients synced");
    for (const c of clients) expect(c.text()).toBe(stored);
    await waitFor(() => clients.every((c) => c.state.saved === c.sent()), "their sync answers handled");
    expect(await storedText(section)).toBe(stored);
    clients.forEach((c) => c.destroy());
  });
});

describe("idle unload", () => {
  it("writes idle documents out and frees their memory", async () => {
    const N = 120;
    const body = "Een alinea tekst die het geheugen van een document wat gewicht geeft. ".repeat(600);
    for (let i = 0; i < N; i++) {
      await app.db.insertInto("sections").values({ code_id: "influencercode", id: `geheugen-${i}`, title: `Geheugen ${i}`, position: 100 + i }).execute();
      const doc = new Y.Doc();
      insertText(doc, 0, `${i}: ${body}`);
      await app.db.insertInto("ydoc_snapshots").values({ doc_name: `influencercode/geheugen-${i}`, state: Y.encodeStateAsUpdate(doc), last_update_id: 0 }).execute();
    }
    await waitFor(async () => (await openDocs()) === 0, "nothing open");
    gc();
    const base = process.memoryUsage().heapUsed;

    const clients: TestClient[] = [];
    for (let i = 0; i < N; i += 20) {
      const batch = Array.from({ length: 20 }, (_, j) => connectClient(app.url, `geheugen-${i + j}`, { cookie, origin: app.url }));
      await waitFor(() => batch.every((c) => c.provider.synced), "batch synced");
      clients.push(...batch);
    }
    insertText(clients[7].doc, 0, "Laatste woord. ");
    await waitFor(() => clients[7].state.saved === clients[7].sent(), "edit saved");
    expect(await openDocs()).toBe(N);
    // The clients live in this process too: measure the server's share by dropping them first.
    clients.forEach((c) => c.destroy());
    clients.length = 0;
    await waitFor(async () => (await openDocs()) === N, "documents still open just after the clients left");
    gc();
    const open = process.memoryUsage().heapUsed;

    await waitFor(async () => (await openDocs()) === 0, "idle documents unloaded");
    gc();
    const after = process.memoryUsage().heapUsed;
    const perOpenDoc = (open - base) / N;
    const perUnloadedDoc = (after - base) / N;
    console.info(`idle unload: ${Math.round(perOpenDoc)} B per open document, ${Math.round(perUnloadedDoc)} B per document after unload`);
    expect(perOpenDoc).toBeGreaterThan(50_000);
    expect(perUnloadedDoc).toBeLessThan(perOpenDoc / 8);
    expect(await storedText("geheugen-7")).toContain("Laatste woord. ");
  });
});
