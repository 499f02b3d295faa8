// The rights table of DOMAIN.md as a matrix: every kind of person × every action. A change
// to policies.server.ts that grants or withholds one right fails exactly one cell here.
import { describe, expect, it } from "vitest";
import { actions, can, readOnlyReason, type Action, type Actor } from "../../app/policies.server";

const person = (p: Partial<Actor>): Actor => ({ id: "u", role: "influencer", organisation_id: null, in_drafting_group: false, suspended_at: null, ...p });

const people: Record<string, Actor | null> = {
  public: null,
  creator: person({ role: "influencer" }),
  drafter: person({ role: "influencer", in_drafting_group: true }),
  agency: person({ role: "agency", organisation_id: "agency" }),
  awel: person({ role: "expert", organisation_id: "awel" }),
  sensoa: person({ role: "expert", organisation_id: "sensoa" }),
  ministry: person({ role: "ministry", organisation_id: "ministry" }),
  suspendedDrafter: person({ role: "influencer", in_drafting_group: true, suspended_at: new Date() }),
  suspendedMinistry: person({ role: "ministry", organisation_id: "ministry", suspended_at: new Date() }),
};

// `zelfdoding` is reviewed by Awel only.
const open = { locked: false, reviewers: ["awel"] };
const locked = { locked: true, reviewers: ["awel"] };

type Cell = Action | "section.edit(locked)" | "pledge.withdraw(own)";
const columns: Cell[] = [...actions.filter((a) => a !== "section.edit"), "section.edit", "section.edit(locked)", "pledge.withdraw(own)"];

// 1 = allowed, 0 = refused. Columns in the order of `columns`.
const expected: Record<keyof typeof people, Record<Cell, 0 | 1>> = {
  public:            { "release.read": 1, "pledge.read": 1, "draft.read": 0, "comment.create": 0, "section.review": 0, "section.lock": 0, "section.manage": 0, "release.publish": 0, "users.manage": 0, "comment.moderate": 0, "pledge.create": 0, "section.edit": 0, "section.edit(locked)": 0, "pledge.withdraw": 0, "pledge.withdraw(own)": 0 },
  creator:           { "release.read": 1, "pledge.read": 1, "draft.read": 1, "comment.create": 1, "section.review": 0, "section.lock": 0, "section.manage": 0, "release.publish": 0, "users.manage": 0, "comment.moderate": 0, "pledge.create": 1, "section.edit": 0, "section.edit(locked)": 0, "pledge.withdraw": 0, "pledge.withdraw(own)": 1 },
  drafter:           { "release.read": 1, "pledge.read": 1, "draft.read": 1, "comment.create": 1, "section.review": 0, "section.lock": 0, "section.manage": 0, "release.publish": 0, "users.manage": 0, "comment.moderate": 0, "pledge.create": 1, "section.edit": 1, "section.edit(locked)": 0, "pledge.withdraw": 0, "pledge.withdraw(own)": 1 },
  agency:            { "release.read": 1, "pledge.read": 1, "draft.read": 1, "comment.create": 1, "section.review": 0, "section.lock": 0, "section.manage": 0, "release.publish": 0, "users.manage": 0, "comment.moderate": 0, "pledge.create": 1, "section.edit": 1, "section.edit(locked)": 0, "pledge.withdraw": 0, "pledge.withdraw(own)": 1 },
  awel:              { "release.read": 1, "pledge.read": 1, "draft.read": 1, "comment.create": 1, "section.review": 1, "section.lock": 0, "section.manage": 0, "release.publish": 0, "users.manage": 0, "comment.moderate": 0, "pledge.create": 0, "section.edit": 1, "section.edit(locked)": 0, "pledge.withdraw": 0, "pledge.withdraw(own)": 1 },
  sensoa:            { "release.read": 1, "pledge.read": 1, "draft.read": 1, "comment.create": 1, "section.review": 0, "section.lock": 0, "section.manage": 0, "release.publish": 0, "users.manage": 0, "comment.moderate": 0, "pledge.create": 0, "section.edit": 1, "section.edit(locked)": 0, "pledge.withdraw": 0, "pledge.withdraw(own)": 1 },
  ministry:          { "release.read": 1, "pledge.read": 1, "draft.read": 1, "comment.create": 1, "section.review": 0, "section.lock": 1, "section.manage": 1, "release.publish": 1, "users.manage": 1, "comment.moderate": 1, "pledge.create": 0, "section.edit": 1, "section.edit(locked)": 1, "pledge.withdraw": 0, "pledge.withdraw(own)": 1 },
  suspendedDrafter:  { "release.read": 1, "pledge.read": 1, "draft.read": 0, "comment.create": 0, "section.review": 0, "section.lock": 0, "section.manage": 0, "release.publish": 0, "users.manage": 0, "comment.moderate": 0, "pledge.create": 0, "section.edit": 0, "section.edit(locked)": 0, "pledge.withdraw": 0, "pledge.withdraw(own)": 0 },
  suspendedMinistry: { "release.read": 1, "pledge.read": 1, "draft.read": 0, "comment.create": 0, "section.review": 0, "section.lock": 0, "section.manage": 0, "release.publish": 0, "users.manage": 0, "comment.moderate": 0, "pledge.create": 0, "section.edit": 0, "section.edit(locked)": 0, "pledge.withdraw": 0, "pledge.withdraw(own)": 0 },
};

function ask(user: Actor | null, cell: Cell): boolean {
  switch (cell) {
    case "section.edit":
      return can(user, "section.edit", open);
    case "section.edit(locked)":
      return can(user, "section.edit", locked);
    case "section.review":
      return can(user, "section.review", open);
    case "pledge.withdraw":
      return can(user, "pledge.withdraw", { signerId: "someone-else" });
    case "pledge.withdraw(own)":
      return can(user, "pledge.withdraw", { signerId: "u" });
    default:
      return (can as (u: Actor | null, a: Action) => boolean)(user, cell);
  }
}

describe("can(user, action, resource)", () => {
  for (const [name, user] of Object.entries(people)) {
    it(`${name}: every action as in the table`, () => {
      const actual = Object.fromEntries(columns.map((c) => [c, ask(user, c) ? 1 : 0]));
      expect(actual).toEqual(expected[name]);
    });
  }

  it("covers every action the policy knows", () => {
    expect(new Set(Object.keys(expected.ministry))).toEqual(new Set(columns));
  });

  it("an expert reviews only sections assigned to their organisation", () => {
    expect(can(people.sensoa, "section.review", { locked: false, reviewers: ["childfocus", "sensoa"] })).toBe(true);
    expect(can(people.awel, "section.review", { locked: false, reviewers: ["childfocus", "sensoa"] })).toBe(false);
    // Reviewing is about the field, not about who may edit: a lock does not take it away.
    expect(can(people.awel, "section.review", locked)).toBe(true);
  });
});

describe("readOnlyReason", () => {
  it("names why someone cannot edit", () => {
    expect(readOnlyReason(people.creator!, open)).toBe("not_in_drafting_group");
    expect(readOnlyReason(people.drafter!, locked)).toBe("locked");
    expect(readOnlyReason(people.suspendedDrafter!, open)).toBe("suspended");
    expect(readOnlyReason(people.drafter!, open)).toBeNull();
    expect(readOnlyReason(people.ministry!, locked)).toBeNull();
  });
});
