// Route helpers: read and validate forms with zod, and turn coded errors into responses
// (a sentence for the person, the right status for the machine) in one place.
import { json, redirect } from "@remix-run/node";
import { z } from "zod";
import type { CurrentUser } from "./session.server";
import { AppError, isAppError } from "./domain/errors";
import type { Locale } from "./domain/schemas";
import { isLocale, messages, type Translate } from "./i18n";
import { loginPath } from "./session.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    cspNonce: string;
    clientIp: string;
    /** An action that failed before Remix (server/direct-actions.ts), to be answered, not rerun. */
    directFailure?: import("./form-actions.server").DirectFailure;
  }
}

export const MAX_FORM_BYTES = 64 * 1024;

/** The language chosen in this browser with the header switch, if any (from a Cookie header). */
export function localeFromCookies(cookieHeader: string | null | undefined): Locale | null {
  const match = /(?:^|;\s*)codewerf_lang=([^;]+)/.exec(cookieHeader ?? "");
  let value: string | null = null;
  try {
    value = match ? decodeURIComponent(match[1]) : null;
  } catch {
    return null;
  }
  return isLocale(value) ? value : null;
}

export function cookieLocale(request: Request): Locale | null {
  return localeFromCookies(request.headers.get("Cookie"));
}

/**
 * Marks a response as the same for every anonymous visitor, so the server's response cache
 * (server/response-cache.ts) may answer later anonymous requests for it without running Remix:
 * kept at most `seconds`, and dropped earlier when an event names one of its `tags`
 * ("releases:<code>" on a publish, "pledge:<id>" and "pledges" when pledges change). The header
 * never leaves the server.
 */
export const SHARED_CACHE_HEADER = "X-Codewerf-Shared-Cache";

export function sharedCache(seconds: number, tags: string[]): Record<string, string> {
  return { [SHARED_CACHE_HEADER]: `max-age=${Math.floor(seconds)}; tags=${tags.join(" ")}` };
}

/** A page route's `headers`: passes its loader's shared-cache declaration on to the document. */
export function sharedCacheFromLoader({ loaderHeaders }: { loaderHeaders: Headers }): Record<string, string> {
  const value = loaderHeaders.get(SHARED_CACHE_HEADER);
  return value ? { [SHARED_CACHE_HEADER]: value } : {};
}

/**
 * A signed-in page the server may keep for this one session and answer again while nothing it
 * shows has changed (server/page-cache.ts). What it shows must be covered by the database's
 * change notices for `scopes` (migrations/0008_page_changes.ts; the person's own scope and
 * "*" are always included) plus the version of one document, which is checked at every
 * answer. The loader reads `docVersion` before it reads the document. Never leaves the server.
 */
export const PRIVATE_CACHE_HEADER = "X-Codewerf-Private-Cache";

export interface PrivateCacheDirective {
  userId: string;
  doc: string;
  docVersion: string;
  scopes: string[];
}

export function privateCache(directive: PrivateCacheDirective): Record<string, string> {
  return { [PRIVATE_CACHE_HEADER]: JSON.stringify(directive) };
}

/** A page route's `headers`: passes its loader's private-cache declaration on to the document. */
export function privateCacheFromLoader({ loaderHeaders }: { loaderHeaders: Headers }): Record<string, string> {
  const value = loaderHeaders.get(PRIVATE_CACHE_HEADER);
  return value ? { [PRIVATE_CACHE_HEADER]: value } : {};
}

const privateCacheSchema = z.object({ userId: z.string().min(1), doc: z.string().min(1), docVersion: z.string(), scopes: z.array(z.string()) });

export function parsePrivateCache(value: string | null | undefined): PrivateCacheDirective | null {
  if (!value) return null;
  try {
    const parsed = privateCacheSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function parseSharedCache(value: string | null | undefined): { seconds: number; tags: string[] } | null {
  const match = /^max-age=(\d+); tags=(.*)$/.exec(value ?? "");
  if (!match) return null;
  return { seconds: Number(match[1]), tags: match[2].split(" ").filter(Boolean) };
}

export function requestLocale(request: Request, user?: Pick<CurrentUser, "locale"> | null): Locale {
  if (user && isLocale(user.locale)) return user.locale;
  return cookieLocale(request) ?? "nl-BE";
}

export function translator(request: Request, user?: Pick<CurrentUser, "locale"> | null): Translate {
  return messages(requestLocale(request, user));
}

/** Reads a urlencoded or multipart form (64 KB at most) into a plain object. */
export async function readForm(request: Request): Promise<Record<string, string>> {
  const declared = Number(request.headers.get("Content-Length") ?? 0);
  if (declared > MAX_FORM_BYTES) throw new AppError("TOO_LARGE", "errors.tooLarge");
  const body = await request.text();
  if (body.length > MAX_FORM_BYTES) throw new AppError("TOO_LARGE", "errors.tooLarge");
  const type = request.headers.get("Content-Type") ?? "";
  return type.includes("multipart/form-data")
    ? formFields(await new Request(request.url, { method: "POST", headers: { "Content-Type": type }, body }).formData())
    : formFields(new URLSearchParams(body));
}

/** A form's text fields as a plain object (the last of repeated names wins). */
export function formFields(form: URLSearchParams | FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") out[k] = v;
  return out;
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? "form");
    fieldErrors[field] ??= issue.message;
  }
  throw new AppError("INVALID", "errors.invalid", { fieldErrors });
}

export async function parseForm<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  return parseWith(schema, await readForm(request));
}

export interface ActionFailure {
  ok: false;
  formError: string;
  fieldErrors: Record<string, string>;
}

/** Runs an action; a coded error becomes a 4xx with a translated message for the form. */
export async function handleAction<T>(request: Request, user: CurrentUser | null, fn: () => Promise<T>) {
  try {
    return await fn();
  } catch (e) {
    if (!isAppError(e)) throw e;
    const t = translator(request, user);
    if (e.code === "UNAUTHENTICATED") throw redirect(loginPath(request));
    const rawFields = (e.details?.fieldErrors ?? {}) as Record<string, string>;
    const fieldErrors = Object.fromEntries(Object.entries(rawFields).map(([k, v]) => [k, t(v)]));
    const retryAfter = typeof e.details?.retryAfter === "number" ? e.details.retryAfter : undefined;
    const formError = t(e.messageKey, retryAfter ? { minutes: Math.max(1, Math.ceil(retryAfter / 60)) } : undefined);
    return json<ActionFailure>(
      { ok: false, formError, fieldErrors },
      { status: e.status, headers: retryAfter ? { "Retry-After": String(retryAfter) } : undefined },
    );
  }
}

/** Runs a loader; a coded error becomes an error page (or the login page) with its status. */
export async function handleLoader<T>(request: Request, user: CurrentUser | null, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!isAppError(e)) throw e;
    if (e.code === "UNAUTHENTICATED") throw redirect(loginPath(request));
    throw json({ message: translator(request, user)(e.messageKey) }, { status: e.status });
  }
}
