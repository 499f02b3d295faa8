/**
 * The live section editor: tiptap on the section's Y.Doc (y-websocket to /collab, y-indexeddb
 * for offline edits), with toolbar, presence, a truthful saving status and the read-only notice.
 *
 * Plug-in API (history/attribution, comments):
 *   <SectionEditor
 *     codeId sectionId user={{ id, name }} initialHtml readOnlyReason   // from the route's loader
 *     extensions={[MyExtension]}        // extra tiptap extensions, added after ours
 *     onReady={(editor, ydoc, provider) => cleanup?}  // once the editor exists; may return a cleanup
 *     toolbarExtra={(ctx) => <button …/>} // extra toolbar buttons (ReactNode or render function)
 *     sidePanel={(ctx) => <aside …/>}     // a panel next to the text (stacks below on a phone)
 *   />
 * `extensions` are read once, when the editor is created (keep them stable, e.g. useMemo);
 * `onReady` runs once per editor (the latest callback passed), its cleanup on unmount.
 * `ctx` is `{ editor, ydoc, provider, editable }` (an `EditorContext`). Extra toolbar buttons
 * should be `<button type="button" className="tool" data-tool="…" tabIndex={-1} aria-label=…>`
 * to join the toolbar's arrow-key navigation. Extensions must not add schema nodes/marks that
 * the server's schema (`app/domain/richtext.ts`) lacks; decorations and plugins are fine.
 *
 * First paint is the server-rendered HTML in the same frame and typography; the editor replaces
 * it only once it has synced (or, offline, once IndexedDB gave it text), keeping the height.
 */
import type { AnyExtension, Editor } from "@tiptap/core";
import { Extension } from "@tiptap/core";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import { EditorContent, useEditor } from "@tiptap/react";
import { useRevalidator } from "@remix-run/react";
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import type { WebsocketProvider } from "y-websocket";
import type * as Y from "yjs";
import { isSafeHref, richTextExtensions } from "~/domain/richtext";
import { useT } from "~/hooks";
import { CollabSession, type CollabState } from "./collab-session";
import { LivePresence, PresenceList, type TypingState } from "./Presence";
import { Toolbar } from "./Toolbar";

export interface EditorContext {
  editor: Editor;
  ydoc: Y.Doc;
  provider: WebsocketProvider;
  editable: boolean;
}

type Slot = ReactNode | ((ctx: EditorContext) => ReactNode);

export interface SectionEditorProps {
  codeId: string;
  sectionId: string;
  user: { id: string; name: string };
  /** Server-rendered HTML of the current text (first paint, and the view without JavaScript). */
  initialHtml: string;
  /** Why this person may only read (`locked`, `not_in_drafting_group`, …), or null. */
  readOnlyReason: string | null;
  extensions?: AnyExtension[];
  onReady?: (editor: Editor, ydoc: Y.Doc, provider: WebsocketProvider) => void | (() => void);
  toolbarExtra?: Slot;
  sidePanel?: Slot;
}

const useIsoLayoutEffect = typeof window === "undefined" ? useEffect : useLayoutEffect;

function fill(slot: Slot | undefined, ctx: EditorContext | null): ReactNode {
  if (typeof slot !== "function") return slot ?? null;
  return ctx ? slot(ctx) : null;
}

export function SectionEditor(props: SectionEditorProps) {
  const t = useT();
  const [session, setSession] = useState<CollabSession | null>(null);
  // Decided once per page: a later change of rights must not tear down the live document.
  const [persistOffline] = useState(props.readOnlyReason === null);
  useEffect(() => {
    const s = new CollabSession({ codeId: props.codeId, sectionId: props.sectionId, userId: props.user.id, persistOffline });
    setSession(s);
    return () => s.destroy();
  }, [props.codeId, props.sectionId, props.user.id, persistOffline]);

  return session ? (
    <LiveEditor key={`${props.codeId}/${props.sectionId}`} session={session} {...props} />
  ) : (
    <EditorShell
      t={t}
      readOnlyReason={props.readOnlyReason}
      serverReadOnly={null}
      status="connecting"
      presence={<PresenceList peers={[]} selfName={props.user.name} />}
      toolbar={<Toolbar editor={null} editable={props.readOnlyReason === null} live={false} linkFormOpen={false} setLinkFormOpen={() => undefined} />}
    >
      <StaticText html={props.initialHtml} />
    </EditorShell>
  );
}

function LiveEditor({ session, ...props }: SectionEditorProps & { session: CollabSession }) {
  const t = useT();
  const state = useSyncExternalStore(session.subscribe, () => session.snapshot, () => session.snapshot);
  const readOnly = state.serverReadOnly ?? props.readOnlyReason !== null;
  const editable = !readOnly && !state.closedForGood;
  const [linkFormOpen, setLinkFormOpen] = useState(false);
  const openLinkForm = useRef(setLinkFormOpen);
  openLinkForm.current = setLinkFormOpen;

  const editor = useEditor(
    {
      immediatelyRender: false,
      shouldRerenderOnTransaction: false,
      editable,
      extensions: [
        ...richTextExtensions.map((e) => (e.name === "starterKit" ? e.configure({ undoRedo: false, trailingNode: false }) : e)),
        Collaboration.configure({ document: session.ydoc }),
        CollaborationCaret.configure({ provider: session.provider, user: { name: props.user.name } }),
        Extension.create({
          name: "codewerfShortcuts",
          addKeyboardShortcuts: () => ({
            "Mod-k": () => {
              openLinkForm.current(true);
              return true;
            },
            "Alt-F10": () => {
              document.querySelector<HTMLButtonElement>(".editor-toolbar [data-tool][tabindex='0']")?.focus();
              return true;
            },
          }),
        }),
        ...(props.extensions ?? []),
      ],
      editorProps: {
        // Pasted HTML is parsed by the schema anyway; this first reduces it in an inert document
        // so no handler or image of it ever touches the live page.
        transformPastedHTML: inertPastedHtml,
        attributes: {
          id: "section-editor",
          class: "prose editor-surface",
          role: "textbox",
          "aria-multiline": "true",
          "aria-label": t("editor.label"),
        },
      },
    },
    [session],
  );

  useEffect(() => {
    if (editor && editor.isEditable !== editable) editor.setEditable(editable);
  }, [editor, editable]);

  // "Who is typing where": publish the block of each local change (throttled).
  useEffect(() => {
    if (!editor) return;
    const { ydoc, provider } = session;
    let n = 0;
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const publish = () => {
      timer = null;
      last = Date.now();
      const $head = editor.state.selection.$head;
      const block = $head.depth > 0 ? $head.index(0) : 0;
      const snippet = (editor.state.doc.maybeChild(block)?.textContent ?? "").slice(0, 40);
      provider.awareness.setLocalStateField("typing", { block, snippet, n: ++n } satisfies TypingState);
    };
    const onUpdate = (_u: Uint8Array, origin: unknown) => {
      if (origin === provider || origin === session.persistence || !editor.isEditable || timer) return;
      timer = setTimeout(publish, Math.max(0, last + 300 - Date.now()));
    };
    ydoc.on("update", onUpdate);
    return () => {
      ydoc.off("update", onUpdate);
      if (timer) clearTimeout(timer);
    };
  }, [editor, session]);

  // Once per editor, even when the parent passes a new callback on every render.
  const onReady = useRef(props.onReady);
  onReady.current = props.onReady;
  useEffect(() => {
    if (!editor || !onReady.current) return;
    const cleanup = onReady.current(editor, session.ydoc, session.provider);
    return typeof cleanup === "function" ? cleanup : undefined;
  }, [editor, session]);

  // Closing the tab with edits the server has not confirmed asks first.
  useEffect(() => {
    if (!state.unsaved) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [state.unsaved]);

  // A change of rights while open (message 101): reload the page's data for the reason.
  const revalidator = useRevalidator();
  const loaderReadOnly = props.readOnlyReason !== null;
  useEffect(() => {
    if (state.serverReadOnly !== null && state.serverReadOnly !== loaderReadOnly && revalidator.state === "idle") revalidator.revalidate();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state.serverReadOnly, loaderReadOnly]);

  const live = state.ready && editor !== null;
  const ctx = editor ? { editor, ydoc: session.ydoc, provider: session.provider, editable } : null;
  return (
    <EditorShell
      t={t}
      readOnlyReason={props.readOnlyReason}
      serverReadOnly={state.serverReadOnly}
      status={state.status}
      closedForGood={state.closedForGood}
      presence={<LivePresence provider={session.provider} selfName={props.user.name} />}
      toolbar={<Toolbar editor={editor} editable={editable} live={live} extra={fill(props.toolbarExtra, ctx)} linkFormOpen={linkFormOpen} setLinkFormOpen={setLinkFormOpen} />}
      sidePanel={fill(props.sidePanel, ctx)}
    >
      <SwapFrame live={live} html={props.initialHtml}>
        <EditorContent editor={editor} />
      </SwapFrame>
    </EditorShell>
  );
}

const DROPPED_ON_PASTE = "script, style, img, picture, video, audio, iframe, object, embed, svg, math, link, meta, form, input, button, textarea, select, template";

/** Pasted HTML without elements the schema cannot hold and without event-handler attributes. */
function inertPastedHtml(html: string): string {
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const el of doc.body.querySelectorAll(DROPPED_ON_PASTE)) el.remove();
  for (const el of doc.body.querySelectorAll("*")) {
    for (const attr of [...el.attributes]) {
      if (/^on/i.test(attr.name) || attr.name === "style" || attr.name === "srcset") el.removeAttribute(attr.name);
    }
    if (el.hasAttribute("href") && !isSafeHref(el.getAttribute("href"))) el.removeAttribute("href");
  }
  return doc.body.innerHTML;
}

/** Shows the server's HTML until `live`, then the editor, without letting the height shrink. */
function SwapFrame({ live, html, children }: { live: boolean; html: string; children: ReactNode }) {
  const frame = useRef<HTMLDivElement>(null);
  const [minHeight, setMinHeight] = useState<number | undefined>(undefined);
  const wasLive = useRef(live);
  useIsoLayoutEffect(() => {
    if (live && !wasLive.current && frame.current) setMinHeight(frame.current.getBoundingClientRect().height);
    wasLive.current = live;
  }, [live]);
  useEffect(() => {
    if (minHeight === undefined) return;
    // Once the editor has laid out, the reservation is no longer needed.
    const id = requestAnimationFrame(() => setMinHeight(undefined));
    return () => cancelAnimationFrame(id);
  }, [minHeight]);
  return (
    <div ref={frame} className="editor-frame" data-live={live ? "true" : "false"} data-testid="editor-frame" style={{ minHeight }}>
      {live ? null : <StaticText html={html} />}
      <div className={live ? "editor-live" : "editor-live editor-pending"} aria-hidden={live ? undefined : true}>
        {children}
      </div>
    </div>
  );
}

function StaticText({ html }: { html: string }) {
  return <div className="prose editor-surface editor-static" data-testid="static-text" dangerouslySetInnerHTML={{ __html: html || "<p></p>" }} />;
}

function EditorShell(props: {
  t: ReturnType<typeof useT>;
  readOnlyReason: string | null;
  serverReadOnly: boolean | null;
  status: CollabState["status"];
  closedForGood?: boolean;
  presence: ReactNode;
  toolbar: ReactNode;
  sidePanel?: ReactNode;
  children: ReactNode;
}) {
  const { t, readOnlyReason, serverReadOnly } = props;
  const readOnly = serverReadOnly ?? readOnlyReason !== null;
  return (
    <div className="section-editor">
      {readOnly ? (
        <p className="notice" data-testid="read-only">
          <strong>{t("section.readOnly")}:</strong> {readOnlyReason ? t(`section.reason.${readOnlyReason}`) : t("editor.rightsChanged")}
        </p>
      ) : (
        <p className="notice notice-ok" data-testid="can-edit">
          {t("section.canEdit")}
        </p>
      )}
      <div className="editor-bar">
        <p className={`editor-status editor-status-${props.status}`} role="status" data-testid="editor-status" data-status={props.status}>
          <span className="editor-status-dot" aria-hidden="true" />
          {props.closedForGood ? t("editor.status.closed") : t(`editor.status.${props.status}`)}
        </p>
        {props.presence}
      </div>
      {props.toolbar}
      <div className={props.sidePanel ? "editor-layout editor-layout-panel" : "editor-layout"}>
        <div className="editor-main">{props.children}</div>
        {props.sidePanel}
      </div>
      <details className="editor-help">
        <summary>{t("editor.shortcuts")}</summary>
        <dl className="shortcut-list">
          {SHORTCUTS.map(([keys, key]) => (
            <div key={key}>
              <dt>
                <kbd>{keys}</kbd>
              </dt>
              <dd>{t(key)}</dd>
            </div>
          ))}
        </dl>
        <p className="meta">{t("editor.shortcutsMac")}</p>
      </details>
    </div>
  );
}

const SHORTCUTS: [string, string][] = [
  ["Ctrl B", "editor.tool.bold"],
  ["Ctrl I", "editor.tool.italic"],
  ["Ctrl Alt 2", "editor.tool.heading2"],
  ["Ctrl Alt 3", "editor.tool.heading3"],
  ["Ctrl Shift 8", "editor.tool.bulletList"],
  ["Ctrl Shift 7", "editor.tool.orderedList"],
  ["Ctrl Shift B", "editor.tool.blockquote"],
  ["Ctrl K", "editor.tool.link"],
  ["Ctrl Z", "editor.tool.undo"],
  ["Ctrl Shift Z", "editor.tool.redo"],
  ["Alt F10", "editor.toToolbar"],
];
