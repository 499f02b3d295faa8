// can(user, action, resource): the only place Codewerf decides who may do what (DOMAIN.md's
// table). Loaders, actions and the collaboration server all ask here.
import type { Role } from "./db.server";
import { AppError } from "./domain/errors";

/** The part of a user that rights depend on. `null` is the anonymous public. */
export interface Actor {
  id: string;
  role: Role;
  organisation_id: string | null;
  in_drafting_group: boolean;
  suspended_at: Date | null;
}

export interface PledgeResource {
  signerId: string;
}

export interface SectionResource {
  locked: boolean;
  reviewers: readonly string[];
}

type Actions = {
  "release.read": undefined;
  "pledge.read": undefined;
  "draft.read": undefined;
  "comment.create": undefined;
  "section.edit": SectionResource;
  "section.review": SectionResource;
  "section.lock": undefined;
  "section.manage": undefined;
  "release.publish": undefined;
  "users.manage": undefined;
  "comment.moderate": undefined;
  "pledge.create": undefined;
  "pledge.withdraw": PledgeResource;
};
export type Action = keyof Actions;
export const actions = [
  "release.read",
  "pledge.read",
  "draft.read",
  "comment.create",
  "section.edit",
  "section.review",
  "section.lock",
  "section.manage",
  "release.publish",
  "users.manage",
  "comment.moderate",
  "pledge.create",
  "pledge.withdraw",
] as const satisfies readonly Action[];

/** Editors of the draft: agencies, experts, the ministry, and admitted influencers. */
function inDraftingGroup(user: Actor): boolean {
  return user.role === "influencer" ? user.in_drafting_group : true;
}

export function can<A extends Action>(
  user: Actor | null,
  action: A,
  ...[resource]: Actions[A] extends undefined ? [] : [Actions[A]]
): boolean {
  if (action === "release.read" || action === "pledge.read") return true;
  if (!user || user.suspended_at) return false;
  const ministry = user.role === "ministry";
  switch (action) {
    case "draft.read":
    case "comment.create":
      return true;
    case "section.edit": {
      const section = resource as SectionResource;
      return section.locked ? ministry : inDraftingGroup(user);
    }
    case "section.review": {
      const section = resource as SectionResource;
      return user.role === "expert" && user.organisation_id !== null && section.reviewers.includes(user.organisation_id);
    }
    case "section.lock":
    case "section.manage":
    case "release.publish":
    case "users.manage":
    case "comment.moderate":
      return ministry;
    case "pledge.create":
      return user.role === "influencer" || user.role === "agency";
    case "pledge.withdraw":
      // Only the signer; never harder than signing, so no role condition.
      return (resource as PledgeResource).signerId === user.id;
  }
  return false;
}

/** Throws FORBIDDEN (or UNAUTHENTICATED for the public) unless `can` allows it. */
export function authorize<A extends Action>(
  user: Actor | null,
  action: A,
  ...resource: Actions[A] extends undefined ? [] : [Actions[A]]
): void {
  if (can(user, action, ...resource)) return;
  throw user ? new AppError("FORBIDDEN", "errors.forbidden") : new AppError("UNAUTHENTICATED", "errors.unauthenticated");
}

/** Why a signed-in user cannot edit a section, for the "alleen lezen" notice. */
export function readOnlyReason(user: Actor, section: SectionResource): "locked" | "not_in_drafting_group" | "suspended" | null {
  if (can(user, "section.edit", section)) return null;
  if (user.suspended_at) return "suspended";
  if (section.locked) return "locked";
  return "not_in_drafting_group";
}
