// The section's comment data is cached per version of the threads and of the document: every
// change shows at the next load, whoever made it (the model, a plain SQL update such as account
// erasure's sweep, a rename, an edit of the text that deletes an anchored span). And a reply,
// written in one statement, still checks its thread and notifies mentions and the thread.
import { initProseMirrorDoc } from "@tiptap/y-tiptap";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { DB } from "../../app/db.server";
import { anchorFromProseMirror } from "../../app/domain/anchors";
import { docName, richTextSchema, YDOC_FRAGMENT } from "../../app/domain/richtext";
import { createThread, hideComment, listThreads, reply, setThreadStatus } from "../../app/models/comments.server";
import { appendUpdate, loadDocState } from "../../app/models/ydocs.server";
import { testDatabase } from "../support/db";
import { status } from "../support/status";

let db: DB;
beforeAll(async () => {
  ({ db } = await testDatabase());
});
afterAll(async () => db?.destroy());

const CODE = "influencercode";
const SECTION = "zelfdoding";
const user = (email: string) => db.selectFrom("users").selectAll().where("email", "=", `${email}@codewerf.test`).executeTakeFirstOrThrow();

async function storedDoc() {
  const ydoc = new Y.Doc();
  Y.applyUpdate(ydoc, (await loadDocState(db, docName(CODE, SECTION))).state);
  const type = ydoc.getXmlFragment(YDOC_FRAGMENT);
  const { doc: pm, mapping } = initProseMirrorDoc(type, richTextSchema);
  return { ydoc, type, pm, mapping };
}

/** The first word of five or more letters in the stored text, and its ProseMirror range. */
async function someWord() {
  const { pm } = await storedDoc();
  let found: { word: string; from: number } | null = null;
  pm.descendants((node, pos) => {
    const m = !found && node.isText ? /\b[a-z]{5,}\b/.exec(node.text ?? "") : null;
    if (m) found = { word: m[0], from: pos + m.index };
    return !found;
  });
  expect(found).not.toBeNull();
  return found!;
}

/** Deletes the first occurrence of `word` from the stored document, as an editor's update would. */
async function deleteStoredText(word: string) {
  const { ydoc: doc } = await storedDoc();
  const before = Y.encodeStateVector(doc);
  const walk = (node: Y.XmlFragment | Y.XmlElement): boolean => {
    for (const child of node.toArray()) {
      if (child instanceof Y.XmlText) {
        const i = child.toString().indexOf(word);
        if (i >= 0) {
          child.delete(i, word.length);
          return true;
        }
      } else if (child instanceof Y.XmlElement && walk(child)) return true;
    }
    return false;
  };
  expect(walk(doc.getXmlFragment(YDOC_FRAGMENT))).toBe(true);
  await appendUpdate(db, docName(CODE, SECTION), Y.encodeStateAsUpdate(doc, before), []);
}

describe("comment data", () => {
  it("an anchored thread turns 'tekst verwijderd' when a new version of the text deletes its span, not before", async () => {
    const yana = await user("creator1");
    const { word, from } = await someWord();
    const { type, mapping } = await storedDoc();
    const anchor = anchorFromProseMirror(type, mapping, from, from + word.length);
    const { threadId } = await createThread(db, yana, { codeId: CODE, sectionId: SECTION, body: "Klopt dit woord?", anchorStart: anchor.start, anchorEnd: anchor.end, quote: word });

    const detached = async () => (await listThreads(db, yana, CODE, SECTION)).find((t) => t.id === threadId)!.detached;
    expect(await detached()).toBe(false);
    expect(await detached()).toBe(false);
    await deleteStoredText(word);
    expect(await detached()).toBe(true);
  });

  it("shows every change at the next load: replies, resolving, hiding, plain SQL updates and renames", async () => {
    const [yana, milan, sofie] = await Promise.all([user("creator1"), user("creator2"), user("ministerie")]);
    const { threadId } = await createThread(db, yana, { codeId: CODE, sectionId: SECTION, body: "Eerste opmerking" });
    const thread = async (viewer = yana) => (await listThreads(db, viewer, CODE, SECTION)).find((t) => t.id === threadId)!;
    expect((await thread()).comments.map((c) => c.body)).toEqual(["Eerste opmerking"]);

    const { commentId } = await reply(db, milan, CODE, SECTION, threadId, "Een antwoord");
    expect((await thread()).comments.map((c) => `${c.authorName}: ${c.body}`)).toEqual(["Yana Peeters: Eerste opmerking", "Milan De Smet: Een antwoord"]);

    await setThreadStatus(db, sofie, CODE, SECTION, threadId, "resolved");
    expect(await thread()).toMatchObject({ status: "resolved", resolvedBy: "Sofie Martens" });

    await hideComment(db, sofie, CODE, SECTION, commentId, "Off-topic");
    expect((await thread(yana)).comments[1]).toMatchObject({ body: "", hidden: { reason: "" } });
    expect((await thread(milan)).comments[1]).toMatchObject({ body: "Een antwoord", hidden: { reason: "Off-topic" } });

    // Written past the model, as account erasure's sweep does.
    await db.updateTable("comments").set({ body: "Eerste [verwijderd]" }).where("thread_id", "=", threadId).where("author_id", "=", yana.id).execute();
    await db.updateTable("users").set({ display_name: "Yana P." }).where("id", "=", yana.id).execute();
    expect((await thread()).comments[0]).toMatchObject({ body: "Eerste [verwijderd]", authorName: "Yana P." });
    await db.updateTable("users").set({ display_name: yana.display_name }).where("id", "=", yana.id).execute();

    // Rows added and removed past the model: a new comment, then the removal of one that is not
    // the newest (it leaves no newer revision behind, so only its thread's touch can tell).
    await db.insertInto("comments").values({ thread_id: threadId, author_id: milan.id, body: "Rechtstreeks toegevoegd" }).execute();
    expect((await thread()).comments.map((c) => c.body)).toEqual(["Eerste [verwijderd]", "", "Rechtstreeks toegevoegd"]);
    await db.deleteFrom("comments").where("id", "=", commentId).execute();
    expect((await thread()).comments.map((c) => c.body)).toEqual(["Eerste [verwijderd]", "Rechtstreeks toegevoegd"]);
  });

  it("gives every comment's dates exactly as stored, whether the section is read whole or brought up to date", async () => {
    const [yana, milan] = await Promise.all([user("creator1"), user("creator2")]);
    const { threadId } = await createThread(db, yana, { codeId: CODE, sectionId: SECTION, body: "Wanneer schreef ik dit?" });
    await reply(db, milan, CODE, SECTION, threadId, "Net daarna");
    await db.updateTable("comments").set({ edited_at: new Date("2026-03-04T05:06:07.891Z") }).where("thread_id", "=", threadId).where("author_id", "=", milan.id).execute();
    const stored = async () =>
      (await db.selectFrom("comments").select(["id", "created_at", "edited_at"]).where("thread_id", "=", threadId).orderBy("created_at").orderBy("id").execute()).map((c) => ({
        id: c.id,
        createdAt: new Date(c.created_at).toISOString(),
        editedAt: c.edited_at ? new Date(c.edited_at).toISOString() : null,
      }));
    const shown = async () => (await listThreads(db, yana, CODE, SECTION)).find((t) => t.id === threadId)!.comments.map((c) => ({ id: c.id, createdAt: c.createdAt, editedAt: c.editedAt }));
    expect(await shown()).toEqual(await stored());
    // A deleted thread makes the next load read the whole section again.
    const { threadId: other } = await createThread(db, milan, { codeId: CODE, sectionId: SECTION, body: "Deze verdwijnt" });
    expect((await listThreads(db, yana, CODE, SECTION)).some((t) => t.id === other)).toBe(true);
    await db.deleteFrom("comment_threads").where("id", "=", other).execute();
    const whole = await shown();
    expect(whole).toEqual(await stored());
    expect(whole[1].editedAt).toBe("2026-03-04T05:06:07.891Z");
    expect((await listThreads(db, yana, CODE, SECTION)).some((t) => t.id === other)).toBe(false);
  });

  it("a reply checks its thread, touches it, and notifies the thread's writers and the mentioned once each", async () => {
    const [yana, milan, tom, lien] = await Promise.all([user("creator1"), user("creator2"), user("agency"), user("awel")]);
    const { threadId } = await createThread(db, yana, { codeId: CODE, sectionId: SECTION, body: "Wat vinden jullie?" });
    await reply(db, lien, CODE, SECTION, threadId, "Goed zo");
    const touched = async () => (await db.selectFrom("comment_threads").select("updated_at").where("id", "=", threadId).executeTakeFirstOrThrow()).updated_at.getTime();
    const before = await touched();

    const { commentId } = await reply(db, tom, CODE, SECTION, threadId, "Eens met @Awel en @Milan De Smet.");
    const notes = await db
      .selectFrom("notifications as n")
      .innerJoin("users as u", "u.id", "n.user_id")
      .select(["u.email", "n.kind"])
      .where("n.comment_id", "=", commentId)
      .orderBy("u.email")
      .execute();
    expect(notes.map((n) => `${n.email}:${n.kind}`)).toEqual(["awel@codewerf.test:mention", "creator1@codewerf.test:reply", "creator2@codewerf.test:mention"]);
    const mentions = await db.selectFrom("comment_mentions").select(["user_id", "organisation_id"]).where("comment_id", "=", commentId).execute();
    expect(mentions.map((m) => m.user_id ?? m.organisation_id).sort()).toEqual([milan.id, "awel"].sort());
    expect(await touched()).toBeGreaterThanOrEqual(before);
    expect((await listThreads(db, milan, CODE, SECTION)).find((t) => t.id === threadId)!.comments).toHaveLength(3);

    // A thread of another section, or none at all: not found, and nothing written.
    const other = await createThread(db, yana, { codeId: CODE, sectionId: "reclame", body: "Elders" });
    expect(await status(reply(db, tom, CODE, SECTION, other.threadId, "Verkeerde sectie"))).toBe(404);
    expect(await status(reply(db, tom, CODE, SECTION, "00000000-0000-4000-8000-000000000000", "Bestaat niet"))).toBe(404);
    const stray = await db.selectFrom("comments").select("id").where("body", "in", ["Verkeerde sectie", "Bestaat niet"]).execute();
    expect(stray).toEqual([]);
  });
});
