// The inbox: mentions, replies in my threads, review requests for my organisation and new
// releases. An optional daily e-mail digest goes through the mail outbox; every e-mail carries
// an unsubscribe link with a random per-person token (no sign-in needed).
import { randomBytes } from "node:crypto";
import { sql, type Kysely, type RawBuilder } from "kysely";
import { config } from "~/config.server";
import { db as processDb, type Database, type NotificationKind } from "~/db.server";
import { on } from "~/events.server";
import { messages } from "~/i18n";
import { log } from "~/log.server";
import { sendMail } from "./mail.server";
import { installStalenessListener } from "./reviews.server";

type DB = Kysely<Database>;

export interface CommentNotice {
  actorId: string;
  codeId: string;
  sectionId: string;
  threadId: string;
  mentions: { userIds: string[]; organisationIds: string[] };
  isReply: boolean;
}

/**
 * The notifications for a new comment as one INSERT (null when nobody is to hear of it), with
 * the comment's id as an SQL expression so a caller can run it in the statement that inserts
 * the comment (nothing is inserted while it is null). Mentioned people, members of mentioned
 * organisations and (for a reply) everyone who wrote in the thread; a person gets one
 * notification, a mention wins.
 */
export function commentNotificationsInsert(e: CommentNotice, commentId: RawBuilder<string>): RawBuilder<unknown> | null {
  const { userIds, organisationIds } = e.mentions;
  if (!userIds.length && !organisationIds.length && !e.isReply) return null;
  // The thread's writers by a loose index scan over comments (thread_id, author_id): one probe
  // per distinct author, however long the thread is.
  const writers = e.isReply
    ? sql`
        union all
        select writers.author_id, 'reply', 2 from (
          with recursive w(author_id) as (
            (select author_id from comments where thread_id = ${e.threadId}::uuid and author_id is not null order by author_id limit 1)
            union all
            select (select c.author_id from comments c where c.thread_id = ${e.threadId}::uuid and c.author_id > w.author_id order by c.author_id limit 1)
              from w where w.author_id is not null
          ) select author_id from w where author_id is not null
        ) writers`
    : sql``;
  return sql`
    insert into notifications (user_id, kind, actor_id, code_id, section_id, thread_id, comment_id)
    select distinct on (x.user_id) x.user_id, x.kind, ${e.actorId}::uuid, ${e.codeId}, ${e.sectionId}, ${e.threadId}::uuid, ${commentId}
      from (
        select u.id as user_id, 'mention' as kind, 1 as prio from users u
         where u.id = any(${userIds}::uuid[]) or u.organisation_id = any(${organisationIds}::text[])
        ${writers}
      ) x
      join users u on u.id = x.user_id and u.suspended_at is null
     where x.user_id <> ${e.actorId}::uuid and ${commentId} is not null
     order by x.user_id, x.prio`;
}

export async function notifyForComment(db: DB, e: CommentNotice & { commentId: string }): Promise<void> {
  const insert = commentNotificationsInsert(e, sql<string>`${e.commentId}::uuid`);
  if (insert) await insert.execute(db);
}

/** Asks the members of organisations to review a section (again). */
export async function notifyReviewRequest(db: DB, e: { codeId: string; sectionId: string; organisationIds: string[]; actorId?: string | null; reason: "stale" | "assigned" }) {
  if (!e.organisationIds.length) return;
  await sql`
    insert into notifications (user_id, kind, actor_id, code_id, section_id, data)
    select u.id, 'review_request', ${e.actorId ?? null}::uuid, ${e.codeId}, ${e.sectionId}, ${JSON.stringify({ reason: e.reason })}::jsonb
      from users u where u.organisation_id = any(${e.organisationIds}::text[]) and u.suspended_at is null`.execute(db);
}

export async function notifyRelease(db: DB, e: { codeId: string; version: string; publishedBy: string | null }) {
  await sql`
    insert into notifications (user_id, kind, actor_id, code_id, data)
    select u.id, 'release', ${e.publishedBy}::uuid, ${e.codeId}, ${JSON.stringify({ version: e.version })}::jsonb
      from users u where u.suspended_at is null and u.display_name <> ''`.execute(db);
}

export async function unreadCount(db: DB, userId: string): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface InboxItem {
  id: string;
  kind: NotificationKind;
  actorName: string | null;
  codeId: string | null;
  sectionId: string | null;
  sectionTitle: string | null;
  threadId: string | null;
  excerpt: string;
  data: Record<string, unknown>;
  createdAt: string;
  read: boolean;
}

export async function listInbox(db: DB, userId: string, limit = 100): Promise<InboxItem[]> {
  const rows = await db
    .selectFrom("notifications as n")
    .leftJoin("users as a", "a.id", "n.actor_id")
    .leftJoin("sections as s", (j) => j.onRef("s.code_id", "=", "n.code_id").onRef("s.id", "=", "n.section_id"))
    .leftJoin("comments as c", "c.id", "n.comment_id")
    .select([
      "n.id",
      "n.kind",
      "a.display_name as actor_name",
      "n.code_id",
      "n.section_id",
      "s.title as section_title",
      "n.thread_id",
      sql<string>`case when c.deleted_at is null and c.hidden_at is null then left(c.body, 280) else '' end`.as("excerpt"),
      "n.data",
      "n.created_at",
      "n.read_at",
    ])
    .where("n.user_id", "=", userId)
    .orderBy("n.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind,
    actorName: r.actor_name,
    codeId: r.code_id,
    sectionId: r.section_id,
    sectionTitle: r.section_title,
    threadId: r.thread_id,
    excerpt: r.excerpt ?? "",
    data: (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
    createdAt: new Date(r.created_at).toISOString(),
    read: r.read_at !== null,
  }));
}

export async function markRead(db: DB, userId: string, ids: string[] | "all"): Promise<void> {
  let q = db.updateTable("notifications").set({ read_at: new Date() }).where("user_id", "=", userId).where("read_at", "is", null);
  if (ids !== "all") {
    if (!ids.length) return;
    q = q.where("id", "in", ids);
  }
  await q.execute();
}

// --- e-mail digest and unsubscribe --------------------------------------------------------

async function preferences(db: DB, userId: string) {
  const existing = await db.selectFrom("mail_preferences").selectAll().where("user_id", "=", userId).executeTakeFirst();
  if (existing) return existing;
  await db
    .insertInto("mail_preferences")
    .values({ user_id: userId, unsubscribe_token: randomBytes(24).toString("base64url") })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
  return db.selectFrom("mail_preferences").selectAll().where("user_id", "=", userId).executeTakeFirstOrThrow();
}

export async function digestEnabled(db: DB, userId: string): Promise<boolean> {
  const row = await db.selectFrom("mail_preferences").select("digest").where("user_id", "=", userId).executeTakeFirst();
  return row?.digest ?? false;
}

export async function setDigest(db: DB, userId: string, digest: boolean): Promise<void> {
  await preferences(db, userId);
  await db.updateTable("mail_preferences").set({ digest, updated_at: new Date() }).where("user_id", "=", userId).execute();
}

/** The person behind an unsubscribe token, or null (a wrong token reveals nothing). */
export async function unsubscribeTarget(db: DB, token: string) {
  if (!/^[A-Za-z0-9_-]{10,100}$/.test(token)) return null;
  return (
    (await db
      .selectFrom("mail_preferences as p")
      .innerJoin("users as u", "u.id", "p.user_id")
      .select(["p.user_id", "p.digest", "u.email"])
      .where("p.unsubscribe_token", "=", token)
      .executeTakeFirst()) ?? null
  );
}

export async function unsubscribe(db: DB, token: string): Promise<boolean> {
  const target = await unsubscribeTarget(db, token);
  if (!target) return false;
  await db.updateTable("mail_preferences").set({ digest: false, updated_at: new Date() }).where("user_id", "=", target.user_id).execute();
  return true;
}

/** The e-mail text of a digest: plain text only (mail clients never run it). */
export function digestText(items: InboxItem[], locale: string, unsubscribeUrl: string): { subject: string; text: string } {
  const t = messages(locale);
  const origin = config().publicOrigin;
  const lines = items.map((i) => {
    const where = i.sectionTitle ? ` — ${i.sectionTitle}` : "";
    const link = i.codeId && i.sectionId ? `${origin}/codes/${i.codeId}/sections/${i.sectionId}${i.threadId ? `#thread-${i.threadId}` : ""}` : `${origin}/inbox`;
    const excerpt = i.excerpt ? `\n    “${i.excerpt.replace(/\s+/g, " ").slice(0, 200)}”` : "";
    return `• ${t(`inbox.kind.${i.kind}`, { name: i.actorName || t("user.deleted"), version: String(i.data.version ?? "") })}${where}${excerpt}\n    ${link}`;
  });
  return {
    subject: t("inbox.digest.subject", { count: items.length }),
    text: `${t("inbox.digest.intro", { count: items.length })}\n\n${lines.join("\n\n")}\n\n${t("inbox.digest.inbox")}: ${origin}/inbox\n${t("inbox.digest.unsubscribe")}: ${unsubscribeUrl}\n`,
  };
}

/** Sends each opted-in person one digest of what they have not read and not been mailed yet. */
export async function sendDigests(db: DB, now = new Date()): Promise<number> {
  const due = await db
    .selectFrom("mail_preferences as p")
    .innerJoin("users as u", "u.id", "p.user_id")
    .select(["p.user_id", "p.unsubscribe_token", "u.email", "u.locale"])
    .where("p.digest", "=", true)
    .where("u.suspended_at", "is", null)
    .where((eb) => eb.or([eb("p.last_digest_at", "is", null), eb("p.last_digest_at", "<", new Date(now.getTime() - 23 * 3600 * 1000))]))
    .execute();
  let sent = 0;
  for (const person of due) {
    const items = (await listInbox(db, person.user_id, 50)).filter((i) => !i.read);
    const pending = await db.selectFrom("notifications").select("id").where("user_id", "=", person.user_id).where("read_at", "is", null).where("emailed_at", "is", null).execute();
    if (!pending.length) continue;
    const fresh = new Set(pending.map((p) => String(p.id)));
    const mailItems = items.filter((i) => fresh.has(i.id));
    const { subject, text } = digestText(mailItems, person.locale, `${config().publicOrigin}/unsubscribe/${person.unsubscribe_token}`);
    await sendMail(db, { to: person.email, subject, text });
    await db.updateTable("notifications").set({ emailed_at: now }).where("id", "in", [...fresh]).execute();
    await db.updateTable("mail_preferences").set({ last_digest_at: now }).where("user_id", "=", person.user_id).execute();
    sent++;
  }
  return sent;
}

// --- wiring to domain events (once per process, re-installed when the build reloads) ------

const g = globalThis as unknown as { __codewerfInboxListeners?: () => void };

export function installInboxListeners(getDb: () => DB): void {
  g.__codewerfInboxListeners?.();
  // A script that imports this module without opening the process database (a seed, a bench)
  // has no inbox to fill.
  const openDb = () => {
    try {
      return getDb();
    } catch {
      return null;
    }
  };
  const offRelease = on("release.published", (e) => {
    const database = openDb();
    if (!database) return;
    notifyRelease(database, { codeId: e.codeId, version: e.version, publishedBy: e.publishedBy }).catch((err) => log().error({ err }, "release notifications failed"));
  });
  installStalenessListener(getDb, (e) => notifyReviewRequest(getDb(), { ...e, reason: "stale" }));
  // The daily digest: checked hourly; each person gets at most one a day.
  const timer = setInterval(() => {
    const database = openDb();
    if (database) sendDigests(database).catch((err) => log().error({ err }, "digest failed"));
  }, 3600_000);
  timer.unref();
  g.__codewerfInboxListeners = () => {
    offRelease();
    clearInterval(timer);
  };
}

installInboxListeners(processDb);
