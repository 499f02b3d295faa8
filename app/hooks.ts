// Client and server hooks for the root data: the signed-in user and translations.
import { useRouteLoaderData } from "@remix-run/react";
import { messages, type Translate } from "./i18n";
import type { RootData } from "./root";

export function useRootData(): RootData | undefined {
  return useRouteLoaderData<RootData>("root");
}

export function useT(): Translate {
  return messages(useRootData()?.locale);
}

export function useLocale(): string {
  return useRootData()?.locale ?? "nl-BE";
}
