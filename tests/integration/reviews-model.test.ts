// The review contract (reviewMatrix, readiness) and its rules at the model level: who may
// approve, no double approval, staleness from the stored text, the redline since approval.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { DB } from "../../app/db.server";
import { docName, YDOC_FRAGMENT } from "../../app/domain/richtext";
import { changesSinceApproval, readiness, refreshStaleness, reviewMatrix, submitReview } from "../../app/models/reviews.server";
import { appendUpdate, loadDocState } from "../../app/models/ydocs.server";
import { testDatabase } from "../support/db";
import { status } from "../support/status";

let db: DB;
beforeAll(async () => {
  ({ db } = await testDatabase());
});
afterAll(async () => db?.destroy());

const CODE = "influencercode";
async function actor(email: string) {
  return db.selectFrom("users").selectAll().where("email", "=", email).executeTakeFirstOrThrow();
}
/** Replaces the first occurrence of `from` in the first text node containing it. */
async function replaceWord(sectionId: string, from: string, to: string) {
  const name = docName(CODE, sectionId);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, (await loadDocState(db, name)).state);
  const before = Y.encodeStateVector(doc);
  const walk = (node: Y.XmlFragment | Y.XmlElement): boolean => {
    for (const child of node.toArray()) {
      if (child instanceof Y.XmlText) {
        const s = child.toString().replace(/<[^>]+>/g, "");
        const i = s.indexOf(from);
        if (i >= 0) {
          child.delete(i, from.length);
          child.insert(i, to);
          return true;
        }
      } else if (child instanceof Y.XmlElement && walk(child)) return true;
    }
    return false;
  };
  expect(walk(doc.getXmlFragment(YDOC_FRAGMENT))).toBe(true);
  await appendUpdate(db, name, Y.encodeStateAsUpdate(doc, before), []);
}

describe("review model", () => {
  it("has one pending cell per (section, required organisation)", async () => {
    const cells = await reviewMatrix(db, CODE);
    const reviewers = await db.selectFrom("section_reviewers").selectAll().where("code_id", "=", CODE).execute();
    expect(cells).toHaveLength(reviewers.length);
    expect(cells.every((c) => c.state === "pending" && c.at === null && c.by === null)).toBe(true);
    expect(cells.filter((c) => c.sectionId === "zelfdoding").map((c) => c.organisationName)).toEqual(["Awel"]);
    const ready = await readiness(db, CODE);
    expect(ready).toHaveLength(10);
    expect(ready.every((r) => !r.ready)).toBe(true);
  });

  it("lets only members of a required organisation approve, once per text; goes stale on change", async () => {
    const awel = await actor("awel@codewerf.test");
    for (const email of ["creator1@codewerf.test", "agency@codewerf.test", "childfocus@codewerf.test", "ministerie@codewerf.test"]) {
      expect(await status(submitReview(db, await actor(email), CODE, "zelfdoding", "approved"))).toBe(403);
    }
    expect(await status(submitReview(db, awel, CODE, "zelfdoding", "approved"))).toBe(200);
    expect(await status(submitReview(db, awel, CODE, "zelfdoding", "approved"))).toBe(409);
    let cell = (await reviewMatrix(db, CODE)).find((c) => c.sectionId === "zelfdoding")!;
    expect(cell).toMatchObject({ state: "approved", by: "Lien Claes", organisationId: "awel" });
    expect((await readiness(db, CODE)).find((r) => r.sectionId === "zelfdoding")!.ready).toBe(true);

    const text = (await db.selectFrom("reviews").select("content_text").executeTakeFirstOrThrow()).content_text;
    const word = text.split(/\s+/).find((w) => /^[a-z]{5,}$/.test(w))!;
    await replaceWord("zelfdoding", word, "XYZWORD");
    expect(await refreshStaleness(db, CODE, "zelfdoding")).toEqual(["awel"]);
    cell = (await reviewMatrix(db, CODE)).find((c) => c.sectionId === "zelfdoding")!;
    expect(cell.state).toBe("stale");
    expect((await readiness(db, CODE)).find((r) => r.sectionId === "zelfdoding")!.ready).toBe(false);
    const diff = (await changesSinceApproval(db, CODE, "zelfdoding", "awel"))!;
    expect(diff.filter((p) => p.removed).map((p) => p.value.trim())).toEqual([word]);
    expect(diff.filter((p) => p.added).map((p) => p.value.trim())).toEqual(["XYZWORD"]);

    // Approving the changed text is allowed again and makes the section ready.
    expect(await status(submitReview(db, awel, CODE, "zelfdoding", "approved"))).toBe(200);
    expect((await readiness(db, CODE)).find((r) => r.sectionId === "zelfdoding")!.ready).toBe(true);
  });
});
