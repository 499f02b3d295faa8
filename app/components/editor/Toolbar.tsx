// The formatting toolbar: one tab stop with arrow-key navigation (roving tabindex), real
// buttons with labels and aria-pressed, wrapping on a phone; the link form checks the scheme.
import type { Editor } from "@tiptap/core";
import type { Transaction } from "@tiptap/pm/state";
import { yUndoPluginKey } from "@tiptap/y-tiptap";
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { isSafeHref } from "~/domain/richtext";
import { useT } from "~/hooks";

interface ToolbarProps {
  /** Null until the editor exists: the buttons are then shown disabled, keeping their place. */
  editor: Editor | null;
  /** Whether this person may edit (else only the extra buttons show). */
  editable: boolean;
  /** Whether the editor has taken over and the buttons work. */
  live: boolean;
  /** Extra buttons from plug-ins (history, comments), appended after ours. */
  extra?: ReactNode;
  linkFormOpen: boolean;
  setLinkFormOpen: (open: boolean) => void;
}

export function Toolbar({ editor, editable, live, extra, linkFormOpen, setLinkFormOpen }: ToolbarProps) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  const active = useToolbarState(editor);
  const [focusIndex, setFocusIndex] = useState(0);
  const on = live && editor !== null && active !== null;
  const chain = () => editor!.chain().focus();
  const buttons: { key: string; label: string; text: ReactNode; pressed?: boolean; disabled?: boolean; run: () => void }[] = [
    { key: "h2", label: t("editor.tool.heading2"), text: "H2", pressed: active?.h2, run: () => chain().toggleHeading({ level: 2 }).run() },
    { key: "h3", label: t("editor.tool.heading3"), text: "H3", pressed: active?.h3, run: () => chain().toggleHeading({ level: 3 }).run() },
    { key: "bold", label: t("editor.tool.bold"), text: <b>B</b>, pressed: active?.bold, run: () => chain().toggleBold().run() },
    { key: "italic", label: t("editor.tool.italic"), text: <i>I</i>, pressed: active?.italic, run: () => chain().toggleItalic().run() },
    { key: "bullet", label: t("editor.tool.bulletList"), text: "•≡", pressed: active?.bullet, run: () => chain().toggleBulletList().run() },
    { key: "ordered", label: t("editor.tool.orderedList"), text: "1.≡", pressed: active?.ordered, run: () => chain().toggleOrderedList().run() },
    { key: "quote", label: t("editor.tool.blockquote"), text: "❝", pressed: active?.quote, run: () => chain().toggleBlockquote().run() },
    { key: "link", label: t("editor.tool.link"), text: <LinkIcon />, pressed: !!active?.link || linkFormOpen, run: () => setLinkFormOpen(!linkFormOpen) },
    { key: "undo", label: t("editor.tool.undo"), text: "↶", disabled: !active?.canUndo, run: () => chain().undo().run() },
    { key: "redo", label: t("editor.tool.redo"), text: "↷", disabled: !active?.canRedo, run: () => chain().redo().run() },
  ];
  if (!editable) return extra ? <div className="editor-toolbar">{extra}</div> : null;

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const items = [...(ref.current?.querySelectorAll<HTMLButtonElement>("[data-tool]") ?? [])];
    const current = items.indexOf(document.activeElement as HTMLButtonElement);
    if (current < 0) return;
    const next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: items.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const index = (next + items.length) % items.length;
    setFocusIndex(index);
    items[index].focus();
  }

  return (
    <div className="editor-toolbar-wrap">
      <div ref={ref} className="editor-toolbar" role="toolbar" aria-label={t("editor.toolbar")} onKeyDown={onKeyDown}>
        {buttons.map((b, i) => (
          <button
            key={b.key}
            type="button"
            data-tool={b.key}
            className="tool"
            aria-label={b.label}
            title={b.label}
            aria-pressed={b.pressed === undefined ? undefined : b.pressed}
            disabled={!on || b.disabled}
            tabIndex={i === focusIndex ? 0 : -1}
            onFocus={() => setFocusIndex(i)}
            onMouseDown={(e) => e.preventDefault() /* keep the editor's selection */}
            onClick={b.run}
          >
            <span aria-hidden="true">{b.text}</span>
          </button>
        ))}
        {extra}
      </div>
      {linkFormOpen && on ? <LinkForm editor={editor!} currentHref={active!.href} close={() => setLinkFormOpen(false)} /> : null}
    </div>
  );
}

interface ToolbarState {
  h2: boolean;
  h3: boolean;
  bold: boolean;
  italic: boolean;
  bullet: boolean;
  ordered: boolean;
  quote: boolean;
  link: boolean;
  href: string;
  canUndo: boolean;
  canRedo: boolean;
}

function readToolbarState(e: Editor): ToolbarState {
  // The Collaboration extension's undo/redo commands are possible exactly when their stack is
  // non-empty; reading the stacks avoids `can()`, which builds every command's chain.
  const undo = yUndoPluginKey.getState(e.state)?.undoManager;
  return {
    h2: e.isActive("heading", { level: 2 }),
    h3: e.isActive("heading", { level: 3 }),
    bold: e.isActive("bold"),
    italic: e.isActive("italic"),
    bullet: e.isActive("bulletList"),
    ordered: e.isActive("orderedList"),
    quote: e.isActive("blockquote"),
    link: e.isActive("link"),
    href: (e.getAttributes("link").href as string | undefined) ?? "",
    canUndo: (undo?.undoStack.length ?? 0) > 0,
    canRedo: (undo?.redoStack.length ?? 0) > 0,
  };
}

/**
 * The buttons' pressed/disabled state, read again at most once per frame and only after a
 * transaction that changed the document, the selection or the stored marks. Remote typing and
 * others' carets dispatch dozens of transactions a second; reading the state (and rendering
 * the toolbar) on each of them was a large share of a page's CPU with ten people typing.
 */
function useToolbarState(editor: Editor | null): ToolbarState | null {
  const [state, setState] = useState<ToolbarState | null>(null);
  useEffect(() => {
    if (!editor) return setState(null);
    let frame: number | null = null;
    const read = () => {
      frame = null;
      if (editor.isDestroyed) return;
      const next = readToolbarState(editor);
      setState((prev) => (prev && (Object.keys(next) as (keyof ToolbarState)[]).every((k) => prev[k] === next[k]) ? prev : next));
    };
    const onTransaction = ({ transaction: tr }: { transaction: Transaction }) => {
      if (tr.docChanged || tr.selectionSet || tr.storedMarksSet) frame ??= requestAnimationFrame(read);
    };
    read();
    editor.on("transaction", onTransaction);
    return () => {
      editor.off("transaction", onTransaction);
      if (frame !== null) cancelAnimationFrame(frame);
    };
  }, [editor]);
  return editor ? state : null;
}

function LinkForm({ editor, currentHref, close }: { editor: Editor; currentHref: string; close: () => void }) {
  const t = useT();
  const [href, setHref] = useState(currentHref);
  const [error, setError] = useState<string | null>(null);
  function apply(event: React.FormEvent) {
    event.preventDefault();
    const value = href.trim();
    const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`;
    if (!value || !isSafeHref(withScheme)) return setError(t("editor.link.invalid"));
    const ok = editor.chain().focus().extendMarkRange("link").setLink({ href: withScheme }).run();
    if (!ok) return setError(t("editor.link.invalid"));
    close();
  }
  return (
    <form className="editor-link-form" onSubmit={apply} noValidate>
      <label htmlFor="editor-link-href">{t("editor.link.label")}</label>
      <input
        id="editor-link-href"
        type="url"
        inputMode="url"
        autoFocus
        value={href}
        placeholder="https://"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "editor-link-error" : undefined}
        onChange={(e) => {
          setHref(e.target.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.preventDefault();
            close();
            editor.commands.focus();
          }
        }}
      />
      <button type="submit" className="button button-small">
        {t("editor.link.apply")}
      </button>
      {currentHref ? (
        <button
          type="button"
          className="button button-small button-secondary"
          onClick={() => {
            editor.chain().focus().extendMarkRange("link").unsetLink().run();
            close();
          }}
        >
          {t("editor.link.remove")}
        </button>
      ) : null}
      {error ? (
        <p id="editor-link-error" className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

function LinkIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M10 13a5 5 0 0 0 7.07 0l3-3a5 5 0 0 0-7.07-7.07l-1.5 1.5" />
      <path d="M14 11a5 5 0 0 0-7.07 0l-3 3a5 5 0 0 0 7.07 7.07l1.5-1.5" />
    </svg>
  );
}
