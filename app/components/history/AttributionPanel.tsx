// The section page's history bar: a link to the versions, and the "who wrote what" toggle with
// its legend. `useAttribution` wires the decoration plugin into the SectionEditor
// (`extensions` + `onReady`) and refreshes the authors from the server while text changes.
import type { Editor } from "@tiptap/core";
import { Link } from "@remix-run/react";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { WebsocketProvider } from "y-websocket";
import { DecorationSet } from "@tiptap/pm/view";
import type * as Y from "yjs";
import { userColour } from "~/domain/colours";
import { YDOC_FRAGMENT } from "~/domain/richtext";
import { useT } from "~/hooks";
import type { Attribution } from "~/models/attribution.server";
import { AttributionExtension, attributionKey, authorDecorations, authorLookup, type Author } from "./attribution";

const REFETCH_MS = 2000;

interface Live {
  editor: Editor;
  ydoc: Y.Doc;
  provider: WebsocketProvider;
}

export interface AttributionControl {
  enabled: boolean;
  setEnabled: (on: boolean) => void;
  legend: Author[];
  extensions: typeof AttributionExtension[];
  onReady: (editor: Editor, ydoc: Y.Doc, provider: WebsocketProvider) => () => void;
}

export function useAttribution(codeId: string, sectionId: string, self: { id: string; name: string }): AttributionControl {
  const t = useT();
  const deletedName = t("user.deleted");
  const [enabled, setEnabled] = useState(false);
  const [legend, setLegend] = useState<Author[]>([]);
  const [live, setLive] = useState<Live | null>(null);
  const extensions = useMemo(() => [AttributionExtension], []);
  const onReady = useCallback((editor: Editor, ydoc: Y.Doc, provider: WebsocketProvider) => {
    setLive({ editor, ydoc, provider });
    return () => setLive(null);
  }, []);

  useEffect(() => {
    if (!live) return;
    const { editor, ydoc, provider } = live;
    const show = (deco: DecorationSet, on: boolean) => {
      if (!editor.isDestroyed) editor.view.dispatch(editor.state.tr.setMeta(attributionKey, { enabled: on, deco }).setMeta("addToHistory", false));
    };
    if (!enabled) {
      show(DecorationSet.empty, false);
      setLegend([]);
      return;
    }
    const fragment = ydoc.getXmlFragment(YDOC_FRAGMENT);
    const selfAuthor: Author = { key: self.id, name: self.name, color: userColour(self.id) };
    let data: Attribution | null = null;
    let stopped = false;
    let renderTimer: ReturnType<typeof setTimeout> | null = null;
    let fetchTimer: ReturnType<typeof setTimeout> | null = null;
    let lastFetch = 0;

    const render = () => {
      renderTimer = null;
      if (stopped || editor.isDestroyed) return;
      const peers = new Map<number, Author>();
      for (const [client, state] of provider.awareness.getStates()) {
        const u = (state as { user?: { id?: string; name?: string; color?: string } }).user;
        if (u?.id && u.name && u.color) peers.set(client, { key: u.id, name: u.name, color: u.color });
      }
      const result = authorDecorations(editor.state.doc, fragment, authorLookup(data, peers, { client: ydoc.clientID, author: selfAuthor }, deletedName));
      if (!result) return schedule();
      show(result.deco, true);
      setLegend(result.seen);
    };
    const schedule = () => {
      renderTimer ??= setTimeout(render, 30);
    };
    const refetch = async () => {
      fetchTimer = null;
      lastFetch = Date.now();
      try {
        const res = await fetch(`/codes/${codeId}/sections/${sectionId}/attribution`, { headers: { Accept: "application/json" } });
        if (res.ok) data = (await res.json()) as Attribution;
      } catch {
        // Offline: keep the last known authors; presence still names the live ones.
      }
      if (!stopped) schedule();
    };
    const onChange = () => {
      schedule();
      fetchTimer ??= setTimeout(() => void refetch(), Math.max(0, lastFetch + REFETCH_MS - Date.now()));
    };
    fragment.observeDeep(onChange);
    provider.awareness.on("change", schedule);
    void refetch();
    return () => {
      stopped = true;
      fragment.unobserveDeep(onChange);
      provider.awareness.off("change", schedule);
      if (renderTimer) clearTimeout(renderTimer);
      if (fetchTimer) clearTimeout(fetchTimer);
    };
  }, [live, enabled, codeId, sectionId, self.id, self.name, deletedName]);

  return { enabled, setEnabled, legend, extensions, onReady };
}

/** Link to the history and the attribution toggle with its legend (above the editor). */
export function HistoryBar({ codeId, sectionId, attribution }: { codeId: string; sectionId: string; attribution: AttributionControl }) {
  const t = useT();
  return (
    <div className="attribution-toggle" data-testid="history-bar">
      <Link to={`/codes/${codeId}/sections/${sectionId}/history`}>{t("history.link")}</Link>
      <label>
        <input type="checkbox" checked={attribution.enabled} onChange={(e) => attribution.setEnabled(e.currentTarget.checked)} data-testid="attribution-toggle" />
        {t("history.attribution.toggle")}
      </label>
      {attribution.enabled && attribution.legend.length ? (
        <ul className="attribution-legend" aria-label={t("history.attribution.legend")}>
          {attribution.legend.map((a) => (
            <li key={a.key}>
              <span className="attribution-swatch" style={{ background: a.color }} aria-hidden="true" />
              {a.name}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
