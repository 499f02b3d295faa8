// The busiest form posts (signing a pledge, posting a comment), defined once: their Remix routes
// run them through `remixAction`, and the server may answer the common case directly, before the
// Remix runtime (server/direct-actions.ts), from the very same definitions. The server reaches
// them through the Remix build's entry module (`directActions` in entry.server.tsx), so both
// paths share one module instance: the same caches, the same error class, the same policy code.
// docs/decisions.md ("Form posts answered before Remix") explains why and what stays with Remix.
import { json, redirect, type ActionFunction } from "@remix-run/node";
import type { z } from "zod";
import { db } from "./db.server";
import { SignPledgeSchema } from "./domain/pledges";
import { AppError, isAppError, type ErrorCode } from "./domain/errors";
import { handleAction, parseWith, readForm } from "./http.server";
import { CommentActionSchema, runCommentAction } from "./models/comments.server";
import { signPledge } from "./models/pledges.server";
import { requireUser, userFromCookieHeader, type CurrentUser } from "./session.server";

/** What an action answers: a redirect (forms without JavaScript, or a page route) or JSON (fetchers of a resource route). */
export type FormActionResult = { redirect: string; status?: 302 | 303 } | { json: unknown };

export interface FormActionArgs {
  user: CurrentUser;
  params: Record<string, string>;
  /** The post came from a script that wants JSON back (`?fetch=1` or `Accept: application/json`). */
  fromFetcher: boolean;
}

export interface FormAction<S extends z.ZodTypeAny = z.ZodTypeAny> {
  /** The Remix route id (what `?_data=` names). */
  routeId: string;
  /** The route's path, params as `:name`. */
  path: string;
  /** A resource route (no page): on a plain post the action's own answer is the response. */
  resource: boolean;
  /** Validates the urlencoded form fields. */
  schema: S;
  /** Checks the rights (through the models' `authorize`) and does the change. Throws AppError. */
  run(args: FormActionArgs, input: z.output<S>): Promise<FormActionResult>;
}

const define = <S extends z.ZodTypeAny>(a: FormAction<S>): FormAction<S> => a;

export const signPledgeAction = define({
  routeId: "routes/pledge",
  path: "/pledge",
  resource: false,
  schema: SignPledgeSchema,
  async run({ user }, input) {
    const { id } = await signPledge(db(), user, input);
    return { redirect: `/pledges/${id}?signed=1` };
  },
});

export const commentAction = define({
  routeId: "routes/codes.$codeId.sections.$sectionId_.comments",
  path: "/codes/:codeId/sections/:sectionId/comments",
  resource: true,
  schema: CommentActionSchema,
  async run({ user, params, fromFetcher }, input) {
    const result = await runCommentAction(db(), user, params.codeId, params.sectionId, input);
    if (fromFetcher) return { json: { ok: true as const, ...result } };
    const anchor = result.threadId ? `#thread-${result.threadId}` : "";
    return { redirect: `/codes/${params.codeId}/sections/${params.sectionId}${anchor}`, status: 303 };
  },
});

/**
 * An action that failed in the direct path after its form was read (a conflict, a rate limit):
 * handed to the Remix route in the load context so it answers with the page and the message
 * without running the action a second time. Plain data: the server's modules are another
 * instance, so an AppError from there would not pass `instanceof` here.
 */
export interface DirectFailure {
  code: ErrorCode;
  messageKey: string;
  details?: Record<string, unknown>;
}

export function toDirectFailure(e: unknown): DirectFailure | null {
  return isAppError(e) ? { code: e.code, messageKey: e.messageKey, details: e.details } : null;
}

/** The post came from a script that wants JSON back (Remix strips `_data` before the action runs, so enhanced forms say so with `?fetch=1`). */
export function fromFetcher(query: URLSearchParams, accept: string | null | undefined): boolean {
  return query.has("fetch") || (accept ?? "").includes("application/json");
}

/** The Remix route's `action` for a definition. */
export function remixAction(def: FormAction): ActionFunction {
  return async ({ request, params, context }) => {
    const user = await requireUser(request);
    const failed = context.directFailure;
    return handleAction(request, user, async () => {
      if (failed) throw new AppError(failed.code, failed.messageKey, failed.details);
      const input = parseWith(def.schema, await readForm(request));
      const result = await def.run({ user, params: params as Record<string, string>, fromFetcher: fromFetcher(new URL(request.url).searchParams, request.headers.get("Accept")) }, input);
      return "redirect" in result ? redirect(result.redirect, result.status ?? 302) : json(result.json);
    });
  };
}

/** What the server's direct path takes from the Remix build (see entry.server.tsx). */
export const directActions = {
  actions: [signPledgeAction, commentAction] as FormAction[],
  userFromCookieHeader,
  toDirectFailure,
  fromFetcher,
};
export type DirectActions = typeof directActions;
