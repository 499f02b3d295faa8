// Sessions (server-side rows keyed by the HMAC of a random cookie token), the current user,
// and the Origin check that every state-changing request passes.
import { createCookie, redirect } from "@remix-run/node";
import { sql } from "kysely";
import { config, type Config } from "./config.server";
import { newToken, tokenId } from "./crypto.server";
import { db, type User } from "./db.server";

const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
export const SESSION_COOKIE = "codewerf_session";

const g = globalThis as unknown as { __codewerfCookie?: { config: Config; cookie: ReturnType<typeof createCookie> } };

/** Secure in production; a plain-http loopback origin (the local demo) could not keep it. */
function cookieSecure(): boolean {
  const { production, publicOrigin } = config();
  if (publicOrigin.startsWith("https:")) return true;
  return production && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(publicOrigin);
}

function sessionCookie() {
  const current = config();
  if (g.__codewerfCookie?.config !== current) {
    const cookie = createCookie(SESSION_COOKIE, {
      httpOnly: true,
      sameSite: "lax",
      secure: cookieSecure(),
      path: "/",
      secrets: [current.sessionSecret],
    });
    g.__codewerfCookie = { config: current, cookie };
  }
  return g.__codewerfCookie.cookie;
}

export type CurrentUser = Pick<
  User,
  "id" | "email" | "display_name" | "role" | "organisation_id" | "in_drafting_group" | "locale" | "suspended_at" | "email_confirmed_at"
> & { organisation_name: string | null };

/**
 * Verified session tokens by Cookie header: checking the signature is a pure function of the
 * header and the secret, so it is done once per header (per cookie object, i.e. per secret)
 * rather than on every request. Bounded: emptied when full.
 */
const tokensByHeader = new WeakMap<object, Map<string, string | null>>();
const TOKENS_MAX = 10_000;

async function sessionToken(request: Request): Promise<string | null> {
  return sessionTokenFromHeader(request.headers.get("Cookie"));
}

async function sessionTokenFromHeader(header: string | null | undefined): Promise<string | null> {
  if (!header) return null;
  const cookie = sessionCookie();
  let tokens = tokensByHeader.get(cookie);
  if (!tokens) tokensByHeader.set(cookie, (tokens = new Map()));
  const known = tokens.get(header);
  if (known !== undefined) return known;
  const value = await cookie.parse(header);
  const token = typeof value === "string" ? value : null;
  if (tokens.size >= TOKENS_MAX) tokens.clear();
  tokens.set(header, token);
  return token;
}

/**
 * One lookup per page request: Remix runs the root loader and the route loader of a GET in
 * parallel, each with its own copy of the Request but with the same load context object. Only
 * safe methods share (an action may change the user before the loaders run), and never
 * across requests, so a logout or a suspension takes effect at the very next request.
 */
const lookupsByContext = new WeakMap<object, { cookie: string | null; user: Promise<CurrentUser | null> }>();

/**
 * The signed-in user, or null. Suspended users and expired sessions count as signed out.
 * Pass the loader's `context` to share the lookup with the other loaders of the same request.
 */
export async function currentUser(request: Request, context?: object): Promise<CurrentUser | null> {
  if (!context || (request.method !== "GET" && request.method !== "HEAD")) return lookupUser(request);
  const cookie = request.headers.get("Cookie");
  const memo = lookupsByContext.get(context);
  if (memo && memo.cookie === cookie) return memo.user;
  const user = lookupUser(request);
  lookupsByContext.set(context, { cookie, user });
  return user;
}

// Every request of a signed-in person runs this lookup, so it is written as one plain
// statement (no query builder: building and compiling it cost more CPU than running it).
function lookupUser(request: Request): Promise<CurrentUser | null> {
  return userFromCookieHeader(request.headers.get("Cookie"));
}

/**
 * The signed-in user for a raw Cookie header, or null: the websocket upgrade, the collaboration
 * server's re-checks and the server's direct form path have no Fetch Request to pass.
 */
export async function userFromCookieHeader(header: string | null | undefined): Promise<CurrentUser | null> {
  const token = await sessionTokenFromHeader(header);
  if (!token) return null;
  const { rows } = await sql<CurrentUser>`
    select u.id, u.email, u.display_name, u.role, u.organisation_id, u.in_drafting_group, u.locale, u.suspended_at,
           u.email_confirmed_at, o.name as organisation_name
      from sessions s join users u on u.id = s.user_id left join organisations o on o.id = u.organisation_id
     where s.id = ${tokenId(token)} and s.expires_at > now() and u.suspended_at is null`.execute(db());
  return rows[0] ?? null;
}

export function loginPath(request: Request): string {
  const url = new URL(request.url);
  return `/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`;
}

export async function requireUser(request: Request, context?: object): Promise<CurrentUser> {
  const user = await currentUser(request, context);
  if (!user) throw redirect(loginPath(request));
  return user;
}

/** Creates a fresh session (a new token at every login) and returns its Set-Cookie header. */
export async function startSession(userId: string, request: Request): Promise<string> {
  const previous = await sessionToken(request);
  if (previous) await db().deleteFrom("sessions").where("id", "=", tokenId(previous)).execute();
  const token = newToken();
  const expires = new Date(Date.now() + SESSION_TTL_MS);
  await db().insertInto("sessions").values({ id: tokenId(token), user_id: userId, expires_at: expires }).execute();
  return sessionCookie().serialize(token, { expires });
}

/** Deletes the session row (so the old cookie is worthless) and clears the cookie. */
export async function endSession(request: Request): Promise<string> {
  const token = await sessionToken(request);
  if (token) await db().deleteFrom("sessions").where("id", "=", tokenId(token)).execute();
  return sessionCookie().serialize("", { expires: new Date(0) });
}

export async function endAllSessions(userId: string): Promise<void> {
  await db().deleteFrom("sessions").where("user_id", "=", userId).execute();
}

/** The stored id (hash) of the session a raw Cookie header carries, if its signature holds. */
export async function sessionIdFromCookieHeader(cookieHeader: string | null | undefined): Promise<string | null> {
  const token = await sessionTokenFromHeader(cookieHeader);
  return token ? tokenId(token) : null;
}

/**
 * State-changing requests must come from our own pages: the Origin header (or, failing that,
 * the Referer's origin) must equal PUBLIC_ORIGIN.
 */
export function isAllowedOrigin(origin: string | null | undefined, referer: string | null | undefined): boolean {
  const expected = config().publicOrigin;
  if (origin) return origin === expected;
  if (referer) {
    try {
      return new URL(referer).origin === expected;
    } catch {
      return false;
    }
  }
  return false;
}

/** Only local paths ("/x", not "//evil" or "https://evil") are followed after login. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  try {
    const url = new URL(to, "http://local.invalid");
    if (url.origin !== "http://local.invalid") return fallback;
    return url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
}
