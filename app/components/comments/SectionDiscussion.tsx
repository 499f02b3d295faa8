// The section's editor with its comment threads and expert review: wires the anchor highlight
// extension into the live editor (click a highlight → its thread; click a thread → its text)
// and lays out the comments panel beside it (a bottom sheet on a phone).
import type { Editor } from "@tiptap/core";
import { useCallback, useMemo, useRef, useState } from "react";
import type { WebsocketProvider } from "y-websocket";
import type * as Y from "yjs";
import { SectionEditor, type SectionEditorProps } from "~/components/editor/SectionEditor";
import type { ThreadView } from "~/models/comments.server";
import type { RedlinePart } from "~/domain/redline";
import { createCommentAnchors, jumpToAnchor, refreshAnchors, selectionAnchor, type AnchorStore, type Resolved } from "./anchor-extension";
import { CommentsPanel, type PendingAnchor, type Viewer } from "./CommentsPanel";
import { ReviewPanel, type ReviewCellView } from "./ReviewPanel";

export interface DiscussionData {
  threads: ThreadView[];
  viewer: Viewer;
  review: { cells: ReviewCellView[]; redlines: { organisationId: string; parts: RedlinePart[] | null }[]; myOrganisation: { id: string; name: string } | null };
}

export function SectionDiscussion({ editor: editorProps, discussion }: { editor: SectionEditorProps; discussion: DiscussionData }) {
  const [resolved, setResolved] = useState<Resolved | null>(null);
  const [active, setActive] = useState<string | null>(null);
  const [selection, setSelection] = useState<PendingAnchor | null>(null);
  const editorRef = useRef<Editor | null>(null);
  const resolvedRef = useRef<Resolved | null>(null);
  const [liveThreads, setLiveThreads] = useState<ThreadView[]>(discussion.threads);

  const store = useRef<AnchorStore>({
    anchors: [],
    active: null,
    onResolved: (r) => {
      resolvedRef.current = r;
      setResolved(r);
    },
    onClick: (id) => setActive(id),
  }).current;

  // The anchors the editor highlights: open threads with an anchor.
  const anchors = useMemo(
    () => liveThreads.filter((th) => th.anchorStart && th.anchorEnd && th.status === "open").map((th) => ({ id: th.id, start: th.anchorStart!, end: th.anchorEnd! })),
    [liveThreads],
  );
  const anchorsKey = anchors.map((a) => a.id).join(",");
  if (store.anchors.map((a) => a.id).join(",") !== anchorsKey || store.active !== active) {
    store.anchors = anchors;
    store.active = active;
    if (editorRef.current) {
      const ed = editorRef.current;
      queueMicrotask(() => refreshAnchors(ed));
    }
  }

  const extensions = useMemo(() => [createCommentAnchors(store)], [store]);
  // The page may pass its own onReady (attribution); both run, and both clean up.
  const outerReady = useRef(editorProps.onReady);
  outerReady.current = editorProps.onReady;
  const onReady = useCallback(
    (editor: Editor, ydoc: Y.Doc, provider: WebsocketProvider) => {
      const outerCleanup = outerReady.current?.(editor, ydoc, provider);
      editorRef.current = editor;
      const onSelection = () => setSelection(selectionAnchor(editor));
      editor.on("selectionUpdate", onSelection);
      // Resolve once the first sync has filled the binding's mapping.
      refreshAnchors(editor);
      const retry = setTimeout(() => refreshAnchors(editor), 300);
      return () => {
        clearTimeout(retry);
        editor.off("selectionUpdate", onSelection);
        editorRef.current = null;
        if (typeof outerCleanup === "function") outerCleanup();
      };
    },
    [],
  );
  const onSelectThread = useCallback((id: string) => {
    setActive(id);
    const range = resolvedRef.current?.[id];
    if (range && editorRef.current) jumpToAnchor(editorRef.current, range);
  }, []);

  return (
    <div className="section-discussion">
      <div className="section-discussion-main">
        <SectionEditor {...editorProps} extensions={[...(editorProps.extensions ?? []), ...extensions]} onReady={onReady} />
        <ReviewPanel codeId={editorProps.codeId} sectionId={editorProps.sectionId} {...discussion.review} />
      </div>
      <CommentsPanel
        codeId={editorProps.codeId}
        sectionId={editorProps.sectionId}
        threads={discussion.threads}
        viewer={discussion.viewer}
        resolved={resolved}
        activeThreadId={active}
        onSelectThread={onSelectThread}
        selection={selection}
        onThreads={setLiveThreads}
      />
    </div>
  );
}
