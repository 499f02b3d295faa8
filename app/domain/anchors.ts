// Comment anchors: a span of a section's text kept as two Yjs relative positions, so it
// follows the text while people edit around and inside it. The start sticks to the first
// character of the span (assoc 0: inserts before it stay outside), the end to the last one
// (assoc -1: inserts after it stay outside); text typed inside the span grows it. When every
// character of the span is deleted both resolve to the same place: the anchor is "deleted".
// Browser-safe (the editor uses it with ProseMirror positions, the tests with plain Y.Docs).
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition } from "@tiptap/y-tiptap";
import * as Y from "yjs";

export function encodeRelative(rel: Y.RelativePosition): string {
  const bytes = Y.encodeRelativePosition(rel);
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function decodeRelative(text: string): Y.RelativePosition | null {
  try {
    const s = atob(text);
    const bytes = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return Y.decodeRelativePosition(bytes);
  } catch {
    return null;
  }
}

/** The same position, attached to the other side. */
export function withAssoc(rel: Y.RelativePosition, assoc: number): Y.RelativePosition {
  return Y.createRelativePositionFromJSON({ ...Y.relativePositionToJSON(rel), assoc });
}

export interface EncodedAnchor {
  start: string;
  end: string;
}

/** An anchor over `length` (> 0) characters of `type` from `index` (plain Yjs: Y.Text / Y.XmlText). */
export function anchorInType(type: Y.AbstractType<any>, index: number, length: number): EncodedAnchor {
  const start = Y.createRelativePositionFromTypeIndex(type, index, 0);
  const end = Y.createRelativePositionFromTypeIndex(type, index + length, -1);
  return { start: encodeRelative(start), end: encodeRelative(end) };
}

/** Where the anchor is now in its type, or null when its text was deleted (or it cannot be read). */
export function resolveInType(doc: Y.Doc, anchor: EncodedAnchor): { index: number; length: number } | null {
  const start = decodeRelative(anchor.start);
  const end = decodeRelative(anchor.end);
  if (!start || !end) return null;
  const a = Y.createAbsolutePositionFromRelativePosition(start, doc);
  const b = Y.createAbsolutePositionFromRelativePosition(end, doc);
  if (!a || !b || a.type !== b.type || b.index <= a.index) return null;
  return { index: a.index, length: b.index - a.index };
}

// --- ProseMirror positions (the editor, and the server through initProseMirrorDoc) -------

type Mapping = Map<any, any>;

/** An anchor over the ProseMirror range [from, to) of the document bound to `type`. */
export function anchorFromProseMirror(type: Y.XmlFragment, mapping: Mapping, from: number, to: number): EncodedAnchor {
  // y-tiptap attaches a position to the character before it (assoc -1). The end keeps that:
  // it sticks to the span's last character. The start is moved onto the span's first
  // character (the position after it, switched to assoc 0), so typing before it stays outside.
  const start = withAssoc(absolutePositionToRelativePosition(Math.min(from + 1, to), type, mapping) as Y.RelativePosition, 0);
  const end = absolutePositionToRelativePosition(to, type, mapping) as Y.RelativePosition;
  return { start: encodeRelative(start), end: encodeRelative(end) };
}

/**
 * y-tiptap refuses a position on the first character of a text node at the very start of the
 * document (it takes any such position for a misresolved one), so a thread on a section's first
 * word would read as deleted. That place is the start of its text node, asked for directly.
 */
function textStart(ydoc: Y.Doc, type: Y.XmlFragment, rel: Y.RelativePosition, mapping: Mapping): number | null {
  const at = Y.createAbsolutePositionFromRelativePosition(rel, ydoc);
  if (!at || at.index !== 0 || !(at.type instanceof Y.XmlText)) return null;
  return relativePositionToAbsolutePosition(ydoc, type, Y.createRelativePositionFromTypeIndex(at.type, 0, -1), mapping);
}

/** The anchor's current ProseMirror range, or null when its text was deleted. */
export function resolveInProseMirror(ydoc: Y.Doc, type: Y.XmlFragment, mapping: Mapping, anchor: EncodedAnchor): { from: number; to: number } | null {
  const start = decodeRelative(anchor.start);
  const end = decodeRelative(anchor.end);
  if (!start || !end) return null;
  const from = relativePositionToAbsolutePosition(ydoc, type, start, mapping) ?? textStart(ydoc, type, start, mapping);
  const endPos = relativePositionToAbsolutePosition(ydoc, type, end, mapping);
  if (from === null || endPos === null) return null;
  const to = endPos;
  return to > from ? { from, to } : null;
}
