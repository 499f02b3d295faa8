// A small typed catalogue: nl-BE by default, English available. `messages(locale)` returns a
// translate function; parameters are filled in as plain text (React escapes on render).
import type { Locale } from "~/domain/schemas";
import { en } from "./en";
import { nl, type MessageKey } from "./nl";

export type { MessageKey };
export type Translate = (key: MessageKey | string, params?: Record<string, string | number>) => string;

const catalogues: Record<Locale, Record<MessageKey, string>> = { "nl-BE": nl, en };

export function isLocale(value: unknown): value is Locale {
  return value === "nl-BE" || value === "en";
}

export function messages(locale: string | null | undefined): Translate {
  const catalogue = catalogues[isLocale(locale) ? locale : "nl-BE"];
  return (key, params) => {
    const template = (catalogue as Record<string, string>)[key] ?? (nl as Record<string, string>)[key] ?? key;
    return params ? template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : template;
  };
}

// Building an Intl.DateTimeFormat costs about 100 µs, formatting with one a few: a list of 50
// dates (the pledge registry) reuses one per language.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

export function formatDateTime(date: Date | string, locale: string): string {
  const tag = locale === "en" ? "en-GB" : "nl-BE";
  let format = dateTimeFormats.get(tag);
  if (!format) dateTimeFormats.set(tag, (format = new Intl.DateTimeFormat(tag, { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Brussels" })));
  return format.format(new Date(date));
}
