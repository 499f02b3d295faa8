// Pledges: influencers and agencies sign one specific release; the pledge becomes public once
// confirmed by e-mail (and by a guardian for under-13s), can be withdrawn in one step, and is
// shown in the registry, the JSON API and a live badge. Re-pledge invitations follow majors.
import { createHash } from "node:crypto";
import { sql, type Kysely } from "kysely";
import { config } from "~/config.server";
import { newToken, tokenId } from "~/crypto.server";
import { db as globalDb, type Database } from "~/db.server";
import { AppError } from "~/domain/errors";
import { HANDLES, pledgeText, type HandleKind, type SignPledgeInput } from "~/domain/pledges";
import { emit, on } from "~/events.server";
import { messages } from "~/i18n";
import { log } from "~/log.server";
import { CUSTOM_PLAN } from "~/pg-prepared.server";
import { authorize, type Actor } from "~/policies.server";
import { blockedFor, PLEDGE_CONFIRM_FAILURES_ALLOWED, takePoint } from "~/rate-limit.server";
import { recordEvent } from "./audit.server";
import { CODE_ID } from "./codes";
import { deliverMail, sendMail } from "./mail.server";
import { currentRelease } from "./releases.server";
import { consumeToken, peekToken, TOKEN_TTL_MS } from "./tokens.server";

type DB = Kysely<Database>;

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

function link(path: string): string {
  return `${config().publicOrigin}${path}`;
}

// ---------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------

export interface SignerActor extends Actor {
  email: string;
  locale: string;
}

export interface PledgeOffer {
  releaseId: string;
  codeId: string;
  codeTitle: string;
  version: string;
  major: number;
  text: string;
  textSha256: string;
}

// Releases never change, so a release's offer (its text and that text's hash) is computed once.
// `offersByHash` lets signing recognise the text a form was built from without a query; the
// signing statement itself still checks that this release is the current one.
const offersByRelease = new Map<string, PledgeOffer>();
const offersByHash = new Map<string, PledgeOffer>();

/** What the signing page shows: the current release and its exact pledge text. */
export async function pledgeOffer(db: DB, codeId = CODE_ID): Promise<PledgeOffer> {
  const release = await currentRelease(db, codeId);
  if (!release) throw new AppError("NOT_FOUND", "pledge.noRelease");
  let offer = offersByRelease.get(release.id);
  if (!offer) {
    const text = pledgeText(release.codeTitle, release.version);
    offer = { releaseId: release.id, codeId, codeTitle: release.codeTitle, version: release.version, major: release.major, text, textSha256: sha256(text) };
    if (offersByRelease.size >= 1000) {
      offersByRelease.clear();
      offersByHash.clear();
    }
    offersByRelease.set(release.id, offer);
    offersByHash.set(offer.textSha256, offer);
  }
  return offer;
}

/**
 * Signs the current release. Idempotent per signer and release: signing again while a pledge
 * to this release exists changes nothing (a withdrawn one is signed anew). The pledge stays
 * private until the e-mailed link (and, under 13, the guardian's link) is followed.
 */
export async function signPledge(db: DB, actor: SignerActor, input: SignPledgeInput): Promise<{ id: string; created: boolean }> {
  authorize(actor, "pledge.create");
  const wait = await takePoint("pledgeSign", actor.id);
  if (wait) throw new AppError("RATE_LIMITED", "pledge.rateLimited", { retryAfter: wait });
  // The hash of the text the signer saw: if a new release appeared meanwhile, they must read it first.
  const offer = offersByHash.get(input.textSha256) ?? (await pledgeOffer(db));
  if (input.textSha256 !== offer.textSha256) throw new AppError("CONFLICT", "pledge.textChanged");
  const signed = await insertPledge(db, actor, input, offer);
  if (!signed) {
    // Nothing written: either a newer release is current now, or this signer already signed it.
    if ((await pledgeOffer(db, offer.codeId)).textSha256 !== input.textSha256) throw new AppError("CONFLICT", "pledge.textChanged");
    const existing = await db.selectFrom("pledges").select("id").where("user_id", "=", actor.id).where("release_id", "=", offer.releaseId).executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }
  // Signing again after a withdrawal makes the pledge unconfirmed again: its badge changes.
  forgetBadge(signed.id);
  for (const mail of signed.queued) await deliverMail(db, mail.id, { to: mail.to_address, subject: mail.subject, text: mail.text_body });
  return { id: signed.id, created: true };
}

/**
 * The pledge, its tokens, the audit row and the confirmation mail(s) in the outbox, written by
 * one statement (one round trip, one commit) and only when `offer` is still the code's current
 * release. Null when nothing was written: a newer release, or an active pledge to this one
 * (the unique (user_id, release_id) constraint decides, also between concurrent requests).
 */
async function insertPledge(db: DB, actor: SignerActor, input: SignPledgeInput, offer: PledgeOffer) {
  const under13 = input.under13 === "yes";
  const confirmToken = newToken();
  const guardianToken = under13 ? newToken() : null;
  const t = messages(actor.locale);
  const mails: { to_address: string; subject: string; text_body: string }[] = [
    {
      to_address: actor.email,
      subject: t("pledge.mail.confirm.subject", { version: offer.version }),
      text_body: t(under13 ? "pledge.mail.confirm.bodyMinor" : "pledge.mail.confirm.body", { version: offer.version, link: link(`/pledge/confirm/${confirmToken}`) }),
    },
  ];
  if (guardianToken) {
    // The guardian has no account and no language preference: Dutch, the default.
    const g = messages("nl-BE");
    mails.push({
      to_address: input.guardianEmail,
      subject: g("pledge.mail.guardian.subject"),
      text_body: g("pledge.mail.guardian.body", { name: input.publicName, version: offer.version, text: offer.text, link: link(`/pledge/guardian/${guardianToken}`) }),
    });
  }
  const confirmId = tokenId(confirmToken);
  const guardianId = guardianToken ? tokenId(guardianToken) : null;
  const expires = new Date(Date.now() + TOKEN_TTL_MS.pledge_confirm);
  const { rows } = await sql<{ id: string; queued: { id: number; to_address: string; subject: string; text_body: string }[] }>`
    with current_release as (
      select id from releases where code_id = ${offer.codeId} order by major desc, minor desc limit 1
    ), pledge as (
      insert into pledges as p (release_id, user_id, public_name, instagram, tiktok, youtube, twitch, text_sha256, under_13, guardian_email, confirm_token_id, guardian_token_id)
      select id, ${actor.id}::uuid, ${input.publicName}::text, ${input.instagram}::text, ${input.tiktok}::text, ${input.youtube}::text, ${input.twitch}::text,
             ${offer.textSha256}::text, ${under13}::boolean, ${under13 ? input.guardianEmail : null}::text, ${confirmId}::text, ${guardianId}::text
      from current_release where id = ${offer.releaseId}::uuid
      on conflict (user_id, release_id) do update set
        public_name = excluded.public_name, instagram = excluded.instagram, tiktok = excluded.tiktok, youtube = excluded.youtube, twitch = excluded.twitch,
        text_sha256 = excluded.text_sha256, under_13 = excluded.under_13, guardian_email = excluded.guardian_email,
        confirm_token_id = excluded.confirm_token_id, guardian_token_id = excluded.guardian_token_id, signed_at = now(),
        email_confirmed_at = null, guardian_confirmed_at = null, confirmed_at = null, withdrawn_at = null, withdraw_reason = null
      where p.withdrawn_at is not null
      returning p.id
    ), issued as (
      insert into tokens (id, kind, user_id, expires_at)
      select t.id, t.kind, ${actor.id}::uuid, ${expires}::timestamptz
      from pledge, (values (${confirmId}::text, 'pledge_confirm'), (${guardianId}::text, 'pledge_guardian')) as t (id, kind)
      where t.id is not null
    ), audited as (
      insert into audit_events (actor_id, action, subject_type, subject_id, data)
      select ${actor.id}::uuid, 'pledge.signed', 'pledge', pledge.id::text, ${JSON.stringify({ release: offer.version })}::jsonb from pledge
    ), queued as (
      insert into outbox (to_address, subject, text_body)
      select m.to_address, m.subject, m.text_body from pledge, jsonb_to_recordset(${JSON.stringify(mails)}::jsonb) as m (to_address text, subject text, text_body text)
      returning id, to_address, subject, text_body
    )
    select pledge.id, coalesce((select json_agg(queued order by queued.id) from queued), '[]') as queued from pledge
  `.execute(db);
  return rows[0] ?? null;
}

export type PledgeTokenKind = "pledge_confirm" | "pledge_guardian";

/** Checks an e-mailed link without using it (the page shows a button). */
export async function peekPledgeToken(db: DB, kind: PledgeTokenKind, token: string, ip: string) {
  const wait = await blockedFor("pledgeConfirm", ip, PLEDGE_CONFIRM_FAILURES_ALLOWED);
  if (wait) throw new AppError("RATE_LIMITED", "pledge.confirmRateLimited", { retryAfter: wait });
  try {
    await peekToken(db, kind, token);
  } catch (e) {
    await takePoint("pledgeConfirm", ip);
    throw e;
  }
  const column = kind === "pledge_confirm" ? "confirm_token_id" : "guardian_token_id";
  const pledge = await db
    .selectFrom("pledges")
    .innerJoin("releases", "releases.id", "pledges.release_id")
    .select(["pledges.id", "pledges.public_name", "releases.version", "releases.code_title"])
    .where(column, "=", tokenId(token))
    .executeTakeFirst();
  if (!pledge) throw new AppError("NOT_FOUND", "token.unknown");
  return { id: pledge.id, publicName: pledge.public_name, version: pledge.version, text: pledgeText(pledge.code_title, pledge.version) };
}

/**
 * Follows the signer's (`pledge_confirm`) or the guardian's (`pledge_guardian`) link, once.
 * The pledge turns public when the last required confirmation arrives. Failed attempts count
 * per client address (10 per 15 minutes).
 */
export async function confirmPledge(db: DB, kind: PledgeTokenKind, token: string, ip: string): Promise<{ id: string; public: boolean }> {
  const wait = await blockedFor("pledgeConfirm", ip, PLEDGE_CONFIRM_FAILURES_ALLOWED);
  if (wait) throw new AppError("RATE_LIMITED", "pledge.confirmRateLimited", { retryAfter: wait });
  let userId: string;
  try {
    userId = await consumeToken(db, kind, token);
  } catch (e) {
    await takePoint("pledgeConfirm", ip);
    throw e;
  }
  const id = tokenId(token);
  const now = new Date();
  const row =
    kind === "pledge_confirm"
      ? await db
          .updateTable("pledges")
          .set({
            email_confirmed_at: now,
            confirm_token_id: null,
            confirmed_at: sql`case when not under_13 or guardian_confirmed_at is not null then ${now}::timestamptz end`,
          })
          .where("confirm_token_id", "=", id)
          .returning(["id", "confirmed_at"])
          .executeTakeFirst()
      : await db
          .updateTable("pledges")
          .set({
            guardian_confirmed_at: now,
            guardian_token_id: null,
            guardian_email: null,
            confirmed_at: sql`case when email_confirmed_at is not null then ${now}::timestamptz end`,
          })
          .where("guardian_token_id", "=", id)
          .returning(["id", "confirmed_at"])
          .executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "token.unknown");
  forgetBadge(row.id);
  await recordEvent(db, { actorId: kind === "pledge_confirm" ? userId : null, action: kind === "pledge_confirm" ? "pledge.confirmed" : "pledge.guardian_confirmed", subjectType: "pledge", subjectId: row.id });
  return { id: row.id, public: row.confirmed_at !== null };
}

// ---------------------------------------------------------------------------------------------
// Withdrawing
// ---------------------------------------------------------------------------------------------

/** Withdraws the signer's own pledge (idempotent); anyone else gets FORBIDDEN. */
export async function withdrawPledge(db: DB, actor: Actor, pledgeId: string, reason: string): Promise<void> {
  const pledge = await db.selectFrom("pledges").select(["id", "user_id", "withdrawn_at"]).where("id", "=", pledgeId).executeTakeFirst();
  if (!pledge) throw new AppError("NOT_FOUND", "pledge.notFound");
  authorize(actor, "pledge.withdraw", { signerId: pledge.user_id });
  if (pledge.withdrawn_at) return;
  await db
    .updateTable("pledges")
    .set({ withdrawn_at: sql`now()`, withdraw_reason: reason || null, confirm_token_id: null, guardian_token_id: null, guardian_email: null })
    .where("id", "=", pledgeId)
    .where("withdrawn_at", "is", null)
    .execute();
  forgetBadge(pledgeId);
  await recordEvent(db, { actorId: actor.id, action: "pledge.withdrawn", subjectType: "pledge", subjectId: pledgeId });
}

// ---------------------------------------------------------------------------------------------
// Reading: the public record, the registry, the badge
// ---------------------------------------------------------------------------------------------

export type PledgeStatus = "active" | "outdated" | "withdrawn" | "unconfirmed";

export interface PublicPledge {
  id: string;
  name: string;
  handles: Partial<Record<HandleKind, string>>;
  codeId: string;
  release: string;
  major: number;
  signedAt: string;
  confirmedAt: string | null;
  withdrawnAt: string | null;
  status: PledgeStatus;
  outdated: boolean;
  textSha256: string;
}

function handlesOf(r: Record<HandleKind, string | null>): Partial<Record<HandleKind, string>> {
  const out: Partial<Record<HandleKind, string>> = {};
  for (const k of HANDLES) if (r[k]) out[k] = r[k]!;
  return out;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function pledgeQuery(db: DB) {
  return db
    .selectFrom("pledges as p")
    .innerJoin("releases as r", "r.id", "p.release_id")
    .select([
      "p.id",
      "p.user_id",
      "p.public_name",
      "p.instagram",
      "p.tiktok",
      "p.youtube",
      "p.twitch",
      "p.text_sha256",
      "p.signed_at",
      "p.confirmed_at",
      "p.withdrawn_at",
      "p.withdraw_reason",
      "r.code_id",
      "r.code_title",
      "r.version",
      "r.major",
      sql<number>`(select max(major) from releases r2 where r2.code_id = r.code_id)`.as("latest_major"),
    ]);
}

type PledgeRow = Awaited<ReturnType<ReturnType<typeof pledgeQuery>["executeTakeFirstOrThrow"]>>;

function toPublic(r: PledgeRow): PublicPledge {
  const outdated = r.major < Number(r.latest_major);
  const status: PledgeStatus = r.withdrawn_at ? "withdrawn" : !r.confirmed_at ? "unconfirmed" : outdated ? "outdated" : "active";
  return {
    id: r.id,
    name: r.public_name,
    handles: handlesOf(r),
    codeId: r.code_id,
    release: r.version,
    major: r.major,
    signedAt: iso(r.signed_at)!,
    confirmedAt: iso(r.confirmed_at),
    withdrawnAt: iso(r.withdrawn_at),
    status,
    outdated,
    textSha256: r.text_sha256,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One pledge as the public sees it (confirmed ones only; withdrawn ones stay, marked), or as
 * its signer sees it (also before confirmation). NOT_FOUND otherwise.
 */
export async function getPledge(db: DB, id: string, viewerId?: string | null) {
  if (!UUID.test(id)) throw new AppError("NOT_FOUND", "pledge.notFound");
  const row = await pledgeQuery(db).where("p.id", "=", id).executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "pledge.notFound");
  const mine = Boolean(viewerId && viewerId === row.user_id);
  if (!row.confirmed_at && !row.withdrawn_at && !mine) throw new AppError("NOT_FOUND", "pledge.notFound");
  if (!row.confirmed_at && row.withdrawn_at && !mine) throw new AppError("NOT_FOUND", "pledge.notFound");
  const text = pledgeText(row.code_title, row.version);
  return { pledge: toPublic(row), mine, text, textVerified: sha256(text) === row.text_sha256, withdrawReason: mine ? row.withdraw_reason : null };
}

export const REGISTRY_PAGE_SIZE = 50;

function encodeCursor(signedAt: Date | string, id: string): string {
  return Buffer.from(`${new Date(signedAt).toISOString()}|${id}`).toString("base64url");
}

function decodeCursor(cursor: string | undefined): { at: string; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  if (!at || !id || !UUID.test(id) || Number.isNaN(Date.parse(at))) throw new AppError("INVALID", "errors.invalid");
  return { at, id };
}

/** Escapes LIKE wildcards so a search for "a_b" means exactly that. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, "\\$&");

/**
 * What the registry search looks in: the public name (lowercased) and the handles (stored
 * lowercase), one per line. Identical to the expression of the trigram index
 * `pledges_registry_search` (migration 0006), so PostgreSQL can use that index. Planned for
 * each pattern, never prepared (app/pg-prepared.server.ts, CUSTOM_PLAN).
 */
const REGISTRY_SEARCH_TEXT = sql<string>`${CUSTOM_PLAN}(lower(p.public_name) || E'\\n' || coalesce(p.instagram, '') || E'\\n' || coalesce(p.tiktok, '') || E'\\n' || coalesce(p.youtube, '') || E'\\n' || coalesce(p.twitch, ''))`;

/**
 * Active confirmed pledges, newest first, 50 per page (keyset on the partial index
 * `pledges_registry`), searchable by a part of the public name or of any handle (trigram
 * index `pledges_registry_search`); plus counts per release.
 */
export async function listRegistry(db: DB, query: { q?: string; release?: string; after?: string }, codeId = CODE_ID) {
  const cursor = decodeCursor(query.after);
  // Control characters are dropped: the search text separates its parts with newlines.
  const q = (query.q ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim().toLowerCase().replace(/^@/, "");
  let rows = pledgeQuery(db).where("p.confirmed_at", "is not", null).where("p.withdrawn_at", "is", null).where("r.code_id", "=", codeId);
  if (q) rows = rows.where(REGISTRY_SEARCH_TEXT, "like", `%${likeEscape(q)}%`);
  if (query.release) rows = rows.where("r.version", "=", query.release);
  if (cursor) rows = rows.where((eb) => eb.or([eb("p.signed_at", "<", new Date(cursor.at)), eb.and([eb("p.signed_at", "=", new Date(cursor.at)), eb("p.id", "<", cursor.id)])]));
  const [page, counts] = await Promise.all([
    rows.orderBy("p.signed_at", "desc").orderBy("p.id", "desc").limit(REGISTRY_PAGE_SIZE + 1).execute(),
    registryCounts(db, codeId),
  ]);
  const more = page.length > REGISTRY_PAGE_SIZE;
  const items = page.slice(0, REGISTRY_PAGE_SIZE).map(toPublic);
  const last = page[REGISTRY_PAGE_SIZE - 1];
  return { items, next: more && last ? encodeCursor(last.signed_at, last.id) : null, counts };
}

// Counting 100,000 pledges costs tens of milliseconds: the counts are kept per database and
// code, refreshed in the background once older than COUNTS_TTL_MS, and dropped at once when
// this instance changes what the registry shows (confirm, withdraw, erase, new release).
const COUNTS_TTL_MS = 5000;
type Counts = { release: string; count: number }[];
const countsCache = new WeakMap<object, Map<string, { at: number; value: Promise<Counts> }>>();

export function forgetCounts(): void {
  countsEpoch++;
}
let countsEpoch = 0;

/** Active confirmed pledges per release (every release listed, newest first). */
export function registryCounts(db: DB, codeId = CODE_ID): Promise<Counts> {
  let perDb = countsCache.get(db);
  if (!perDb) countsCache.set(db, (perDb = new Map()));
  const key = `${countsEpoch}|${codeId}`;
  const hit = perDb.get(key);
  if (hit && Date.now() - hit.at < COUNTS_TTL_MS) return hit.value;
  const value = countRegistry(db, codeId);
  value.catch(() => perDb!.delete(key));
  for (const k of perDb.keys()) if (!k.startsWith(`${countsEpoch}|`)) perDb.delete(k);
  // A stale value is served while the fresh one is computed (no request waits for a refresh).
  perDb.set(key, { at: Date.now(), value: hit ? value.then((v) => v) : value });
  return hit ? hit.value : value;
}

async function countRegistry(db: DB, codeId: string): Promise<Counts> {
  const rows = await db
    .selectFrom("releases as r")
    .leftJoin(
      (eb) =>
        eb
          .selectFrom("pledges")
          .select(["release_id", (e) => e.fn.countAll<string>().as("n")])
          .where("confirmed_at", "is not", null)
          .where("withdrawn_at", "is", null)
          .groupBy("release_id")
          .as("c"),
      (j) => j.onRef("c.release_id", "=", "r.id"),
    )
    .select(["r.version", "r.major", "c.n"])
    .where("r.code_id", "=", codeId)
    .orderBy("r.major", "desc")
    .orderBy("r.minor", "desc")
    .execute();
  return rows.map((r) => ({ release: r.version, count: Number(r.n ?? 0) }));
}

// The badge: rendered once per pledge state and kept briefly, so embedding sites cost little.
export type BadgeState = { kind: "active" | "outdated" | "withdrawn"; version: string; codeTitle: string; withdrawnAt: string | null } | { kind: "not_found" };

const BADGE_TTL_MS = 2000;
const badgeCache = new Map<string, { at: number; state: BadgeState }>();

export function forgetBadge(id?: string): void {
  forgetCounts();
  if (id) badgeCache.delete(id);
  else badgeCache.clear();
  emit("pledge.changed", { pledgeId: id ?? null });
}

/** The live state a badge shows: unconfirmed and erased pledges are "not found". */
export async function badgeState(db: DB, id: string): Promise<BadgeState> {
  const hit = badgeCache.get(id);
  if (hit && Date.now() - hit.at < BADGE_TTL_MS) return hit.state;
  let state: BadgeState = { kind: "not_found" };
  if (UUID.test(id)) {
    const row = await pledgeQuery(db).where("p.id", "=", id).executeTakeFirst();
    if (row && row.confirmed_at) {
      const p = toPublic(row);
      state = { kind: p.status === "withdrawn" ? "withdrawn" : p.outdated ? "outdated" : "active", version: p.release, codeTitle: row.code_title, withdrawnAt: p.withdrawnAt };
    }
  }
  if (badgeCache.size > 10_000) badgeCache.clear();
  badgeCache.set(id, { at: Date.now(), state });
  return state;
}

// ---------------------------------------------------------------------------------------------
// Re-pledging after a new major release
// ---------------------------------------------------------------------------------------------

/** The signer's newest active pledge to an older major release than the current one, if any. */
export async function renewalFor(db: DB, userId: string, codeId = CODE_ID) {
  const current = await currentRelease(db, codeId);
  if (!current) return null;
  const row = await pledgeQuery(db)
    .where("p.user_id", "=", userId)
    .where("r.code_id", "=", codeId)
    .where("p.confirmed_at", "is not", null)
    .where("p.withdrawn_at", "is", null)
    .orderBy("r.major", "desc")
    .orderBy("r.minor", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!row || row.major >= current.major) return null;
  return { from: row.version, to: current.version, pledge: toPublic(row) };
}

/** Invites signers of older majors to read the redline and sign `major.minor` (mail; inbox when present). */
export async function inviteToRepledge(db: DB, e: { codeId: string; releaseId: string; version: string; major: number }): Promise<number> {
  const signers = await db
    .selectFrom("pledges as p")
    .innerJoin("releases as r", "r.id", "p.release_id")
    .innerJoin("users as u", "u.id", "p.user_id")
    .select(["u.id", "u.email", "u.locale", "r.version"])
    .distinctOn("u.id")
    .where("r.code_id", "=", e.codeId)
    .where("r.major", "<", e.major)
    .where("p.confirmed_at", "is not", null)
    .where("p.withdrawn_at", "is", null)
    .where("u.deleted_at", "is", null)
    .orderBy("u.id")
    .orderBy("r.major", "desc")
    .orderBy("r.minor", "desc")
    .execute();
  for (const s of signers) {
    const t = messages(s.locale);
    await sendMail(db, {
      to: s.email,
      subject: t("pledge.mail.renew.subject", { version: e.version }),
      text: t("pledge.mail.renew.body", { from: s.version, version: e.version, link: link("/pledge/renew") }),
    });
  }
  if (signers.length) {
    await recordEvent(db, { actorId: null, action: "pledge.renewal_invited", subjectType: "release", subjectId: `${e.codeId}/${e.version}`, data: { count: signers.length } });
  }
  return signers.length;
}

const g = globalThis as unknown as { __codewerfPledgeListener?: boolean };

/** Subscribes once per process: a new MAJOR release (x.0 after an earlier major) invites re-pledges. */
export function listenForReleases(): void {
  if (g.__codewerfPledgeListener) return;
  g.__codewerfPledgeListener = true;
  on("release.published", (e) => {
    forgetBadge();
    if (e.minor !== 0) return;
    // After the publishing request has its answer; a failure here must not undo the release.
    setImmediate(() => {
      Promise.resolve()
        .then(() => inviteToRepledge(globalDb(), e))
        .catch((err) => log().error({ err, release: e.version }, "re-pledge invitations failed"));
    });
  });
}
listenForReleases();
