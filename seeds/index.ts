// Demo data: organisations, the accounts of CONTRACT.md, and the code `influencercode` with
// its ten sections and starting text. Idempotent: a second run changes nothing.
import { prosemirrorJSONToYDoc } from "@tiptap/y-tiptap";
import { sql, type Kysely } from "kysely";
import * as Y from "yjs";
import { hashPassword } from "../app/crypto.server";
import type { Database, Role } from "../app/db.server";
import { docName, richTextSchema, YDOC_FRAGMENT } from "../app/domain/richtext";
import { organisations, sections } from "./content";
import { seedHistory } from "./history";
import { seedReleases } from "./releases";
import { seedPledges } from "./pledges";

import { CODE_ID } from "../app/models/codes";
export { CODE_ID };
export const DEMO_PASSWORD = "codewerf-demo";

interface DemoAccount {
  email: string;
  displayName: string;
  role: Role;
  organisation: string | null;
  inDraftingGroup: boolean;
}

export const demoAccounts: DemoAccount[] = [
  { email: "ministerie@codewerf.test", displayName: "Sofie Martens", role: "ministry", organisation: "ministry", inDraftingGroup: true },
  { email: "awel@codewerf.test", displayName: "Lien Claes", role: "expert", organisation: "awel", inDraftingGroup: true },
  { email: "childfocus@codewerf.test", displayName: "Pieter Janssens", role: "expert", organisation: "childfocus", inDraftingGroup: true },
  { email: "sensoa@codewerf.test", displayName: "Amira Bouzid", role: "expert", organisation: "sensoa", inDraftingGroup: true },
  { email: "mediawijs@codewerf.test", displayName: "Jonas Wouters", role: "expert", organisation: "mediawijs", inDraftingGroup: true },
  { email: "agency@codewerf.test", displayName: "Tom Verhoeven", role: "agency", organisation: "agency", inDraftingGroup: true },
  { email: "creator1@codewerf.test", displayName: "Yana Peeters", role: "influencer", organisation: null, inDraftingGroup: true },
  { email: "creator2@codewerf.test", displayName: "Milan De Smet", role: "influencer", organisation: null, inDraftingGroup: true },
  { email: "creator3@codewerf.test", displayName: "Noor El Amrani", role: "influencer", organisation: null, inDraftingGroup: false },
];

export async function seedDemoData(db: Kysely<Database>): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction().execute(async (trx) => {
    for (const o of organisations) {
      await trx
        .insertInto("organisations")
        .values({ id: o.slug, name: o.name, kind: o.kind, fields: JSON.stringify(o.fields), description: o.description })
        .onConflict((oc) => oc.column("id").doNothing())
        .execute();
    }
    for (const a of demoAccounts) {
      await trx
        .insertInto("users")
        .values({
          email: a.email,
          display_name: a.displayName,
          role: a.role,
          organisation_id: a.organisation,
          in_drafting_group: a.inDraftingGroup,
          password_hash: passwordHash,
          email_confirmed_at: new Date(),
        })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
        .execute();
    }
    await trx
      .insertInto("codes")
      .values({
        id: CODE_ID,
        title: "Code voor en door influencers",
        description: "De Vlaamse gedragscode die influencers samen met expertorganisaties en de Vlaamse overheid schrijven.",
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
    for (const s of sections) {
      const inserted = await trx
        .insertInto("sections")
        .values({ code_id: CODE_ID, id: s.id, title: s.title, position: s.position })
        .onConflict((oc) => oc.columns(["code_id", "id"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      for (const org of s.reviewers) {
        await trx
          .insertInto("section_reviewers")
          .values({ code_id: CODE_ID, section_id: s.id, organisation_id: org })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      if (inserted) {
        const ydoc = prosemirrorJSONToYDoc(richTextSchema, s.body, YDOC_FRAGMENT);
        await trx
          .insertInto("ydoc_snapshots")
          .values({ doc_name: docName(CODE_ID, s.id), state: Y.encodeStateAsUpdate(ydoc), last_update_id: 0 })
          .onConflict((oc) => oc.column("doc_name").doNothing())
          .execute();
        ydoc.destroy();
      }
    }
  });
  await seedHistory(db, CODE_ID);
  await seedReleases(db);
  await seedPledges(db);
}

/** True when the database holds no accounts yet (a fresh embedded start). */
export async function isEmpty(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom("users").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n) === 0;
}
