// Comments, review and the inbox over HTTP against the real app and collab server: rights by
// crafted POSTs (403/409), author-only edit/delete, ministry-only hide, length limit (413),
// mentions → inbox, staleness from a live edit with the one-word redline, the digest e-mail
// with a working unsubscribe link, and inert markup in the outbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { sendDigests, setDigest } from "../../app/models/notifications.server";
import { readiness } from "../../app/models/reviews.server";
import { startTestApp, type TestApp } from "../support/app";
import { connectClient, waitFor } from "../support/collab";
import { Client } from "../support/http";

let app: TestApp;
const clients: Record<string, Client> = {};
const SECTION = "/codes/influencercode/sections/zelfdoding";
const who = ["creator1", "creator2", "agency", "childfocus", "awel", "ministerie", "mediawijs"] as const;

beforeAll(async () => {
  app = await startTestApp({}, { collab: {} });
  await Promise.all(
    who.map(async (w) => {
      clients[w] = new Client(app.url);
      await clients[w].login(`${w}@codewerf.test`);
    }),
  );
}, 60_000);
afterAll(async () => app?.close());

const json = { Accept: "application/json" };
async function comment(w: (typeof who)[number], form: Record<string, string>) {
  return clients[w].post(`${SECTION}/comments`, form, json);
}
async function threads(w: (typeof who)[number]) {
  const res = await clients[w].get(`${SECTION}/comments`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { threads: { id: string; status: string; comments: { id: string; body: string; hidden: { reason: string } | null; editedAt: string | null; deleted: boolean }[] }[] }).threads;
}

describe("comments", () => {
  it("only the author edits or deletes, only the ministry hides; hidden text stays visible to its author with the reason", async () => {
    const res = await comment("creator1", { intent: "create", body: "Kunnen we hier 'Awel 102' vermelden?\nGraag." });
    expect(res.status).toBe(200);
    const { threadId, commentId } = (await res.json()) as { threadId: string; commentId: string };

    expect((await comment("creator2", { intent: "edit", commentId, body: "gekaapt" })).status).toBe(403);
    expect((await comment("creator2", { intent: "delete", commentId })).status).toBe(403);
    expect((await comment("creator2", { intent: "hide", commentId, reason: "x" })).status).toBe(403);
    expect((await comment("awel", { intent: "hide", commentId, reason: "x" })).status).toBe(403);

    expect((await comment("creator1", { intent: "edit", commentId, body: "Kunnen we 'Awel 102' vermelden?" })).status).toBe(200);
    let t = (await threads("creator2")).find((x) => x.id === threadId)!;
    expect(t.comments[0].body).toBe("Kunnen we 'Awel 102' vermelden?");
    expect(t.comments[0].editedAt).not.toBeNull();

    expect((await comment("ministerie", { intent: "hide", commentId, reason: "Persoonsgegevens" })).status).toBe(200);
    t = (await threads("creator2")).find((x) => x.id === threadId)!;
    expect(t.comments[0].body).toBe("");
    expect(t.comments[0].hidden).not.toBeNull();
    const own = (await threads("creator1")).find((x) => x.id === threadId)!;
    expect(own.comments[0].body).toContain("Awel 102");
    expect(own.comments[0].hidden?.reason).toBe("Persoonsgegevens");
    const trail = await app.db.selectFrom("audit_events").selectAll().where("action", "=", "comment.hidden").execute();
    expect(trail).toHaveLength(1);

    // Reply, resolve (who and when), reopen.
    expect((await comment("creator2", { intent: "reply", threadId, body: "Akkoord" })).status).toBe(200);
    expect((await comment("creator2", { intent: "resolve", threadId })).status).toBe(200);
    const resolved = (await clients.creator1.get(`${SECTION}/comments`).then((r) => r.json())) as { threads: { id: string; status: string; resolvedBy: string; resolvedAt: string }[] };
    expect(resolved.threads.find((x) => x.id === threadId)).toMatchObject({ status: "resolved", resolvedBy: "Milan De Smet" });

    expect((await comment("creator1", { intent: "delete", commentId })).status).toBe(200);
    t = (await threads("creator2")).find((x) => x.id === threadId)!;
    expect(t.comments[0]).toMatchObject({ deleted: true, body: "" });
  });

  it("refuses an empty or over-long comment with a clear message (400/413)", async () => {
    const empty = await comment("creator1", { intent: "create", body: "   " });
    expect(empty.status).toBe(400);
    const long = await comment("creator1", { intent: "create", body: "a".repeat(20_001) });
    expect(long.status).toBe(413);
    expect(((await long.json()) as { formError: string }).formError).toMatch(/20\.000 tekens/);
    expect((await comment("creator1", { intent: "create", body: "b".repeat(10_000) })).status).toBe(200);
  });

  it("mentioning an organisation notifies its members; replies notify the thread; the nav shows the unread count", async () => {
    const res = await comment("creator2", { intent: "create", body: "@Awel en @Jonas Wouters: klopt dit nummer?" });
    const { threadId } = (await res.json()) as { threadId: string };
    const forAwel = await app.db.selectFrom("notifications as n").innerJoin("users as u", "u.id", "n.user_id").select(["u.email", "n.kind"]).where("n.thread_id", "=", threadId).execute();
    expect(forAwel.map((n) => `${n.email}:${n.kind}`).sort()).toEqual(["awel@codewerf.test:mention", "mediawijs@codewerf.test:mention"]);
    await comment("awel", { intent: "reply", threadId, body: "Ja, 102 klopt." });
    const reply = await app.db.selectFrom("notifications as n").innerJoin("users as u", "u.id", "n.user_id").select(["u.email", "n.kind"]).where("n.thread_id", "=", threadId).where("n.kind", "=", "reply").execute();
    expect(reply.map((n) => n.email)).toEqual(["creator2@codewerf.test"]);
    const page = await (await clients.awel.get("/inbox")).text();
    expect(page).toMatch(/data-testid="unread-count"[^>]*>\d+</);
    expect(page).toContain("Milan De Smet vermeldde je");
  });

  it("mail digest: plain text with inert markup and a working unsubscribe link", async () => {
    await comment("creator1", { intent: "create", body: `@Awel <script>alert(1)</script> <img src=x onerror=alert(2)> javascript:alert(3)` });
    const awel = await app.db.selectFrom("users").select("id").where("email", "=", "awel@codewerf.test").executeTakeFirstOrThrow();
    await setDigest(app.db, awel.id, true);
    expect(await sendDigests(app.db)).toBeGreaterThanOrEqual(1);
    const mail = await app.db.selectFrom("outbox").selectAll().where("to_address", "=", "awel@codewerf.test").orderBy("id", "desc").executeTakeFirstOrThrow();
    const link = /\/unsubscribe\/[A-Za-z0-9_-]+/.exec(mail.text_body)![0];
    // The outbox page shows the mail as text: the markup is escaped, never live.
    const outbox = await (await clients.ministerie.get("/outbox")).text();
    expect(outbox).not.toContain("<script>alert(1)</script>");
    expect(outbox).not.toContain("<img src=x onerror");
    const anon = new Client(app.url);
    expect((await anon.get(link)).status).toBe(200);
    expect((await anon.post(link, {})).status).toBe(200);
    expect((await app.db.selectFrom("mail_preferences").select("digest").where("user_id", "=", awel.id).executeTakeFirstOrThrow()).digest).toBe(false);
    expect((await anon.get("/unsubscribe/notavalidtoken123")).status).toBe(404);
  });
});

describe("review", () => {
  it("only members of a required organisation approve (crafted POSTs → 403), nobody twice (409)", async () => {
    for (const w of ["creator1", "agency", "childfocus", "ministerie", "mediawijs"] as const) {
      expect((await clients[w].post(`${SECTION}/review`, { intent: "approve" }, json)).status, w).toBe(403);
      expect((await clients[w].post(`${SECTION}/review`, { intent: "request_changes", body: "nee" }, json)).status, w).toBe(403);
    }
    expect((await clients.creator1.post(`${SECTION}/review`, { intent: "reviewers", "org:childfocus": "on" }, json)).status).toBe(403);
    expect((await clients.awel.post(`${SECTION}/review`, { intent: "approve" }, json)).status).toBe(200);
    expect((await clients.awel.post(`${SECTION}/review`, { intent: "approve" }, json)).status).toBe(409);
  });

  it("a live edit makes Awel's approval stale with a one-word redline; approving again makes the section ready", async () => {
    const overview = async () => (await clients.creator1.get("/codes/influencercode/review")).text();
    const cell = (html: string) => /<tr[^>]*data-section="zelfdoding"[\s\S]*?<td[^>]*data-organisation="awel"[^>]*data-state="(\w+)"/.exec(html)?.[1];
    expect([200, 409]).toContain((await clients.awel.post(`${SECTION}/review`, { intent: "approve" }, json)).status);
    expect(cell(await overview())).toBe("approved");

    const editor = connectClient(app.url, "zelfdoding", { cookie: clients.creator1.cookie, origin: app.url });
    try {
      await waitFor(() => editor.provider.synced, "creator1 synced");
      // Replace one word of the first text node holding a plain word of 6+ letters.
      const texts: Y.XmlText[] = [];
      const walk = (n: Y.XmlFragment | Y.XmlElement) => n.toArray().forEach((c) => (c instanceof Y.XmlText ? texts.push(c) : c instanceof Y.XmlElement ? walk(c) : null));
      walk(editor.doc.getXmlFragment("default"));
      let text: Y.XmlText | undefined;
      let m: RegExpExecArray | null = null;
      for (const x of texts) {
        m = /(?<=^|\s)[a-z]{6,}(?=\s)/.exec(x.toString());
        if (m && !x.toString().includes("<")) {
          text = x;
          break;
        }
      }
      expect(text && m).toBeTruthy();
      editor.doc.transact(() => {
        text!.delete(m!.index, m![0].length);
        text!.insert(m!.index, "voorzichtig");
      });
      await waitFor(() => editor.state.saved > 0, "edit stored");
      await waitFor(async () => cell(await overview()) === "stale", "overview shows stale", 10_000);

      const review = (await (await clients.awel.get(`${SECTION}/review`)).json()) as { redlines: { organisationId: string; parts: { value: string; added?: boolean; removed?: boolean }[] }[] };
      const parts = review.redlines.find((r) => r.organisationId === "awel")!.parts;
      expect(parts.filter((p) => p.removed).map((p) => p.value.trim())).toEqual([m![0]]);
      expect(parts.filter((p) => p.added).map((p) => p.value.trim())).toEqual(["voorzichtig"]);
      // Awel's members are asked to review again.
      const asked = await app.db.selectFrom("notifications").select("kind").where("kind", "=", "review_request").where("section_id", "=", "zelfdoding").execute();
      expect(asked.length).toBeGreaterThan(0);

      expect((await clients.awel.post(`${SECTION}/review`, { intent: "approve" }, json)).status).toBe(200);
      expect(cell(await overview())).toBe("approved");
      expect((await readiness(app.db, "influencercode")).find((r) => r.sectionId === "zelfdoding")!.ready).toBe(true);
    } finally {
      editor.destroy();
    }
  }, 60_000);

  it("request changes needs a comment, which becomes a thread", async () => {
    const res = await clients.childfocus.post("/codes/influencercode/sections/grenzen/review", { intent: "request_changes", body: "Voeg stopchildporno.be toe." }, json);
    expect(res.status).toBe(200);
    const { threadId } = (await res.json()) as { threadId: string };
    const t = await app.db.selectFrom("comment_threads").selectAll().where("id", "=", threadId).executeTakeFirstOrThrow();
    expect(t.kind).toBe("changes_requested");
    expect((await clients.childfocus.post("/codes/influencercode/sections/grenzen/review", { intent: "request_changes", body: " " }, json)).status).toBe(400);
  });
});
