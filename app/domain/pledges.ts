// Pledges, browser-safe: the pledge text per release, handle formats (stored normalised:
// lowercase, without "@" or profile URL) and the signing form's schema.
import { z } from "zod";

/**
 * The exact text a signer agrees to, for one release. Its sha256 is stored with the pledge;
 * change the wording only together with PLEDGE_TEXT_VERSION (old hashes must stay checkable).
 */
export const PLEDGE_TEXT_VERSION = 1;
export function pledgeText(codeTitle: string, version: string): string {
  return [
    `Ik onderteken de ${codeTitle}, versie ${version}.`,
    "Ik maak altijd meteen en duidelijk zichtbaar wanneer iets reclame is, ook bij cadeaus, kortingscodes en affiliate links.",
    "Als mijn publiek jong kan zijn, ben ik extra voorzichtig: ik zet kinderen en jongeren niet onder druk en ik maak geen reclame voor wat hen schade kan doen.",
    "Over moeilijke onderwerpen zoals zelfdoding, eetstoornissen en geweld praat ik met zorg, en ik verwijs naar hulp wanneer dat nodig is.",
    "Ik respecteer de privacy van de mensen in mijn content, zeker die van kinderen.",
    "Ik lees elke nieuwe hoofdversie van de code en teken dan opnieuw, of ik trek mijn handtekening in als ik me er niet meer aan kan of wil houden.",
  ].join(" ");
}

/** Accepts "name", "@name" or a profile URL on the given hosts; yields the bare, lowercase name. */
function handle(hosts: string[], pattern: RegExp) {
  const prefix = new RegExp(`^(?:https?://)?(?:www\\.|m\\.)?(?:${hosts.map((h) => h.replace(/\./g, "\\.")).join("|")})/@?`, "i");
  return z
    .string()
    .trim()
    .max(120, "field.tooLong")
    .transform((v) => v.replace(prefix, "").replace(/^@/, "").replace(/\/+$/, "").toLowerCase())
    .refine((v) => v === "" || pattern.test(v), "pledge.handleInvalid")
    .transform((v) => (v === "" ? null : v));
}

export const HANDLES = ["instagram", "tiktok", "youtube", "twitch"] as const;
export type HandleKind = (typeof HANDLES)[number];

export const handleSchemas = {
  // 1–30 letters, digits, dots and underscores; no dot at either end.
  instagram: handle(["instagram.com"], /^(?!\.)[a-z0-9._]{1,30}(?<!\.)$/),
  // 2–24 letters, digits, dots and underscores; not ending in a dot.
  tiktok: handle(["tiktok.com"], /^[a-z0-9._]{2,24}(?<!\.)$/),
  // YouTube handles: 3–30 letters, digits, dots, hyphens and underscores.
  youtube: handle(["youtube.com"], /^[a-z0-9._-]{3,30}$/),
  // 4–25 letters, digits and underscores, starting with a letter or digit.
  twitch: handle(["twitch.tv"], /^[a-z0-9][a-z0-9_]{3,24}$/),
};

export const handleUrl: Record<HandleKind, (h: string) => string> = {
  instagram: (h) => `https://www.instagram.com/${h}/`,
  tiktok: (h) => `https://www.tiktok.com/@${h}`,
  youtube: (h) => `https://www.youtube.com/@${h}`,
  twitch: (h) => `https://www.twitch.tv/${h}`,
};

export const SignPledgeSchema = z
  .object({
    publicName: z.string().trim().min(1, "field.required").max(80, "field.tooLong"),
    ...handleSchemas,
    under13: z.enum(["yes", "no"], { message: "pledge.ageRequired" }),
    guardianEmail: z.string().trim().toLowerCase().max(254, "field.tooLong").optional().default(""),
    textSha256: z.string().regex(/^[0-9a-f]{64}$/, "field.invalid"),
  })
  .superRefine((v, ctx) => {
    if (v.under13 !== "yes") return;
    if (!z.string().email().safeParse(v.guardianEmail).success) ctx.addIssue({ code: "custom", path: ["guardianEmail"], message: "pledge.guardianRequired" });
  });
export type SignPledgeInput = z.output<typeof SignPledgeSchema>;

export const WithdrawSchema = z.object({
  intent: z.literal("withdraw"),
  reason: z.string().trim().max(500, "field.tooLong").optional().default(""),
});

export const RegistryQuery = z.object({
  q: z.string().trim().max(80).optional().default(""),
  release: z.string().regex(/^\d{1,6}\.\d{1,6}$/).optional(),
  after: z.string().max(200).optional(),
});
