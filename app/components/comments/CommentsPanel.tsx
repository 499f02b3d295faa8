// The comments side panel (a bottom sheet on a phone): threads anchored to the text or to the
// whole section, replies, edit/delete own, resolve/reopen, filters, moderation, @mentions,
// and live updates over server-sent events. Every form is a normal POST form (works without
// JavaScript) enhanced with fetchers.
import { Link, useFetcher, useSearchParams } from "@remix-run/react";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useLocale, useT } from "~/hooks";
import { formatDateTime } from "~/i18n";
import type { CommentView, ThreadView } from "~/models/comments.server";
import { CommentText } from "./CommentText";

export interface Viewer {
  id: string;
  moderator: boolean;
}

export interface PendingAnchor {
  start: string;
  end: string;
  quote: string;
}

type Filter = "open" | "resolved" | "mine" | "all";
const FILTERS: Filter[] = ["open", "resolved", "mine", "all"];

interface Props {
  codeId: string;
  sectionId: string;
  threads: ThreadView[];
  viewer: Viewer;
  /** Live resolution from the editor (null: not known yet, fall back to the server's view). */
  resolved: Record<string, { from: number; to: number } | null> | null;
  activeThreadId: string | null;
  onSelectThread?: (id: string) => void;
  /** The editor's current selection as an anchor (null when nothing is selected or no editor). */
  selection: PendingAnchor | null;
  /** Called with the threads whenever they change live (the editor's highlights follow). */
  onThreads?: (threads: ThreadView[]) => void;
}

function useLiveThreads(codeId: string, sectionId: string, initial: ThreadView[]) {
  const base = `/codes/${codeId}/sections/${sectionId}/comments`;
  const live = useFetcher<{ threads: ThreadView[] }>();
  const [threads, setThreads] = useState(initial);
  const [connected, setConnected] = useState(false);
  useEffect(() => setThreads(initial), [initial]);
  useEffect(() => {
    if (live.data?.threads) setThreads(live.data.threads);
  }, [live.data]);
  const load = useRef(live.load);
  load.current = live.load;
  useEffect(() => {
    const source = new EventSource(`${base}/live`);
    let pending = false;
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.onmessage = (event) => {
      const message = JSON.parse(event.data) as { type: string };
      if (message.type !== "changed" || pending) return;
      // Changes arriving in the same tick share one reload.
      pending = true;
      queueMicrotask(() => {
        pending = false;
        load.current(base);
      });
    };
    return () => source.close();
  }, [base]);
  return { threads, connected };
}

export function CommentsPanel(props: Props) {
  const t = useT();
  const { codeId, sectionId, viewer } = props;
  const { threads, connected } = useLiveThreads(codeId, sectionId, props.threads);
  const { onThreads } = props;
  useEffect(() => onThreads?.(threads), [threads, onThreads]);
  const [params] = useSearchParams();
  const filter = (FILTERS as string[]).includes(params.get("comments") ?? "") ? (params.get("comments") as Filter) : "open";
  const [sheetOpen, setSheetOpen] = useState(false);
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => {
    hydratedOnce = true;
    setHydrated(true);
  }, []);

  // Open the sheet and scroll to a thread chosen in the text.
  useEffect(() => {
    if (!props.activeThreadId) return;
    setSheetOpen(true);
    requestAnimationFrame(() => document.getElementById(`thread-${props.activeThreadId}`)?.scrollIntoView({ block: "nearest", behavior: "smooth" }));
  }, [props.activeThreadId]);

  const shown = threads.filter((th) =>
    filter === "all" ? true : filter === "open" ? th.status === "open" : filter === "resolved" ? th.status === "resolved" : th.createdBy === viewer.id || th.comments.some((c) => c.authorId === viewer.id),
  );
  const openCount = threads.filter((th) => th.status === "open").length;

  return (
    <aside className={`comments-panel${hydrated ? " is-sheet" : ""}${sheetOpen ? " is-open" : ""}`} aria-labelledby="comments-title" data-testid="comments-panel" data-live={connected ? "on" : "off"}>
      {hydrated ? (
        <button type="button" className="comments-sheet-toggle button button-secondary" aria-expanded={sheetOpen} onClick={() => setSheetOpen((o) => !o)}>
          {sheetOpen ? t("comments.closePanel") : t("comments.openPanel", { count: openCount })}
        </button>
      ) : null}
      <div className="comments-sheet-body">
        <h2 id="comments-title">{t("comments.title")}</h2>
        <NewThreadForm codeId={codeId} sectionId={sectionId} selection={props.selection} />
        <nav aria-label={t("comments.filter")} className="comments-filter">
          {FILTERS.map((f) => (
            <Link key={f} to={`?comments=${f}`} replace preventScrollReset aria-current={f === filter ? "true" : undefined} className={f === filter ? "is-current" : undefined}>
              {t(`comments.filter.${f}`)}
            </Link>
          ))}
        </nav>
        {threads.length === 0 ? <p className="muted">{t("comments.none")}</p> : shown.length === 0 ? <p className="muted">{t("comments.noneFiltered")}</p> : null}
        <ol className="thread-list">
          {shown.map((th) => (
            <Thread
              key={th.id}
              codeId={codeId}
              sectionId={sectionId}
              thread={th}
              viewer={viewer}
              detached={props.resolved && th.anchorStart && th.id in props.resolved ? props.resolved[th.id] === null : th.detached}
              active={th.id === props.activeThreadId}
              onSelect={props.onSelectThread}
              canJump={Boolean(props.resolved?.[th.id])}
            />
          ))}
        </ol>
      </div>
    </aside>
  );
}

/** Once hydrated, forms post through fetchers and want JSON back (`?fetch=1`); without JavaScript the server redirects back. */
let hydratedOnce = false;
function actionPath(codeId: string, sectionId: string) {
  return `/codes/${codeId}/sections/${sectionId}/comments${hydratedOnce ? "?fetch=1" : ""}`;
}

function FormError({ data }: { data: unknown }) {
  const d = data as { ok?: boolean; formError?: string } | undefined;
  return d && d.ok === false && d.formError ? (
    <p className="field-error" role="alert">
      {d.formError}
    </p>
  ) : null;
}

function NewThreadForm({ codeId, sectionId, selection }: { codeId: string; sectionId: string; selection: PendingAnchor | null }) {
  const t = useT();
  const fetcher = useFetcher<{ ok: boolean }>();
  const [body, setBody] = useState("");
  // The selection at the moment the person started typing stays the anchor (typing moves focus away from the text).
  const [anchor, setAnchor] = useState<PendingAnchor | null>(null);
  useEffect(() => {
    if (selection && body === "") setAnchor(selection);
    if (!selection && body === "") setAnchor(null);
  }, [selection, body]);
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) {
      setBody("");
      setAnchor(null);
    }
  }, [fetcher.state, fetcher.data]);
  const id = useId();
  return (
    <fetcher.Form method="post" action={actionPath(codeId, sectionId)} className="comment-form new-thread" data-testid="new-thread">
      <input type="hidden" name="intent" value="create" />
      <input type="hidden" name="anchorStart" value={anchor?.start ?? ""} />
      <input type="hidden" name="anchorEnd" value={anchor?.end ?? ""} />
      <input type="hidden" name="quote" value={anchor?.quote ?? ""} />
      <p className="comment-form-target">
        {anchor ? (
          <>
            <strong>{t("comments.newOnSelection")}:</strong> <q className="quote">{anchor.quote.slice(0, 200)}</q>
          </>
        ) : (
          <>
            <strong>{t("comments.newSection")}</strong> <span className="muted">{t("comments.selectionHint")}</span>
          </>
        )}
      </p>
      <label htmlFor={id}>{t("comments.body")}</label>
      <MentionTextarea id={id} name="body" value={body} onChange={setBody} codeId={codeId} describedBy={`${id}-help`} />
      <p id={`${id}-help`} className="hint">
        {t("comments.bodyHelp")}
      </p>
      <FormError data={fetcher.data} />
      <button type="submit" className="button button-small" disabled={fetcher.state !== "idle"}>
        {t("comments.post")}
      </button>
    </fetcher.Form>
  );
}

function Thread(props: {
  codeId: string;
  sectionId: string;
  thread: ThreadView;
  viewer: Viewer;
  detached: boolean;
  active: boolean;
  canJump: boolean;
  onSelect?: (id: string) => void;
}) {
  const t = useT();
  const locale = useLocale();
  const { thread: th, codeId, sectionId } = props;
  const status = useFetcher();
  const replyFetcher = useFetcher<{ ok: boolean }>();
  const [reply, setReply] = useState("");
  useEffect(() => {
    if (replyFetcher.state === "idle" && replyFetcher.data?.ok) setReply("");
  }, [replyFetcher.state, replyFetcher.data]);
  const replyId = useId();
  return (
    <li
      id={`thread-${th.id}`}
      className={`thread thread-${th.status}${props.active ? " is-active" : ""}${props.detached ? " is-detached" : ""}`}
      data-testid="thread"
      data-thread-id={th.id}
      data-status={th.status}
    >
      <div className="thread-head">
        {th.kind === "changes_requested" ? <span className="tag tag-warn">{t("comments.changesRequested")}</span> : null}
        {th.anchorStart ? (
          props.detached ? (
            <div className="thread-detached" data-testid="detached">
              <span className="tag tag-warn">{t("comments.textDeleted")}</span> <span className="muted">{t("comments.textDeletedHelp")}</span>
              <blockquote className="quote">{th.quote}</blockquote>
            </div>
          ) : (
            <button type="button" className="thread-quote" onClick={() => props.onSelect?.(th.id)} disabled={!props.canJump} title={t("comments.jump")}>
              <span className="visually-hidden">{t("comments.onQuote")}: </span>
              <q>{th.quote}</q>
            </button>
          )
        ) : (
          <span className="muted">{t("comments.sectionLevel")}</span>
        )}
      </div>
      <ol className="comment-list">
        {th.comments.map((c) => (
          <Comment key={c.id} codeId={codeId} sectionId={sectionId} comment={c} viewer={props.viewer} />
        ))}
      </ol>
      {th.status === "resolved" ? (
        <p className="thread-resolved" data-testid="resolved-by">
          ✓ {t("comments.resolvedBy", { name: th.resolvedBy || t("user.deleted"), when: th.resolvedAt ? formatDateTime(th.resolvedAt, locale) : "" })}
        </p>
      ) : null}
      <div className="thread-actions">
        <status.Form method="post" action={actionPath(codeId, sectionId)}>
          <input type="hidden" name="threadId" value={th.id} />
          <button type="submit" name="intent" value={th.status === "open" ? "resolve" : "reopen"} className="button button-small button-secondary">
            {th.status === "open" ? t("comments.resolve") : t("comments.reopen")}
          </button>
        </status.Form>
      </div>
      {th.status === "open" ? (
        <replyFetcher.Form method="post" action={actionPath(codeId, sectionId)} className="comment-form reply-form">
          <input type="hidden" name="intent" value="reply" />
          <input type="hidden" name="threadId" value={th.id} />
          <label htmlFor={replyId} className="visually-hidden">
            {t("comments.replyLabel")}
          </label>
          <MentionTextarea id={replyId} name="body" value={reply} onChange={setReply} codeId={codeId} placeholder={t("comments.replyLabel")} rows={2} />
          <FormError data={replyFetcher.data} />
          <button type="submit" className="button button-small" disabled={replyFetcher.state !== "idle"}>
            {t("comments.reply")}
          </button>
        </replyFetcher.Form>
      ) : null}
    </li>
  );
}

function Comment({ codeId, sectionId, comment: c, viewer }: { codeId: string; sectionId: string; comment: CommentView; viewer: Viewer }) {
  const t = useT();
  const locale = useLocale();
  const mine = c.authorId === viewer.id;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(c.body);
  const edit = useFetcher<{ ok: boolean }>();
  const remove = useFetcher();
  const moderate = useFetcher<{ ok: boolean }>();
  useEffect(() => {
    if (edit.state === "idle" && edit.data?.ok) setEditing(false);
  }, [edit.state, edit.data]);
  const editId = useId();
  return (
    <li className="comment" data-testid="comment" data-comment-id={c.id}>
      <p className="comment-meta">
        <strong>{c.authorName || t("user.deleted")}</strong> · <time dateTime={c.createdAt}>{formatDateTime(c.createdAt, locale)}</time>
        {c.editedAt && !c.deleted ? <span className="comment-edited"> · {t("comments.edited")}</span> : null}
      </p>
      {c.deleted ? (
        <p className="muted comment-removed">{t("comments.deleted")}</p>
      ) : c.hidden && !c.body ? (
        <p className="muted comment-removed">{t("comments.hiddenForAll")}</p>
      ) : editing ? (
        <edit.Form method="post" action={actionPath(codeId, sectionId)} className="comment-form">
          <input type="hidden" name="intent" value="edit" />
          <input type="hidden" name="commentId" value={c.id} />
          <label htmlFor={editId} className="visually-hidden">
            {t("comments.body")}
          </label>
          <MentionTextarea id={editId} name="body" value={draft} onChange={setDraft} codeId={codeId} />
          <FormError data={edit.data} />
          <button type="submit" className="button button-small">
            {t("comments.save")}
          </button>{" "}
          <button type="button" className="button button-small button-secondary" onClick={() => setEditing(false)}>
            {t("comments.cancel")}
          </button>
        </edit.Form>
      ) : (
        <>
          {c.hidden ? (
            <p className="notice comment-hidden-note" data-testid="hidden-note">
              {mine ? t("comments.hiddenForAuthor", { reason: c.hidden.reason }) : t("comments.hiddenForModerator", { reason: c.hidden.reason })}
            </p>
          ) : null}
          <CommentText text={c.body} />
        </>
      )}
      {!c.deleted && !editing ? (
        <div className="comment-actions">
          {mine ? (
            <>
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setDraft(c.body);
                  setEditing(true);
                }}
              >
                {t("comments.edit")}
              </button>
              <remove.Form
                method="post"
                action={actionPath(codeId, sectionId)}
                className="inline-form"
                onSubmit={(e) => {
                  if (!window.confirm(t("comments.deleteConfirm"))) e.preventDefault();
                }}
              >
                <input type="hidden" name="commentId" value={c.id} />
                <button type="submit" name="intent" value="delete" className="link-button">
                  {t("comments.delete")}
                </button>
              </remove.Form>
            </>
          ) : null}
          {viewer.moderator ? (
            c.hidden ? (
              <moderate.Form method="post" action={actionPath(codeId, sectionId)} className="inline-form">
                <input type="hidden" name="commentId" value={c.id} />
                <button type="submit" name="intent" value="unhide" className="link-button">
                  {t("comments.unhide")}
                </button>
              </moderate.Form>
            ) : (
              <details className="moderate">
                <summary>{t("comments.hide")}</summary>
                <moderate.Form method="post" action={actionPath(codeId, sectionId)}>
                  <input type="hidden" name="intent" value="hide" />
                  <input type="hidden" name="commentId" value={c.id} />
                  <label>
                    {t("comments.hideReason")} <input name="reason" required maxLength={500} />
                  </label>
                  <FormError data={moderate.data} />
                  <button type="submit" className="button button-small">
                    {t("comments.hide")}
                  </button>
                </moderate.Form>
              </details>
            )
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

interface Candidate {
  kind: "user" | "organisation";
  id: string;
  name: string;
  detail: string;
}

/** A textarea that suggests people and organisations after "@" (combobox with a listbox). */
function MentionTextarea(props: { id: string; name: string; value: string; onChange: (v: string) => void; codeId: string; describedBy?: string; placeholder?: string; rows?: number }) {
  const t = useT();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [query, setQuery] = useState<{ text: string; at: number } | null>(null);
  const [options, setOptions] = useState<Candidate[]>([]);
  const [active, setActive] = useState(0);
  const listId = `${props.id}-mentions`;

  useEffect(() => {
    if (!query) {
      setOptions([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetch(`/codes/${props.codeId}/mentions?q=${encodeURIComponent(query.text)}`, { signal: controller.signal, headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : { candidates: [] }))
        .then((d: { candidates: Candidate[] }) => {
          setOptions(d.candidates);
          setActive(0);
        })
        .catch(() => undefined);
    }, 120);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, props.codeId]);

  const detect = (value: string, caret: number) => {
    const before = value.slice(0, caret);
    const m = /(^|[\s(])@([\p{L}\p{N}][\p{L}\p{N} .'-]{0,30})?$/u.exec(before);
    setQuery(m ? { text: m[2] ?? "", at: caret - (m[2]?.length ?? 0) - 1 } : null);
  };

  const choose = (c: Candidate) => {
    const el = ref.current;
    if (!el || !query) return;
    const caret = el.selectionStart ?? props.value.length;
    const next = `${props.value.slice(0, query.at)}@${c.name} ${props.value.slice(caret)}`;
    props.onChange(next);
    setQuery(null);
    const pos = query.at + c.name.length + 2;
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!options.length || !query) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setActive((i) => (i + (e.key === "ArrowDown" ? 1 : options.length - 1)) % options.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      choose(options[active]);
    } else if (e.key === "Escape") {
      setQuery(null);
    }
  };

  const open = Boolean(query && options.length);
  return (
    <div className="mention-box">
      <textarea
        ref={ref}
        id={props.id}
        name={props.name}
        value={props.value}
        rows={props.rows ?? 3}
        required
        placeholder={props.placeholder}
        aria-describedby={props.describedBy}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        onChange={(e) => {
          props.onChange(e.target.value);
          detect(e.target.value, e.target.selectionStart ?? e.target.value.length);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setQuery(null), 150)}
      />
      <ul id={listId} role="listbox" aria-label={t("comments.mentionSuggestions")} className="mention-list" hidden={!open}>
        {options.map((c, i) => (
          <li
            key={`${c.kind}:${c.id}`}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? "is-active" : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              choose(c);
            }}
          >
            <strong>{c.name}</strong> {c.detail ? <span className="muted">{c.detail}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
