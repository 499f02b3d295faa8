// My data (GDPR): the export holds the person's pledges, comments and reviews (and every other
// row pointing at them); after erasure no row in any table holds their e-mail or name, their
// pledge leaves the registry and its badge says it no longer exists, their comment stays.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app";
import { Client, pageText } from "../support/http";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const NAME = "Zoë Privacyvoorbeeld";
const EMAIL = "zoe.privacyvoorbeeld@example.be";

/** Every row of every table (cast to text) that mentions `needle`, as "table: row". */
async function rowsMentioning(needle: string): Promise<string[]> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(app.db);
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["users", "pledges", "outbox", "audit_events", "comments", "notifications", "sessions", "tokens"]));
  const hits: string[] = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t where position(lower(${needle}) in lower(t::text)) > 0`.execute(app.db);
    for (const r of rows) hits.push(`${name}: ${r.row}`);
  }
  return hits;
}

describe("my data", () => {
  it("exports everything about the person, then erases them from every table", async () => {
    const hash = await app.db.selectFrom("users").select("password_hash").where("email", "=", "creator1@codewerf.test").executeTakeFirstOrThrow();
    const user = await app.db
      .insertInto("users")
      .values({ email: EMAIL, display_name: NAME, role: "influencer", password_hash: hash.password_hash, email_confirmed_at: new Date() })
      .returning("id")
      .executeTakeFirstOrThrow();
    const zoe = new Client(app.url);
    await zoe.login(EMAIL);

    // A confirmed pledge (through the pages and the mailed link).
    const form = await (await zoe.get("/pledge")).text();
    const textSha256 = /name="textSha256" value="([0-9a-f]{64})"/.exec(form)![1];
    const signed = await zoe.post("/pledge", { publicName: NAME, instagram: "zoe.privacy", tiktok: "", youtube: "", twitch: "", under13: "no", guardianEmail: "", textSha256 });
    expect(signed.status).toBe(302);
    const pledgeId = /\/pledges\/([0-9a-f-]{36})/.exec(signed.headers.get("location")!)![1];
    const mail = await app.db.selectFrom("outbox").select("text_body").where("to_address", "=", EMAIL).executeTakeFirstOrThrow();
    const link = /(\/pledge\/confirm\/\S+)/.exec(mail.text_body)![1];
    expect((await new Client(app.url).post(link, {})).status).toBe(200);

    // A comment and a review by her, and traces of her in other people's rows.
    const thread = await app.db.insertInto("comment_threads").values({ code_id: "influencercode", section_id: "reclame", created_by: user.id, quote: "reclame" }).returning("id").executeTakeFirstOrThrow();
    const comment = await app.db.insertInto("comments").values({ thread_id: thread.id, author_id: user.id, body: "Mag een kortingscode ook in de bio staan?" }).returning("id").executeTakeFirstOrThrow();
    const creator2 = await app.db.selectFrom("users").select("id").where("email", "=", "creator2@codewerf.test").executeTakeFirstOrThrow();
    await app.db.insertInto("comments").values({ thread_id: thread.id, author_id: creator2.id, body: `Goeie vraag, @${NAME}!` }).execute();
    await app.db.insertInto("reviews").values({ code_id: "influencercode", section_id: "reclame", organisation_id: "awel", state: "approved", user_id: user.id, content_hash: "x", content_text: "tekst" }).execute();
    await app.db.insertInto("notifications").values({ user_id: creator2.id, kind: "reply", actor_id: user.id, data: sql`${JSON.stringify({ actorName: NAME, actorEmail: EMAIL })}::jsonb` }).execute();
    await app.db.insertInto("audit_events").values({ actor_id: null, action: "user.invited", subject_type: "user", subject_id: user.id, data: JSON.stringify({ email: EMAIL, name: NAME }) }).execute();
    expect((await rowsMentioning(EMAIL)).length).toBeGreaterThan(0);

    // The export: a JSON download with her pledges, comments and reviews, without secrets.
    const res = await zoe.get("/account/data.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const data = await res.json();
    expect(data.user).toMatchObject({ id: user.id, email: EMAIL, display_name: NAME });
    expect(data.user).not.toHaveProperty("password_hash");
    expect(data.pledges.map((p: { id: string }) => p.id)).toEqual([pledgeId]);
    expect(data.comments.map((c: { id: string }) => c.id)).toEqual([comment.id]);
    expect(data.reviews).toHaveLength(1);
    expect(data.auditEvents.some((e: { action: string }) => e.action === "pledge.signed")).toBe(true);
    expect(data.mail.length).toBeGreaterThan(0);
    expect(JSON.stringify(data)).not.toContain("$argon2");
    // Someone else cannot read it: the download is always the signed-in person's own.
    const other = new Client(app.url);
    await other.login("creator2@codewerf.test");
    const theirs = await (await other.get("/account/data.json")).json();
    expect(theirs.user.email).toBe("creator2@codewerf.test");
    expect(theirs.pledges.map((p: { id: string }) => p.id)).not.toContain(pledgeId);
    expect(theirs.comments.map((c: { id: string }) => c.id)).not.toContain(comment.id);

    // Erasing needs the explicit tick.
    expect((await zoe.post("/account/data", {})).status).toBe(400);
    const erased = await zoe.post("/account/data", { confirm: "yes" });
    expect(erased.status).toBe(200);
    expect(pageText(await erased.text())).toContain("Je account en je gegevens zijn verwijderd.");

    expect(await rowsMentioning(EMAIL)).toEqual([]);
    expect(await rowsMentioning(NAME)).toEqual([]);

    // Signed out, and the account cannot be used again.
    expect((await zoe.get("/account/data")).status).toBe(302);
    expect((await new Client(app.url).post("/login", { email: EMAIL, password: "codewerf-demo" })).status).not.toBe(302);
    // The pledge left the registry; its badge says it no longer exists.
    const registry = await (await new Client(app.url).get("/api/pledges")).json();
    expect(registry.pledges.map((p: { id: string }) => p.id)).not.toContain(pledgeId);
    const badge = await new Client(app.url).get(`/pledges/${pledgeId}/badge.svg`);
    expect(badge.status).toBe(404);
    expect(await badge.text()).toContain("bestaat niet");
    // Her comment stays, by a user row without name (shown as "verwijderde gebruiker").
    const kept = await app.db.selectFrom("comments").innerJoin("users", "users.id", "comments.author_id").select(["comments.body", "users.display_name", "users.deleted_at"]).where("comments.id", "=", comment.id).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ body: "Mag een kortingscode ook in de bio staan?", display_name: "" });
    expect(kept.deleted_at).not.toBeNull();
  });
});
