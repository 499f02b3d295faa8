// Demo data for releases: version 1.0 published by the ministry from the seeded text, then a
// few later edits to the live draft (as Yjs updates, like the editor makes them) so the draft
// differs from 1.0. Idempotent: once 1.0 exists nothing is written again.
import type { Kysely } from "kysely";
import * as Y from "yjs";
import type { Database } from "../app/db.server";
import { docName, YDOC_FRAGMENT } from "../app/domain/richtext";
import { CODE_ID } from "../app/models/codes";
import { publishRelease } from "../app/models/releases.server";
import { readiness } from "../app/models/reviews.server";
import { appendUpdate, loadDocState } from "../app/models/ydocs.server";

const NOTES =
  "De eerste versie van de code voor en door influencers. Creators, bureaus en expertorganisaties schreven ze samen; vanaf nu kun je ze lezen, vergelijken en ondertekenen.";
const OVERRIDE_REASON = "Eerste publicatie: de teksten zijn in de werkgroep samen met de expertorganisaties nagelezen, nog vóór Codewerf bestond.";

/** Changes the stored document of one section with `edit`, stored as one update by `userId`. */
async function editSection(db: Kysely<Database>, sectionId: string, userId: string, edit: (fragment: Y.XmlFragment) => void): Promise<void> {
  const name = docName(CODE_ID, sectionId);
  const { state } = await loadDocState(db, name);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const before = Y.encodeStateVector(doc);
  doc.transact(() => edit(doc.getXmlFragment(YDOC_FRAGMENT)));
  await appendUpdate(db, name, Y.encodeStateAsUpdate(doc, before), [userId]);
  doc.destroy();
}

function paragraph(text: string): Y.XmlElement {
  const p = new Y.XmlElement("paragraph");
  p.insert(0, [new Y.XmlText(text)]);
  return p;
}

export async function seedReleases(db: Kysely<Database>): Promise<void> {
  const existing = await db.selectFrom("releases").select("id").where("code_id", "=", CODE_ID).executeTakeFirst();
  if (existing) return;
  const users = await db
    .selectFrom("users")
    .select(["id", "email", "role", "organisation_id", "in_drafting_group", "suspended_at"])
    .where("email", "in", ["ministerie@codewerf.test", "creator1@codewerf.test", "mediawijs@codewerf.test"])
    .execute();
  const ministry = users.find((u) => u.email === "ministerie@codewerf.test");
  const creator = users.find((u) => u.email === "creator1@codewerf.test");
  const expert = users.find((u) => u.email === "mediawijs@codewerf.test");
  if (!ministry || !creator || !expert) return;

  const ready = await readiness(db, CODE_ID);
  await publishRelease(db, ministry, {
    codeId: CODE_ID,
    kind: "minor",
    expectedLatest: "",
    notes: NOTES,
    whyChanged: {},
    overrides: ready.filter((r) => !r.ready).map((r) => ({ sectionId: r.sectionId, reason: OVERRIDE_REASON })),
  });

  // Later work on the draft, so that it differs from 1.0.
  await editSection(db, "reclame", creator.id, (fragment) => {
    const first = fragment.get(0) as Y.XmlElement;
    const text = first.get(0) as Y.XmlText;
    text.insert(text.length, " Ook een kortingscode of een affiliate link maakt van je post reclame.");
  });
  await editSection(db, "jong-publiek", expert.id, (fragment) => {
    fragment.push([
      paragraph(
        "Twijfel je of je publiek jong is? Kijk naar de statistieken van je account en naar wie reageert. Ben je niet zeker, ga er dan van uit dat er kinderen meekijken.",
      ),
    ]);
  });
}
