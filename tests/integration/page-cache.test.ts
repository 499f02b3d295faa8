// The cache of signed-in pages (server/page-cache.ts): a person's second visit to a section
// page is answered without Remix, but never to another session, never to a session that ended,
// and never once anything the page shows has changed, whoever changed it and however.
import { createCookie } from "@remix-run/node";
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { config } from "../../app/config.server";
import { listenerFor } from "../../app/db.server";
import { docName, YDOC_FRAGMENT } from "../../app/domain/richtext";
import { PAGE_CHANGES_CHANNEL } from "../../app/models/page-notices.server";
import { SESSION_COOKIE } from "../../app/session.server";
import { MAX_MARKS } from "../../server/page-cache";
import { appendUpdate, loadDocState } from "../../app/models/ydocs.server";
import { startTestApp, type TestApp } from "../support/app";
import { waitFor } from "../support/collab";
import { usingPostgres } from "../support/db";
import { Client, pageText } from "../support/http";

const PAGE = "/codes/influencercode/sections/zelfdoding";

let app: TestApp;
let reader: Client;
let writer: Client;

beforeAll(async () => {
  app = await startTestApp();
  reader = new Client(app.url);
  writer = new Client(app.url);
  await reader.login("creator2@codewerf.test");
  await writer.login("creator1@codewerf.test");
}, 60_000);
afterAll(async () => app?.close());

function cspNonce(res: Response): string {
  const match = /'nonce-([^']+)'/.exec(res.headers.get("Content-Security-Policy") ?? "");
  if (!match) throw new Error("no nonce in the Content-Security-Policy");
  return match[1];
}

async function visit(client: Client, path = PAGE) {
  const before = app.pageCache.stats();
  const res = await client.get(path);
  const body = await res.text();
  const after = app.pageCache.stats();
  return { res, body, text: pageText(body), hit: after.hits > before.hits };
}

/**
 * Visits until the page is answered from the cache (the first visit renders and keeps it). A
 * notice of an earlier test's change may still arrive and drop it once, so a few tries.
 */
async function primed(client: Client) {
  for (let attempt = 0; ; attempt++) {
    const first = await visit(client);
    expect(first.res.status).toBe(200);
    const second = await visit(client);
    expect(second.res.status).toBe(200);
    if (second.hit) return second;
    if (attempt >= 4) throw new Error("the page never came from the cache");
  }
}

/** Resolves once a change notice has arrived after `since` (a snapshot of the stats). */
async function noticeAfter(since: { notices: number }) {
  await waitFor(() => app.pageCache.stats().notices > since.notices, "a change notice");
}

async function appendParagraph(text: string) {
  const name = docName("influencercode", "zelfdoding");
  const { state } = await loadDocState(app.db, name);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const before = Y.encodeStateVector(doc);
  const p = new Y.XmlElement("paragraph");
  p.insert(0, [new Y.XmlText(text)]);
  doc.getXmlFragment(YDOC_FRAGMENT).insert(doc.getXmlFragment(YDOC_FRAGMENT).length, [p]);
  await appendUpdate(app.db, name, Y.encodeStateAsUpdate(doc, before), []);
  doc.destroy();
}

describe("a signed-in person's section page", () => {
  it("is answered from the cache at the second visit, with this response's own nonce, and only to that session", async () => {
    expect(app.pageCache.stats().listening).toBe(true);
    const first = await visit(reader);
    expect(first.res.status).toBe(200);
    const second = await visit(reader);
    expect(second.hit).toBe(true);
    expect(second.res.headers.get("X-Codewerf-Private-Cache")).toBeNull();
    expect(Number(second.res.headers.get("Content-Length"))).toBe(Buffer.byteLength(second.body));
    const nonces = [...second.body.matchAll(/<script[^>]*\snonce="([^"]+)"/g)].map((m) => m[1]);
    expect(nonces.length).toBeGreaterThan(0);
    expect(new Set(nonces)).toEqual(new Set([cspNonce(second.res)]));
    expect(cspNonce(second.res)).not.toBe(cspNonce(first.res));
    expect(second.body.split(cspNonce(second.res)).join("")).toBe(first.body.split(cspNonce(first.res)).join(""));

    // Another person, and the same person in another session, each get a page of their own.
    const other = await visit(writer);
    expect(other.hit).toBe(false);
    // The header names who is signed in.
    expect(other.body).toMatch(/"displayName":"Yana Peeters"/);
    expect(second.body).toMatch(/"displayName":"Milan De Smet"/);
    expect(other.body).not.toMatch(/"displayName":"Milan De Smet"/);
    const sameUserElsewhere = new Client(app.url);
    await sameUserElsewhere.login("creator2@codewerf.test");
    expect((await visit(sameUserElsewhere)).hit).toBe(false);
    // A forged or unsigned session cookie is not a key to anyone's page.
    const forged = await fetch(app.url + PAGE, { redirect: "manual", headers: { Cookie: reader.cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A")) } });
    expect(forged.status).toBe(302);
  });

  it("answers a client-side navigation's data request from the cache too, and only with fresh data", async () => {
    const data = `${PAGE}?_data=${encodeURIComponent("routes/codes.$codeId.sections.$sectionId")}`;
    const first = await visit(reader, data);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get("Content-Type")).toContain("application/json");
    const second = await visit(reader, data);
    expect(second.hit).toBe(true);
    expect(second.res.headers.get("X-Codewerf-Private-Cache")).toBeNull();
    expect(second.body).toBe(first.body);
    expect((JSON.parse(second.body) as { user: { name: string } }).user.name).toBe("Milan De Smet");
    // Other queries are never kept.
    const other = `${data}&x=1`;
    await visit(reader, other);
    expect((await visit(reader, other)).hit).toBe(false);

    const sentence = "Ook de data van een navigatie toont deze nieuwe zin meteen.";
    await appendParagraph(sentence);
    const after = await visit(reader, data);
    expect(after.hit).toBe(false);
    expect(after.body).toContain(sentence);
  });

  it("is never answered to a session that expired or was ended, or to a suspended person", async () => {
    const victim = new Client(app.url);
    await victim.login("creator3@codewerf.test");
    await primed(victim);
    // Ended behind the app's back (no notice is sent for sessions): the check at the answer catches it.
    await sql`update sessions set expires_at = now() - interval '1 second' where user_id = (select id from users where email = 'creator3@codewerf.test')`.execute(app.db);
    const after = await visit(victim);
    expect(after.res.status).toBe(302);
    expect(after.res.headers.get("Location")).toContain("/login");

    const suspended = new Client(app.url);
    await suspended.login("agency@codewerf.test");
    await primed(suspended);
    await sql`update users set suspended_at = now() where email = 'agency@codewerf.test'`.execute(app.db);
    const res = await visit(suspended);
    expect(res.res.status).toBe(302);
    const since = app.pageCache.stats();
    await sql`update users set suspended_at = null where email = 'agency@codewerf.test'`.execute(app.db);
    await noticeAfter(since);
  });

  it("shows a new comment to its writer at once and to other readers as soon as the notice arrives", async () => {
    await primed(reader);
    await primed(writer);
    const since = app.pageCache.stats();
    const body = "Vermeld ook Zelfmoordlijn 1813 in de beschrijving, niet alleen in de video.";
    const posted = await writer.post(`${PAGE}/comments`, { intent: "create", body }, { Accept: "application/json" });
    expect(posted.status).toBe(200);
    // The writer's own next visit, right after the answer (no waiting for the notice).
    const own = await visit(writer);
    expect(own.hit).toBe(false);
    expect(own.text).toContain(body);
    // Another reader: once the commit's notice arrives (notices of earlier tests may come first).
    await noticeAfter(since);
    await waitFor(async () => (await visit(reader)).text.includes(body), "the other reader's page to show the comment", 5_000);
  });

  it("hears a reply's notices, sent after its commit: the section's page and the thread writer's unread count", async () => {
    // A reply's statement tells the triggers to stay silent and the model sends the notices
    // itself once committed (0010). Heard on a connection of the test's own: PostgreSQL delivers
    // notices in commit order, so once a marker sent after the earlier changes has arrived,
    // whatever arrives next comes from the reply.
    const heard: string[] = [];
    const listening = await listenerFor(app.db)!(PAGE_CHANGES_CHANNEL, { message: (p) => heard.push(p), lost: () => {} });
    try {
      const started = await writer.post(`${PAGE}/comments`, { intent: "create", body: "Wie kijkt de hulplijnen na?" }, { Accept: "application/json" });
      expect(started.status).toBe(200);
      const { threadId } = (await started.json()) as { threadId: string };
      const writerId = (await app.db.selectFrom("users").select("id").where("email", "=", "creator1@codewerf.test").executeTakeFirstOrThrow()).id;
      await sql`update notifications set read_at = now() where user_id = ${writerId}::uuid`.execute(app.db);
      const marker = `u:${randomUUID()}`;
      await sql`select pg_notify(${PAGE_CHANGES_CHANNEL}, ${marker})`.execute(app.db);
      await waitFor(() => heard.includes(marker), "the marker notice");
      heard.length = 0;
      await primed(writer);

      const body = "Awel heeft de nummers vorige week nagekeken.";
      const replied = await reader.post(`${PAGE}/comments`, { intent: "reply", threadId, body }, { Accept: "application/json" });
      expect(replied.status).toBe(200);
      await waitFor(() => heard.includes("s:influencercode/zelfdoding") && heard.includes(`u:${writerId}`), "the reply's notices");
      await waitFor(async () => {
        const page = await visit(writer);
        return page.text.includes(body) && /data-testid="unread-count"[^>]*>1</.test(page.body);
      }, "the writer's page to show the reply and one unread notification", 5_000);

      // The opt-out ended with the reply's transaction: a plain write right after still sends its
      // notice from the trigger (on PGlite, on the very same connection).
      heard.length = 0;
      await sql`update comment_threads set status = 'resolved' where id = ${threadId}::uuid`.execute(app.db);
      await waitFor(() => heard.includes("s:influencercode/zelfdoding"), "the trigger's notice");
    } finally {
      await listening.close();
    }
  });

  it("shows a change made straight in the database (a lock, a renamed person) after its notice", async () => {
    await primed(reader);
    let since = app.pageCache.stats();
    await sql`update sections set locked_at = now() where code_id = 'influencercode' and id = 'zelfdoding'`.execute(app.db);
    await noticeAfter(since);
    await waitFor(async () => (await visit(reader)).text.includes("Dit hoofdstuk is vergrendeld door het departement."), "the lock to show", 5_000);
    await sql`update sections set locked_at = null where code_id = 'influencercode' and id = 'zelfdoding'`.execute(app.db);

    await primed(reader);
    since = app.pageCache.stats();
    await sql`update users set display_name = 'Milan De Smet (nieuwe naam)' where email = 'creator2@codewerf.test'`.execute(app.db);
    await noticeAfter(since);
    await waitFor(async () => (await visit(reader)).text.includes("Milan De Smet (nieuwe naam)"), "the new name to show", 5_000);
  });

  it("shows the document's stored text at the very next visit, without any notice", async () => {
    await primed(reader);
    const since = app.pageCache.stats();
    const sentence = "Deze zin kwam er net bij via de live editor.";
    await appendParagraph(sentence);
    const next = await visit(reader);
    expect(next.hit).toBe(false);
    expect(next.text).toContain(sentence);
    expect(app.pageCache.stats().refused).toBeGreaterThan(since.refused);
  });

  it.runIf(usingPostgres())("empties itself and pauses when the listening connection is lost, then listens again", async () => {
    await primed(reader);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %'`.execute(app.db);
    await waitFor(() => !app.pageCache.stats().listening, "the loss to be noticed");
    expect(app.pageCache.stats().entries).toBe(0);
    expect(await (await fetch(`${app.url}/healthz`)).json()).toMatchObject({ ok: true, pageCache: { listening: false, entries: 0 } });
    // While it cannot hear about changes, every visit is rendered.
    expect((await visit(reader)).hit).toBe(false);
    expect((await visit(reader)).hit).toBe(false);
    await waitFor(() => app.pageCache.stats().listening, "listening again");
    expect(await (await fetch(`${app.url}/healthz`)).json()).toMatchObject({ pageCache: { listening: true } });
    await visit(reader);
    expect((await visit(reader)).hit).toBe(true);
  });

  it("remembers a bounded number of changes, however many sessions post", async () => {
    // Every signed-in post marks its session as changed (for renders still in progress); a
    // petition signed by tens of thousands must not leave a mark per signer behind forever.
    const cookie = createCookie(SESSION_COOKIE, { secrets: [config().sessionSecret] });
    const res = { once: () => undefined };
    for (let i = 0; i < MAX_MARKS + 500; i++) {
      const header = (await cookie.serialize(randomBytes(32).toString("base64url"))).split(";")[0];
      await app.pageCache.serve({ method: "POST", headers: { cookie: header } } as never, res as never);
    }
    expect(app.pageCache.stats().marks).toBeLessThanOrEqual(MAX_MARKS + 1);
  });
});
