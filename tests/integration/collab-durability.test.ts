// Acknowledged means durable: clients edit while the server process is SIGKILLed and restarted
// several times; no acknowledged edit is ever lost, and edits that were relayed to others but
// not yet stored at the kill come back when the clients reconnect and re-sync.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { openDatabase } from "../../app/db.server";
import { loadDocState } from "../../app/models/ydocs.server";
import { connectClient, fragmentText, insertText, waitFor, type TestClient } from "../support/collab";
import { testDatabaseEnv } from "../support/db";
import { Client } from "../support/http";
import { startServerProcess, type ServerProcess } from "../support/server-process";

const SECTION = "zorg-voor-jezelf";
const WRITERS = ["creator1", "creator2", "ministerie", "awel"];
const KILLS = 3;
const ACKED_PER_ROUND = 350;

let env: Record<string, string>;
let server: ServerProcess;
let port: number;
const cookies: string[] = [];

beforeAll(async () => {
  env = await testDatabaseEnv();
  server = await startServerProcess(env);
  port = server.port;
  for (const who of WRITERS) {
    const c = new Client(server.url);
    await c.login(`${who}@codewerf.test`);
    cookies.push(c.cookie);
  }
});
afterAll(async () => {
  await server?.kill();
});

interface Edit {
  tag: string;
  socket: unknown;
  index: number;
}

interface Writer {
  client: TestClient;
  pending: Edit[];
  acked: Set<string>;
}

function newWriter(i: number): Writer {
  const w: Writer = { client: null as unknown as TestClient, pending: [], acked: new Set() };
  w.client = connectClient(server.url, SECTION, { cookie: cookies[i], origin: server.url }, {
    onSaved: (n, socket) => {
      while (w.pending.length && w.pending[0].socket === socket && w.pending[0].index <= n) w.acked.add(w.pending.shift()!.tag);
    },
  });
  return w;
}

/** The text as stored in the database (the server must be down: PGlite allows one opener). */
async function storedText(): Promise<string> {
  const db = await openDatabase(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: env.DATA_DIR });
  try {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (await loadDocState(db, `influencercode/${SECTION}`)).state);
    return fragmentText(doc);
  } finally {
    await db.destroy();
  }
}

describe("durability", () => {
  it(`loses 0 of ≥ ${KILLS * ACKED_PER_ROUND} acknowledged edits over ${KILLS} SIGKILLs, and recovers relayed-but-unstored edits from the clients`, async () => {
    const writers = WRITERS.map((_, i) => newWriter(i));
    const totalAcked = () => writers.reduce((n, w) => n + w.acked.size, 0);
    let seq = 0;
    let relayedNotStored = 0;
    const relayedUnacked = new Set<string>();

    for (let round = 0; round < KILLS; round++) {
      await waitFor(() => writers.every((w) => w.client.provider.synced && w.client.state.saved === w.client.sent()), `round ${round}: everyone synced and saved`, 30_000).catch((err) => {
        const states = writers.map((w) => ({ synced: w.client.provider.synced, connected: w.client.provider.wsconnected, saved: w.client.state.saved, sent: w.client.sent() }));
        throw new Error(`${(err as Error).message}: ${JSON.stringify(states)}\n${server.output().slice(-3000)}`);
      });
      const target = totalAcked() + ACKED_PER_ROUND;
      // Everyone types until enough edits are acknowledged, and keeps typing while SIGKILL lands,
      // so the process dies with edits relayed to others but not yet stored.
      let dead = false;
      server.child.once("exit", () => (dead = true));
      // Bounded: one edit per writer per timer tick (a fast typist, not a flood), and a deadline,
      // so a server that stops acknowledging fails the test instead of spinning forever.
      const deadline = Date.now() + 60_000;
      while (!dead) {
        if (Date.now() > deadline) {
          const states = writers.map((w) => ({ connected: w.client.provider.wsconnected, acked: w.acked.size, pending: w.pending.length }));
          throw new Error(`round ${round}: ${totalAcked()} of ${target} edits acknowledged after 60 s: ${JSON.stringify(states)}`);
        }
        if (totalAcked() >= target && server.child.signalCode === null && !server.child.killed) server.child.kill("SIGKILL");
        for (const w of writers) {
          if (!w.client.provider.wsconnected) continue;
          const tag = `<${++seq}>`;
          insertText(w.client.doc, 0, tag);
          w.pending.push({ tag, socket: w.client.provider.ws, index: w.client.sent() });
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      // Edits some other client received before the process died, whose author got no "saved".
      const texts = writers.map((w) => w.client.text());
      const inFlight: string[] = [];
      writers.forEach((w, i) => {
        for (const e of w.pending) if (texts.some((t, j) => j !== i && t.includes(e.tag))) inFlight.push(e.tag);
      });
      await server.kill();
      for (const w of writers) w.client.provider.disconnect();
      for (const w of writers) w.pending = [];
      const stored = await storedText();
      for (const tag of inFlight) {
        relayedUnacked.add(tag);
        if (!stored.includes(tag)) relayedNotStored++;
      }
      for (const w of writers) for (const tag of w.acked) expect(stored, `acknowledged ${tag} stored`).toContain(tag);

      server = await startServerProcess(env, { port, timeoutMs: 60_000 });
      for (const w of writers) w.client.provider.connect();
    }

    // Reconnected clients re-sync what the server lacked; then a last kill and a fresh reader.
    await waitFor(() => writers.every((w) => w.client.provider.synced && w.client.state.saved === w.client.sent()), "final re-sync saved", 30_000);
    await server.kill();
    for (const w of writers) w.client.destroy();
    server = await startServerProcess(env, { port, timeoutMs: 60_000 });
    const reader = connectClient(server.url, SECTION, { cookie: cookies[0], origin: server.url });
    await waitFor(() => reader.provider.synced, "reader synced");
    const text = reader.text();
    const acked = writers.flatMap((w) => [...w.acked]);
    const lost = acked.filter((tag) => !text.includes(tag));
    const unrecovered = [...relayedUnacked].filter((tag) => !text.includes(tag));
    reader.destroy();

    expect(acked.length).toBeGreaterThanOrEqual(KILLS * ACKED_PER_ROUND);
    expect(lost).toEqual([]);
    expect(unrecovered).toEqual([]);
    console.info(`durability: ${acked.length} acknowledged edits, 0 lost; ${relayedUnacked.size} relayed without "saved" at a kill (${relayedNotStored} of them not yet stored), all recovered`);
  }, 240_000);

  it("an edit relayed to another client but not yet stored when the server dies comes back when the clients reconnect", async () => {
    await server.kill();
    // A commit delay holds the write back, so the kill surely lands between relay and store.
    server = await startServerProcess({ ...env, COLLAB_COMMIT_DELAY_MS: "1500" }, { port, timeoutMs: 60_000 });
    const author = newWriter(0);
    const other = newWriter(1);
    await waitFor(() => author.client.provider.synced && other.client.provider.synced, "both synced");
    insertText(author.client.doc, 0, "«relayed-not-stored»");
    await waitFor(() => other.client.text().includes("«relayed-not-stored»"), "relayed to the other client");
    expect(author.client.state.saved).toBeLessThan(author.client.sent());
    await server.kill();
    // The author goes away for good; only the other client still holds the edit.
    author.client.destroy();
    other.client.provider.disconnect();
    expect(await storedText()).not.toContain("«relayed-not-stored»");

    server = await startServerProcess(env, { port, timeoutMs: 60_000 });
    other.client.provider.connect();
    await waitFor(() => other.client.provider.synced && other.client.state.saved === other.client.sent() && other.client.sent() > 0, "re-synced and saved");
    other.client.destroy();
    await server.kill();
    expect(await storedText()).toContain("«relayed-not-stored»");
    server = await startServerProcess(env, { port, timeoutMs: 60_000 });
  }, 120_000);

  it("a graceful stop (SIGTERM) stores and acknowledges pending edits, then closes with 1001 going away", async () => {
    await server.kill();
    // With a commit delay the edit is surely still unstored when SIGTERM arrives.
    server = await startServerProcess({ ...env, COLLAB_COMMIT_DELAY_MS: "1000" }, { port, timeoutMs: 60_000 });
    let savedBeforeClose = 0;
    const c = connectClient(server.url, SECTION, { cookie: cookies[2], origin: server.url }, { onSaved: (n) => (savedBeforeClose = n) });
    await waitFor(() => c.provider.synced, "synced");
    insertText(c.doc, 0, "«netjes afgesloten»");
    const sent = c.sent();
    expect(c.state.saved).toBeLessThan(sent);
    const exit = await server.stop();
    expect(exit).toBe(0);
    await waitFor(() => c.state.closeCodes.includes(1001), "closed with 1001");
    expect(savedBeforeClose).toBe(sent);
    c.destroy();
    expect(await storedText()).toContain("«netjes afgesloten»");
    server = await startServerProcess(env, { port, timeoutMs: 60_000 });
  }, 120_000);
});
