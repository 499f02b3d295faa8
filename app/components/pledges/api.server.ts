// The open-data shape of a pledge: no age, no e-mail, nothing about guardians or tokens.
import type { PublicPledge } from "~/models/pledges.server";

export const PLEDGE_SCHEMA_VERSION = 1;

export function pledgeJson(p: PublicPledge, origin: string) {
  return {
    id: p.id,
    name: p.name,
    handles: p.handles,
    code: p.codeId,
    release: p.release,
    status: p.status,
    outdated: p.outdated,
    signedAt: p.signedAt,
    confirmedAt: p.confirmedAt,
    withdrawnAt: p.withdrawnAt,
    textSha256: p.textSha256,
    url: `${origin}/pledges/${p.id}`,
    badge: `${origin}/pledges/${p.id}/badge.svg`,
  };
}
