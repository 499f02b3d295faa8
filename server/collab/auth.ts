// Decides, before the websocket upgrade, who connects to which section and with which rights:
// Origin, session cookie and section existence, with the rules themselves from policies.server.
import type { IncomingMessage } from "node:http";
import type { DB } from "../../app/db.server";
import { AppError } from "../../app/domain/errors";
import { docName } from "../../app/domain/richtext";
import { getSection, sectionResource } from "../../app/models/sections.server";
import { can, type SectionResource } from "../../app/policies.server";
import { isAllowedOrigin, userFromCookieHeader, type CurrentUser } from "../../app/session.server";

const PATH = /^\/collab\/([a-z0-9]+(?:-[a-z0-9]+)*)\/([a-z0-9]+(?:-[a-z0-9]+)*)\/?$/;

export interface Grant {
  user: CurrentUser;
  readOnly: boolean;
  codeId: string;
  sectionId: string;
  docName: string;
}

export type UpgradeDecision = { ok: true; grant: Grant } | { ok: false; status: 401 | 403 | 404; reason: string };

/** Parses `/collab/:codeSlug/:sectionId`; null for any other path. */
export function collabTarget(url: string | undefined): { codeId: string; sectionId: string } | null {
  const pathname = (url ?? "").split("?")[0];
  const m = PATH.exec(pathname);
  return m ? { codeId: m[1], sectionId: m[2] } : null;
}

/**
 * Lock state and reviewers per section, cached briefly: a join storm asks once, and lock
 * changes invalidate the entry (section.rights-changed, also relayed between instances).
 */
export class SectionResources {
  private readonly cache = new Map<string, { resource: SectionResource; at: number }>();
  /** Lookups under way: the upgrades of a join storm all wait for the same one. */
  private readonly inFlight = new Map<string, { promise: Promise<SectionResource | null> }>();

  constructor(
    private readonly db: () => DB,
    private readonly ttlMs = 5_000,
  ) {}

  /** The section's resource for `can()`, or null when the code or section does not exist. */
  async get(codeId: string, sectionId: string): Promise<SectionResource | null> {
    const key = docName(codeId, sectionId);
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.resource;
    const running = this.inFlight.get(key);
    if (running) return running.promise;
    const entry = { promise: Promise.resolve<SectionResource | null>(null) };
    this.inFlight.set(key, entry);
    entry.promise = (async () => {
      try {
        const resource = sectionResource(await getSection(this.db(), codeId, sectionId));
        // A rights change during the lookup dropped it from inFlight: do not cache the older answer.
        if (this.inFlight.get(key) === entry) this.cache.set(key, { resource, at: Date.now() });
        return resource;
      } catch (err) {
        if (err instanceof AppError && err.code === "NOT_FOUND") return null;
        throw err;
      } finally {
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
      }
    })();
    return entry.promise;
  }

  invalidate(codeId: string, sectionId: string): void {
    const key = docName(codeId, sectionId);
    this.cache.delete(key);
    this.inFlight.delete(key);
  }
}

/** Whether `user` may currently edit the section (false: read-only); null when it is gone. */
export async function sectionAccess(sections: SectionResources, user: CurrentUser, codeId: string, sectionId: string): Promise<{ readOnly: boolean } | null> {
  const resource = await sections.get(codeId, sectionId);
  return resource && { readOnly: !can(user, "section.edit", resource) };
}

export async function authorizeUpgrade(sections: SectionResources, req: IncomingMessage): Promise<UpgradeDecision> {
  const target = collabTarget(req.url);
  if (!target) return { ok: false, status: 404, reason: "not a collaboration path" };
  if (!isAllowedOrigin(req.headers.origin, undefined)) return { ok: false, status: 403, reason: "foreign origin" };
  const user = await userFromCookieHeader(req.headers.cookie);
  if (!user) return { ok: false, status: 401, reason: "no valid session" };
  if (!can(user, "draft.read")) return { ok: false, status: 403, reason: "may not read the draft" };
  const access = await sectionAccess(sections, user, target.codeId, target.sectionId);
  if (!access) return { ok: false, status: 404, reason: "unknown code or section" };
  return {
    ok: true,
    grant: { user, readOnly: access.readOnly, ...target, docName: docName(target.codeId, target.sectionId) },
  };
}
