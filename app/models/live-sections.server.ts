// The in-process door from the web app to the live documents of the collaboration server.
// The collab server registers itself here (server/collab/index.ts); a Remix action that must
// change a section's text (restoring a version) asks `liveSections()` and never touches sockets.
// Kept on globalThis: the Remix build and the server are separate module instances.
import { updateYFragment } from "@tiptap/y-tiptap";
import * as Y from "yjs";
import { richTextSchema, YDOC_FRAGMENT, type PMJSON } from "~/domain/richtext";

export interface LiveSections {
  /**
   * Turns the section's live text into `json` as one new change by `userId`: relayed to every
   * connected client like any edit, stored and attributed. Loads the document when it is not
   * in memory. Resolves once the change is durable in the database.
   */
  replaceText(codeId: string, sectionId: string, json: PMJSON, userId: string): Promise<void>;
  /**
   * Resolves once every edit of the section this process stored so far is recorded (authors,
   * `section.edited` audit events), instead of after the change hook's throttle.
   */
  editsRecorded(codeId: string, sectionId: string): Promise<void>;
}

const g = globalThis as unknown as { __codewerfLiveSections?: LiveSections | null };

/** Called by the collaboration server at start; returns the unregister function for close(). */
export function registerLiveSections(impl: LiveSections): () => void {
  g.__codewerfLiveSections = impl;
  return () => {
    if (g.__codewerfLiveSections === impl) g.__codewerfLiveSections = null;
  };
}

/** The running collaboration server of this process, if any. */
export function liveSections(): LiveSections | null {
  return g.__codewerfLiveSections ?? null;
}

/**
 * In one transaction with `origin`, changes the fragment's content into `json` with the
 * smallest edit y-tiptap's binding computes: unchanged blocks and text keep their Yjs items
 * (and so their authors); what differs is deleted and inserted anew. History is never rewritten.
 */
export function replaceFragmentContent(doc: Y.Doc, json: PMJSON, origin: unknown): void {
  const node = richTextSchema.nodeFromJSON(json.content?.length ? json : { type: "doc", content: [{ type: "paragraph" }] });
  doc.transact(() => {
    updateYFragment(doc, doc.getXmlFragment(YDOC_FRAGMENT), node, { mapping: new Map(), isOMark: new Map() });
  }, origin);
}
