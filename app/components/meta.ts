// Page titles in the visitor's language ("<page> · Codewerf"), read from the root loader's
// locale so the English switch changes the browser tab too.
import type { MetaDescriptor } from "@remix-run/node";
import { messages, type MessageKey } from "~/i18n";

interface MatchLike {
  id: string;
  data?: unknown;
}

export function pageTitle(matches: readonly MatchLike[], key: MessageKey, params?: Record<string, string | number>): MetaDescriptor[] {
  const root = matches.find((m) => m.id === "root")?.data as { locale?: string } | undefined;
  const t = messages(root?.locale);
  return [{ title: `${t(key, params)} · ${t("app.name")}` }];
}
