// The overview's live line per section: who has it open now and when it last changed, kept
// current by the server-sent events of /codes/:codeId/live (no reload needed).
import { useEffect, useState } from "react";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";

export interface LiveSection {
  here: { id: string; name: string; readOnly: boolean }[];
  change: { at: string; by: string[] } | null;
}

type LiveMessage =
  | { type: "snapshot"; presence: { sectionId: string; here: LiveSection["here"] }[]; changes: { sectionId: string; at: string; by: string[] }[] }
  | { type: "presence"; sectionId: string; here: LiveSection["here"] }
  | { type: "changed"; sectionId: string; at: string; by: string[] };

/** Section id → live state; starts from the loader's data, then follows the event stream. */
export function useLiveSections(codeId: string, initial: Record<string, LiveSection>): Record<string, LiveSection> {
  const [live, setLive] = useState(initial);
  useEffect(() => {
    const source = new EventSource(`/codes/${encodeURIComponent(codeId)}/live`);
    source.onmessage = (event) => {
      const m = JSON.parse(event.data) as LiveMessage;
      setLive((prev) => {
        const next = { ...prev };
        const patch = (id: string, p: Partial<LiveSection>) => (next[id] = { ...(next[id] ?? { here: [], change: null }), ...p });
        if (m.type === "snapshot") {
          for (const id of Object.keys(next)) patch(id, { here: [] });
          for (const p of m.presence) patch(p.sectionId, { here: p.here });
          for (const c of m.changes) if (!next[c.sectionId]?.change || next[c.sectionId].change!.at < c.at) patch(c.sectionId, { change: { at: c.at, by: c.by } });
        } else if (m.type === "presence") patch(m.sectionId, { here: m.here });
        else patch(m.sectionId, { change: { at: m.at, by: m.by } });
        return next;
      });
    };
    return () => source.close();
  }, [codeId]);
  return live;
}

export function LiveSectionStatus({ sectionId, state }: { sectionId: string; state: LiveSection | undefined }) {
  const t = useT();
  const locale = useLocale();
  const editors = (state?.here ?? []).filter((u) => !u.readOnly);
  const change = state?.change ?? null;
  return (
    <div className="section-live" data-testid={`live-${sectionId}`}>
      <p className="meta" data-testid="editing" data-count={editors.length}>
        {editors.length ? t("editor.overview.editing", { names: editors.map((u) => u.name).join(", ") }) : t("editor.overview.nobody")}
      </p>
      <p className="meta" data-testid="changed" data-changed-at={change?.at ?? ""}>
        {change
          ? change.by.length
            ? t("editor.overview.changedBy", { when: formatDateTime(change.at, locale), names: change.by.join(", ") })
            : t("editor.overview.changed", { when: formatDateTime(change.at, locale) })
          : t("editor.overview.never")}
      </p>
    </div>
  );
}
