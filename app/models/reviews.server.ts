// Expert review per section: each required organisation approves or requests changes. The
// newest verdict per (section, organisation) counts; an approval goes *stale* when the text
// changes afterwards (the collaboration server's `section.changed` event recomputes the
// content hash from the stored document and compares it with the approved one).
import { createHash } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { Database } from "~/db.server";
import { AppError } from "~/domain/errors";
import { redline, type RedlinePart } from "~/domain/redline";
import { plainText, type PMJSON } from "~/domain/richtext";
import { on } from "~/events.server";
import { log } from "~/log.server";
import { authorize, type Actor } from "~/policies.server";
import { recordEvent } from "./audit.server";
import { getSection, sectionResource, sectionText } from "./sections.server";

type DB = Kysely<Database>;

export type ReviewState = "pending" | "approved" | "changes_requested" | "stale";

export interface ReviewCell {
  sectionId: string;
  organisationId: string;
  organisationName: string;
  state: ReviewState;
  /** When the current verdict was given (null while pending). */
  at: Date | null;
  /** Display name of who gave it ("" for a deleted account; null while pending). */
  by: string | null;
  /** Extra (not in the contract's minimum): the reviewer's user id and when the approval went stale. */
  byUserId?: string | null;
  staleAt?: Date | null;
  reviewId?: string | null;
}

/** sha256 of a section's content (its ProseMirror JSON), the fingerprint an approval keeps. */
export function contentHash(json: PMJSON): string {
  return createHash("sha256").update(JSON.stringify(json)).digest("hex");
}

interface MatrixRow {
  section_id: string;
  position: number;
  organisation_id: string;
  organisation_name: string;
  review_id: string | null;
  state: "approved" | "changes_requested" | null;
  at: Date | null;
  stale_at: Date | null;
  user_id: string | null;
  by_name: string | null;
}

function toCell(r: MatrixRow): ReviewCell {
  const state: ReviewState = r.state === null ? "pending" : r.state === "approved" ? (r.stale_at ? "stale" : "approved") : "changes_requested";
  return {
    sectionId: r.section_id,
    organisationId: r.organisation_id,
    organisationName: r.organisation_name,
    state,
    at: r.at ? new Date(r.at) : null,
    by: r.state === null ? null : (r.by_name ?? ""),
    byUserId: r.user_id,
    staleAt: r.stale_at ? new Date(r.stale_at) : null,
    reviewId: r.review_id === null ? null : String(r.review_id),
  };
}

async function matrixRows(db: DB, codeId: string, sectionId?: string): Promise<MatrixRow[]> {
  const { rows } = await sql<MatrixRow>`
    select s.id as section_id, s.position, o.id as organisation_id, o.name as organisation_name,
           cur.id::text as review_id, cur.state, cur.at, cur.stale_at, cur.user_id, u.display_name as by_name
    from sections s
    join section_reviewers sr on sr.code_id = s.code_id and sr.section_id = s.id
    join organisations o on o.id = sr.organisation_id
    left join lateral (
      select r.* from reviews r
      where r.code_id = s.code_id and r.section_id = s.id and r.organisation_id = o.id
      order by r.id desc limit 1
    ) cur on true
    left join users u on u.id = cur.user_id
    where s.code_id = ${codeId} ${sectionId === undefined ? sql`` : sql`and s.id = ${sectionId}`}
    order by s.position, o.name`.execute(db);
  return rows;
}

/** One cell per (section, required organisation), sections in order, organisations by name. */
export async function reviewMatrix(db: DB, codeId: string): Promise<ReviewCell[]> {
  return (await matrixRows(db, codeId)).map(toCell);
}

export async function sectionReviews(db: DB, codeId: string, sectionId: string): Promise<ReviewCell[]> {
  return (await matrixRows(db, codeId, sectionId)).map(toCell);
}

/** Per section (in order): ready when every required organisation has a current approval. */
export async function readiness(db: DB, codeId: string): Promise<{ sectionId: string; ready: boolean; cells: ReviewCell[] }[]> {
  const sections = await db.selectFrom("sections").select("id").where("code_id", "=", codeId).orderBy("position").execute();
  const cells = await reviewMatrix(db, codeId);
  return sections.map(({ id }) => {
    const mine = cells.filter((c) => c.sectionId === id);
    return { sectionId: id, ready: mine.every((c) => c.state === "approved"), cells: mine };
  });
}

async function currentContent(db: DB, codeId: string, sectionId: string) {
  const text = await sectionText(db, codeId, sectionId);
  return { hash: contentHash(text.json), text: plainText(text.json) };
}

/**
 * Records a verdict of the actor's organisation. Only members of a required organisation
 * (403); an organisation cannot approve a text it already approved (409). Requesting changes
 * needs a comment, which the caller turns into a thread (`threadId`).
 */
export async function submitReview(
  db: DB,
  actor: Actor,
  codeId: string,
  sectionId: string,
  verdict: "approved" | "changes_requested",
  opts: { threadId?: string | null } = {},
): Promise<{ id: string }> {
  const section = await getSection(db, codeId, sectionId);
  authorize(actor, "section.review", sectionResource(section));
  const organisationId = actor.organisation_id!;
  const content = await currentContent(db, codeId, sectionId);
  return db.transaction().execute(async (trx) => {
    // Serialise verdicts per (section, organisation) so two clicks cannot both approve.
    await sql`select pg_advisory_xact_lock(hashtext(${`review:${codeId}/${sectionId}/${organisationId}`}))`.execute(trx);
    const current = await trx
      .selectFrom("reviews")
      .select(["state", "stale_at", "content_hash"])
      .where("code_id", "=", codeId)
      .where("section_id", "=", sectionId)
      .where("organisation_id", "=", organisationId)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (verdict === "approved" && current?.state === "approved" && !current.stale_at && current.content_hash === content.hash) {
      throw new AppError("CONFLICT", "review.alreadyApproved");
    }
    const row = await trx
      .insertInto("reviews")
      .values({
        code_id: codeId,
        section_id: sectionId,
        organisation_id: organisationId,
        state: verdict,
        user_id: actor.id,
        content_hash: content.hash,
        content_text: content.text,
        thread_id: opts.threadId ?? null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordEvent(trx, {
      actorId: actor.id,
      action: verdict === "approved" ? "review.approved" : "review.changes_requested",
      subjectType: "section",
      subjectId: `${codeId}/${sectionId}`,
      data: { organisationId, reviewId: String(row.id), contentHash: content.hash },
    });
    return { id: String(row.id) };
  });
}

/**
 * After a stored change: approvals whose hash differs from the stored text go stale, and ones
 * that match again (an undo) count again. Returns the organisations that just went stale.
 */
export async function refreshStaleness(db: DB, codeId: string, sectionId: string): Promise<string[]> {
  // Only approvals can go stale: without any, skip loading and hashing the text (this runs on
  // the collaboration server's event loop after every burst of edits).
  const approved = await db
    .selectFrom("reviews")
    .select("id")
    .where("code_id", "=", codeId)
    .where("section_id", "=", sectionId)
    .where("state", "=", "approved")
    .limit(1)
    .executeTakeFirst();
  if (!approved) return [];
  const { hash } = await currentContent(db, codeId, sectionId);
  const { rows } = await sql<{ organisation_id: string; went_stale: boolean }>`
    with cur as (
      select distinct on (organisation_id) id, organisation_id, state, content_hash, stale_at
      from reviews where code_id = ${codeId} and section_id = ${sectionId}
      order by organisation_id, id desc
    )
    update reviews r
       set stale_at = case when r.content_hash = ${hash} then null else coalesce(r.stale_at, now()) end
      from cur
     where r.id = cur.id and cur.state = 'approved'
       and ((r.content_hash = ${hash}) = (r.stale_at is not null))
    returning r.organisation_id, (r.stale_at is not null) as went_stale`.execute(db);
  return rows.filter((r) => r.went_stale).map((r) => r.organisation_id);
}

/** "Wat veranderde sinds de goedkeuring": word diff from the approved text to the current one. */
export async function changesSinceApproval(db: DB, codeId: string, sectionId: string, organisationId: string): Promise<RedlinePart[] | null> {
  const approved = await db
    .selectFrom("reviews")
    .select(["content_text", "state"])
    .where("code_id", "=", codeId)
    .where("section_id", "=", sectionId)
    .where("organisation_id", "=", organisationId)
    .where("state", "=", "approved")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!approved) return null;
  const now = await currentContent(db, codeId, sectionId);
  return redline(approved.content_text, now.text);
}

/** Replaces a section's required organisations (ministry only); audited. */
export async function setSectionReviewers(db: DB, actor: Actor, codeId: string, sectionId: string, organisationIds: string[]): Promise<void> {
  authorize(actor, "section.manage");
  await getSection(db, codeId, sectionId);
  const unique = [...new Set(organisationIds)];
  if (unique.length) {
    const known = await db.selectFrom("organisations").select("id").where("id", "in", unique).where("kind", "=", "expert").execute();
    if (known.length !== unique.length) throw new AppError("INVALID", "review.unknownOrganisation");
  }
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("section_reviewers").where("code_id", "=", codeId).where("section_id", "=", sectionId).execute();
    if (unique.length)
      await trx.insertInto("section_reviewers").values(unique.map((organisation_id) => ({ code_id: codeId, section_id: sectionId, organisation_id }))).execute();
    await recordEvent(trx, { actorId: actor.id, action: "section.reviewers_changed", subjectType: "section", subjectId: `${codeId}/${sectionId}`, data: { organisationIds: unique } });
  });
}

const g = globalThis as unknown as { __codewerfReviewListener?: () => void };

/**
 * Subscribes staleness detection to `section.changed` (once per process). `onStale` runs with
 * the organisations whose approval just went stale (the inbox asks them to review again).
 */
export function installStalenessListener(getDb: () => DB, onStale?: (e: { codeId: string; sectionId: string; organisationIds: string[] }) => Promise<void>): void {
  g.__codewerfReviewListener?.();
  // Per section, one refresh at a time; a change during a refresh triggers one more.
  const running = new Map<string, { again: boolean }>();
  const run = async (codeId: string, sectionId: string) => {
    const key = `${codeId}/${sectionId}`;
    const state = running.get(key);
    if (state) {
      state.again = true;
      return;
    }
    const me = { again: false };
    running.set(key, me);
    try {
      do {
        me.again = false;
        const stale = await refreshStaleness(getDb(), codeId, sectionId);
        if (stale.length && onStale) await onStale({ codeId, sectionId, organisationIds: stale });
      } while (me.again);
    } catch (err) {
      log().error({ err, codeId, sectionId }, "review staleness check failed");
    } finally {
      running.delete(key);
    }
  };
  g.__codewerfReviewListener = on("section.changed", (e) => {
    try {
      getDb();
    } catch {
      return; // no process database here (a script): nothing to check
    }
    void run(e.codeId, e.sectionId);
  });
}

