// Zod schemas for every form and JSON body. Browser-safe; messages are i18n keys.
import { z } from "zod";

const email = z.string().trim().toLowerCase().min(1, "field.required").max(254, "field.tooLong").email("field.email");
const password = z.string().min(10, "field.passwordTooShort").max(200, "field.tooLong");
const displayName = z.string().trim().min(1, "field.required").max(80, "field.tooLong");
export const locales = ["nl-BE", "en"] as const;
export type Locale = (typeof locales)[number];

export const LoginSchema = z.object({
  email: z.string().trim().min(1, "field.required").max(254, "field.tooLong"),
  password: z.string().min(1, "field.required").max(200, "field.tooLong"),
  redirectTo: z.string().max(2000).optional(),
});

export const SignupSchema = z.object({ email, displayName, password });
export const EmailOnlySchema = z.object({ email });
export const NewPasswordSchema = z.object({ password });
export const ProfileSchema = z.object({ displayName, locale: z.enum(locales, { message: "field.invalid" }) });
export const LocaleSchema = z.object({ locale: z.enum(locales, { message: "field.invalid" }), redirectTo: z.string().max(2000).optional() });

export const InviteSchema = z.object({
  email,
  displayName,
  role: z.enum(["expert", "agency"], { message: "field.invalid" }),
  organisationId: z.string().trim().min(1, "field.required").max(64, "field.tooLong"),
});

export const UserFlagSchema = z.object({
  intent: z.enum(["suspend", "unsuspend", "admit", "dismiss"], { message: "field.invalid" }),
  userId: z.string().uuid("field.invalid"),
});

export const SectionLockSchema = z.object({
  intent: z.enum(["lock", "unlock"], { message: "field.invalid" }),
  sectionId: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "field.invalid").max(64),
});
