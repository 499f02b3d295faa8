// Highlights of anchored comment threads in the live editor: a decoration plugin that resolves
// each thread's Yjs relative positions through the ySync binding's mapping, reports which
// anchors still resolve (or whose text was deleted), and tells which thread was clicked.
import { Extension, type Editor } from "@tiptap/core";
import { Plugin, PluginKey, type EditorState } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import { ySyncPluginKey } from "@tiptap/y-tiptap";
import { anchorFromProseMirror, resolveInProseMirror, type EncodedAnchor } from "~/domain/anchors";

export interface AnchorSpec extends EncodedAnchor {
  id: string;
}
export type Resolved = Record<string, { from: number; to: number } | null>;

/** Shared between React and the plugin (React writes anchors/active, the plugin calls back). */
export interface AnchorStore {
  anchors: AnchorSpec[];
  active: string | null;
  onResolved: (resolved: Resolved) => void;
  onClick: (threadId: string) => void;
}

export const commentAnchorsKey = new PluginKey<{ decos: DecorationSet; resolved: Resolved | null }>("commentAnchors");

function ySync(state: EditorState) {
  const ys = ySyncPluginKey.getState(state) as { doc?: import("yjs").Doc; type?: import("yjs").XmlFragment; binding?: { mapping: Map<unknown, unknown> } } | undefined;
  if (!ys?.doc || !ys.type || !ys.binding || ys.binding.mapping.size === 0) return null;
  return { doc: ys.doc, type: ys.type, mapping: ys.binding.mapping };
}

function compute(state: EditorState, store: AnchorStore) {
  const y = ySync(state);
  if (!y) return { decos: DecorationSet.empty, resolved: null };
  const resolved: Resolved = {};
  const decos: Decoration[] = [];
  const size = state.doc.content.size;
  for (const a of store.anchors) {
    const r = resolveInProseMirror(y.doc, y.type, y.mapping, a);
    const ok = r && r.from >= 0 && r.to <= size ? r : null;
    resolved[a.id] = ok;
    if (ok)
      decos.push(
        Decoration.inline(ok.from, ok.to, { class: a.id === store.active ? "comment-anchor is-active" : "comment-anchor", "data-thread-id": a.id }, { threadId: a.id }),
      );
  }
  return { decos: DecorationSet.create(state.doc, decos), resolved };
}

export function createCommentAnchors(store: AnchorStore) {
  return Extension.create({
    name: "commentAnchors",
    addProseMirrorPlugins() {
      let refreshTimer: ReturnType<typeof setTimeout> | null = null;
      let lastReported = "";
      return [
        new Plugin({
          key: commentAnchorsKey,
          state: {
            init: (_config, state) => compute(state, store),
            apply(tr, old, _oldState, newState) {
              // Remote changes (ySync) and explicit refreshes: resolve again from the Y.Doc.
              if (tr.getMeta(commentAnchorsKey) || tr.getMeta(ySyncPluginKey)) return compute(newState, store);
              // Local typing: map the highlights now; the plugin view re-resolves after ySync wrote to Y.
              if (tr.docChanged) return { decos: old.decos.map(tr.mapping, tr.doc), resolved: old.resolved, dirty: true };
              return old;
            },
          },
          props: {
            decorations: (state) => commentAnchorsKey.getState(state)?.decos,
            handleClick(view, pos) {
              const found = commentAnchorsKey.getState(view.state)?.decos.find(pos, pos) ?? [];
              const id = (found[0]?.spec as { threadId?: string } | undefined)?.threadId;
              if (id) store.onClick(id);
              return false;
            },
          },
          view: () => ({
            update(view, prevState) {
              const st = commentAnchorsKey.getState(view.state) as { resolved: Resolved | null; dirty?: boolean } | undefined;
              if (st?.dirty && !refreshTimer) {
                refreshTimer = setTimeout(() => {
                  refreshTimer = null;
                  if (!view.isDestroyed) view.dispatch(view.state.tr.setMeta(commentAnchorsKey, "refresh"));
                }, 60);
              }
              if (st?.resolved && commentAnchorsKey.getState(prevState) !== st) {
                const key = JSON.stringify(st.resolved);
                if (key !== lastReported) {
                  lastReported = key;
                  const resolved = st.resolved;
                  queueMicrotask(() => store.onResolved(resolved));
                }
              }
            },
            destroy() {
              if (refreshTimer) clearTimeout(refreshTimer);
            },
          }),
        }),
      ];
    },
  });
}

/** Re-resolves and redraws the highlights (after the anchors or the active thread changed). */
export function refreshAnchors(editor: Editor) {
  if (!editor.isDestroyed) editor.view.dispatch(editor.state.tr.setMeta(commentAnchorsKey, "refresh"));
}

/** The current selection as an anchor and its quote, or null when nothing is selected. */
export function selectionAnchor(editor: Editor): (EncodedAnchor & { quote: string }) | null {
  const { from, to, empty } = editor.state.selection;
  if (empty) return null;
  const y = ySync(editor.state);
  if (!y) return null;
  const quote = editor.state.doc.textBetween(from, to, "\n").trim();
  if (!quote) return null;
  return { ...anchorFromProseMirror(y.type, y.mapping, from, to), quote };
}

/** Selects and scrolls to a thread's text. */
export function jumpToAnchor(editor: Editor, range: { from: number; to: number }) {
  editor.chain().setTextSelection(range).scrollIntoView().run();
  const dom = editor.view.domAtPos(range.from).node as HTMLElement;
  (dom.nodeType === 1 ? dom : dom.parentElement)?.scrollIntoView({ block: "center", behavior: "smooth" });
}
