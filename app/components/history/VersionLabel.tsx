// How a version is called in the list and on its own page: its name, "restored from …", or
// the kind of snapshot, always with its time.
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";

export interface VersionLabelData {
  kind: string;
  name: string | null;
  createdAt: string | Date;
  restoredFrom: { name: string | null; createdAt: string | Date } | null;
}

export function useVersionLabel(): (v: VersionLabelData) => string {
  const t = useT();
  const locale = useLocale();
  return (v) => {
    if (v.kind === "restore" && v.restoredFrom) {
      const from = v.restoredFrom.name ? `“${v.restoredFrom.name}”` : t("history.versionOf", { when: formatDateTime(v.restoredFrom.createdAt, locale) });
      return t("history.kind.restore", { from });
    }
    if (v.name) return v.name;
    return t(v.kind === "initial" ? "history.kind.initial" : "history.kind.auto");
  };
}
