// The badge SVG (badge-maker escapes every string it is given), memoised per state.
import { makeBadge } from "badge-maker";
import { formatDateTime, messages } from "~/i18n";
import type { BadgeState } from "~/models/pledges.server";
import { withEtag, type CachedBody } from "~/models/releases.server";

const rendered = new Map<string, CachedBody>();

export function badgeSvg(state: BadgeState, locale: string): CachedBody {
  const key = `${locale}|${JSON.stringify(state)}`;
  const hit = rendered.get(key);
  if (hit) return hit;
  const t = messages(locale);
  const label = state.kind === "not_found" ? t("pledge.badge.unknownLabel") : t("pledge.badge.label", { version: state.version });
  const message =
    state.kind === "not_found"
      ? t("pledge.status.notFound")
      : state.kind === "withdrawn"
        ? `${t("pledge.status.withdrawn")} ${state.withdrawnAt ? formatDateTime(state.withdrawnAt, locale).split(" ")[0].replace(/,$/, "") : ""}`.trim()
        : t(state.kind === "active" ? "pledge.status.active" : "pledge.status.outdated");
  const color = state.kind === "active" ? "#1d6b3a" : state.kind === "outdated" ? "#8a4b00" : state.kind === "withdrawn" ? "#a11a1a" : "#5b6475";
  const body = withEtag(makeBadge({ label, message, color, labelColor: "#1d2330" }));
  if (rendered.size > 5000) rendered.clear();
  rendered.set(key, body);
  return body;
}
