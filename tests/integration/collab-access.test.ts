// Who may connect and who may change the text: upgrades are refused without a valid session,
// from a foreign Origin or for an unknown section; read-only connections cannot change anything;
// suspensions, drafting-group changes and locks reach open connections within a second.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { loadDocState } from "../../app/models/ydocs.server";
import { setSectionLock } from "../../app/models/sections.server";
import { setUserFlag } from "../../app/models/users.server";
import { MESSAGE_AWARENESS, MESSAGE_QUERY_AWARENESS, SYNC_STEP2, syncMessage } from "../../server/collab/protocol";
import { startTestApp, type TestApp } from "../support/app";
import { connectClient, fragmentText, insertText, waitFor, wsBase } from "../support/collab";
import { Client } from "../support/http";

let app: TestApp;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp({}, { collab: { maxConnectionsPerUser: 6 } });
  for (const who of ["creator1", "creator2", "creator3", "ministerie", "sensoa", "mediawijs"]) {
    const c = new Client(app.url);
    await c.login(`${who}@codewerf.test`);
    cookies[who] = c.cookie;
  }
});
afterAll(async () => app?.close());

const userId = async (who: string) => (await app.db.selectFrom("users").select("id").where("email", "=", `${who}@codewerf.test`).executeTakeFirstOrThrow()).id;
const actor = async (who: string) => app.db.selectFrom("users").selectAll().where("email", "=", `${who}@codewerf.test`).executeTakeFirstOrThrow();
const as = (who: string, section: string) => connectClient(app.url, section, { cookie: cookies[who], origin: app.url });

/** The HTTP status of a refused upgrade, or 101 when it was accepted. */
function upgradeStatus(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsBase(app.url) + path, { headers });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => {
      resolve(101);
      ws.close();
    });
    ws.on("error", (err) => reject(err));
  });
}

async function storedText(section: string): Promise<string> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, (await loadDocState(app.db, `influencercode/${section}`)).state);
  return fragmentText(doc);
}

const tailRows = async (section: string) =>
  Number((await app.db.selectFrom("ydoc_updates").select((eb) => eb.fn.countAll().as("n")).where("doc_name", "=", `influencercode/${section}`).executeTakeFirstOrThrow()).n);

describe("collaboration upgrades", () => {
  it("accepts a signed-in user from our own origin", async () => {
    expect(await upgradeStatus("/influencercode/reclame", { Cookie: cookies.creator1, Origin: app.url })).toBe(101);
  });

  it("refuses no session (401), a forged cookie (401), a foreign Origin (403) and unknown sections or codes (404)", async () => {
    expect(await upgradeStatus("/influencercode/reclame", { Origin: app.url })).toBe(401);
    expect(await upgradeStatus("/influencercode/reclame", { Cookie: "codewerf_session=forged.value", Origin: app.url })).toBe(401);
    expect(await upgradeStatus("/influencercode/reclame", { Cookie: cookies.creator1, Origin: "https://evil.example" })).toBe(403);
    expect(await upgradeStatus("/influencercode/reclame", { Cookie: cookies.creator1 })).toBe(403);
    expect(await upgradeStatus("/influencercode/bestaat-niet", { Cookie: cookies.creator1, Origin: app.url })).toBe(404);
    expect(await upgradeStatus("/andere-code/reclame", { Cookie: cookies.creator1, Origin: app.url })).toBe(404);
    expect(await upgradeStatus("/../../etc/passwd", { Cookie: cookies.creator1, Origin: app.url })).toBe(404);
  });

  it("refuses a suspended user even with a session that still exists", async () => {
    await app.db.updateTable("users").set({ suspended_at: new Date() }).where("id", "=", await userId("sensoa")).execute();
    expect(await upgradeStatus("/influencercode/reclame", { Cookie: cookies.sensoa, Origin: app.url })).toBe(401);
  });

  it("limits the open connections per user (429)", async () => {
    const open = Array.from({ length: 6 }, () => as("mediawijs", "grenzen"));
    await waitFor(() => open.every((c) => c.provider.wsconnected), "six connections open");
    expect(await upgradeStatus("/influencercode/grenzen", { Cookie: cookies.mediawijs, Origin: app.url })).toBe(429);
    open.forEach((c) => c.destroy());
  });
});

describe("read-only connections", () => {
  it("drops creator3's sync step 2 and an update that deletes everything: the document, the store and the other clients are unchanged", async () => {
    const section = "hulpvraag";
    const writer = as("creator1", section);
    const reader = as("creator3", section);
    let awarenessReplies = 0;
    const awarenessHandler = reader.provider.messageHandlers[MESSAGE_AWARENESS];
    reader.provider.messageHandlers[MESSAGE_AWARENESS] = (...args) => {
      awarenessReplies++;
      awarenessHandler(...args);
    };
    await waitFor(() => writer.provider.synced && reader.provider.synced && reader.state.readOnly === true, "both synced, reader told read-only");
    expect(writer.state.readOnly).toBe(false);
    const original = writer.text();
    const rowsBefore = await tailRows(section);
    expect(reader.text()).toBe(original);

    // An update that deletes everything (sent by the provider), then a crafted sync step 2.
    const fragment = reader.doc.getXmlFragment("default");
    fragment.delete(0, fragment.length);
    const evil = new Y.Doc();
    Y.applyUpdate(evil, Y.encodeStateAsUpdate(reader.doc));
    insertText(evil, 0, "OVERGENOMEN ");
    reader.provider.ws!.send(syncMessage(SYNC_STEP2, Y.encodeStateAsUpdate(evil)));
    expect(reader.sent()).toBeGreaterThanOrEqual(2);
    // Frames on one socket are handled in order: once this query is answered, both were seen.
    const before = awarenessReplies;
    reader.provider.ws!.send(new Uint8Array([MESSAGE_QUERY_AWARENESS]));
    await waitFor(() => awarenessReplies > before, "awareness query answered");

    expect(reader.state.saved).toBe(0);
    expect(writer.text()).toBe(original);
    expect(await tailRows(section)).toBe(rowsBefore);
    expect(await storedText(section)).toBe(original);
    const fresh = as("creator2", section);
    await waitFor(() => fresh.provider.synced, "fresh client synced");
    expect(fresh.text()).toBe(original);
    // And the reader still receives everything.
    insertText(writer.doc, 0, "Nieuw: ");
    await waitFor(() => fresh.text().includes("Nieuw: ") && Y.getState(reader.doc.store, writer.doc.clientID) > 0, "edit relayed to both");
    [writer, reader, fresh].forEach((c) => c.destroy());
  });
});

describe("rights changes on open connections", () => {
  it("closes a suspended user's socket within a second, for good", async () => {
    const c = as("creator2", "kinderen-in-beeld");
    await waitFor(() => c.provider.synced, "synced");
    const started = Date.now();
    await setUserFlag(app.db, await actor("ministerie"), await userId("creator2"), "suspend");
    await waitFor(() => c.state.closeCodes.includes(4403), "closed with 4403", 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(c.provider.shouldConnect).toBe(false);
    c.destroy();
  });

  it("downgrades an influencer removed from the drafting group to read-only within a second", async () => {
    const section = "commentaarsectie";
    const c = as("creator1", section);
    await waitFor(() => c.provider.synced && c.state.readOnly === false, "synced read-write");
    await setUserFlag(app.db, await actor("ministerie"), await userId("creator1"), "dismiss");
    await waitFor(() => c.state.readOnly === true, "downgraded", 1000);
    const rows = await tailRows(section);
    insertText(c.doc, 0, "NA ONTSLAG ");
    const other = as("creator3", section);
    await waitFor(() => other.provider.synced, "other synced");
    expect(other.text()).not.toContain("NA ONTSLAG");
    expect(await tailRows(section)).toBe(rows);
    await setUserFlag(app.db, await actor("ministerie"), await userId("creator1"), "admit");
    await waitFor(() => c.state.readOnly === false, "read-write again", 1000);
    [c, other].forEach((x) => x.destroy());
  });

  it("locking a section makes editors read-only within a second, except the ministry", async () => {
    const section = "gevoelige-producten";
    const editor = as("creator1", section);
    const ministry = as("ministerie", section);
    await waitFor(() => editor.state.readOnly === false && ministry.state.readOnly === false, "both read-write");
    await setSectionLock(app.db, await actor("ministerie"), "influencercode", section, true);
    await waitFor(() => editor.state.readOnly === true, "editor read-only", 1000);
    expect(ministry.state.readOnly).toBe(false);
    insertText(ministry.doc, 0, "Ministerie: ");
    await waitFor(() => ministry.state.saved === ministry.sent() && editor.text().includes("Ministerie: "), "ministry edit stored and relayed");
    await setSectionLock(app.db, await actor("ministerie"), "influencercode", section, false);
    await waitFor(() => editor.state.readOnly === false, "editor read-write again", 1000);
    [editor, ministry].forEach((x) => x.destroy());
  });
});
