// Live co-authoring: concurrent writers converge, late joiners get the text, the stored state
// matches, edits are acknowledged only once stored, and who-changed-what reaches the audit log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { loadDocState } from "../../app/models/ydocs.server";
import { connectClient, fragmentText, insertText, randomEdit, waitFor, type TestClient } from "../support/collab";
import { startTestApp, type TestApp } from "../support/app";
import { Client } from "../support/http";

let app: TestApp;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp({}, { collab: { idleUnloadMs: 200 } });
  for (const who of ["creator1", "creator2", "ministerie", "awel"]) {
    const c = new Client(app.url);
    await c.login(`${who}@codewerf.test`);
    cookies[who] = c.cookie;
  }
});
afterAll(async () => app?.close());

const users = ["creator1", "creator2", "ministerie", "awel"];
const client = (section: string, i: number) => connectClient(app.url, section, { cookie: cookies[users[i % users.length]], origin: app.url });

async function storedText(section: string): Promise<string> {
  const { state } = await loadDocState(app.db, `influencercode/${section}`);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return fragmentText(doc);
}

async function editConcurrently(section: string, n: number, editsEach: number): Promise<TestClient[]> {
  const clients = Array.from({ length: n }, (_, i) => client(section, i));
  await waitFor(() => clients.every((c) => c.provider.synced), `${n} clients synced`);
  const original = clients[0].text();
  expect(original.length).toBeGreaterThan(50);
  for (let round = 0; round < editsEach; round++) {
    clients.forEach((c, i) => randomEdit(c.doc, `[${i}.${round}]`));
    await new Promise((r) => setImmediate(r));
  }
  // A last insert per client (no deletes after it), so each writer's final edit is checkable.
  clients.forEach((c, i) => insertText(c.doc, 0, `{end-${i}}`));
  await waitFor(() => clients.every((c) => c.state.saved === c.sent()), "every edit acknowledged");
  await waitFor(() => new Set(clients.map((c) => c.text())).size === 1, "all clients converge");
  return clients;
}

describe("live co-authoring", () => {
  it("two clients editing concurrently converge, and a late joiner gets the same text", async () => {
    const clients = await editConcurrently("reclame", 2, 40);
    const text = clients[0].text();
    expect(text).toContain("{end-0}");
    expect(text).toContain("{end-1}");
    const late = client("reclame", 2);
    await waitFor(() => late.provider.synced && late.text() === text, "late joiner has the text");
    expect(await storedText("reclame")).toBe(text);
    [...clients, late].forEach((c) => c.destroy());
  });

  it("twenty clients editing concurrently converge, and the store holds the same text", async () => {
    const clients = await editConcurrently("zelfdoding", 20, 10);
    const text = clients[0].text();
    for (let i = 0; i < 20; i++) expect(text).toContain(`{end-${i}}`);
    const late = client("zelfdoding", 1);
    await waitFor(() => late.provider.synced && late.text() === text, "late joiner has the text");
    expect(await storedText("zelfdoding")).toBe(text);
    [...clients, late].forEach((c) => c.destroy());
  });

  it("acknowledges an edit only after it is stored, and records who changed the section", async () => {
    const a = client("jong-publiek", 0);
    await waitFor(() => a.provider.synced, "synced");
    insertText(a.doc, 0, "Opgeslagen? ");
    const sentAt = a.sent();
    await waitFor(() => a.state.saved >= sentAt, "saved");
    expect(await storedText("jong-publiek")).toContain("Opgeslagen? ");
    await waitFor(async () => {
      const rows = await app.db.selectFrom("audit_events").select(["actor_id", "action"]).where("subject_id", "=", "influencercode/jong-publiek").where("action", "=", "section.edited").execute();
      return rows.length > 0;
    }, "audit event");
    const creator1 = await app.db.selectFrom("users").select("id").where("email", "=", "creator1@codewerf.test").executeTakeFirstOrThrow();
    const rows = await app.db.selectFrom("audit_events").select(["actor_id"]).where("subject_id", "=", "influencercode/jong-publiek").where("action", "=", "section.edited").execute();
    expect(rows.map((r) => r.actor_id)).toEqual(expect.arrayContaining([creator1.id]));
    a.destroy();
  });

  it("reports open documents and connections on /healthz", async () => {
    const a = client("reclame", 0);
    await waitFor(() => a.provider.synced, "synced");
    const body = (await (await fetch(`${app.url}/healthz`)).json()) as { collab: { docs: number; connections: number } };
    expect(body.collab.connections).toBeGreaterThanOrEqual(1);
    expect(body.collab.docs).toBeGreaterThanOrEqual(1);
    a.destroy();
  });
});
