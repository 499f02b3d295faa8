// "Who wrote what" in the live editor: a ProseMirror plugin that colours each run of text by
// the author of its Yjs items. Walks the Y.XmlFragment next to the ProseMirror document (the
// binding keeps them structurally equal) and looks (client id, clock) up in the ranges the
// server recorded; text typed moments ago falls back to the presence of the connected peer.
import { Extension } from "@tiptap/core";
import type { Node as PMNode } from "@tiptap/pm/model";
import { Plugin, PluginKey } from "@tiptap/pm/state";
import { Decoration, DecorationSet } from "@tiptap/pm/view";
import * as Y from "yjs";
import type { Attribution } from "~/models/attribution.server";

export interface Author {
  key: string;
  name: string;
  color: string;
}

/** The author of the item (client, clock) and the clock where that answer stops holding. */
export type AuthorRun = (client: number, clock: number) => { author: Author | null; until: number };

interface AttributionState {
  enabled: boolean;
  deco: DecorationSet;
}

export const attributionKey = new PluginKey<AttributionState>("codewerfAttribution");

/** The plugin holding the decorations; `showAttribution` fills it. */
export const AttributionExtension = Extension.create({
  name: "codewerfAttribution",
  addProseMirrorPlugins() {
    return [
      new Plugin<AttributionState>({
        key: attributionKey,
        state: {
          init: () => ({ enabled: false, deco: DecorationSet.empty }),
          apply(tr, old) {
            const next = tr.getMeta(attributionKey) as AttributionState | undefined;
            if (next) return next;
            return old.enabled ? { enabled: true, deco: old.deco.map(tr.mapping, tr.doc) } : old;
          },
        },
        props: { decorations: (state) => attributionKey.getState(state)?.deco },
      }),
    ];
  },
});

/**
 * The lookup: server-recorded ranges first, then (for text not stored yet) the presence of
 * the connected client with that id, and our own client id.
 */
export function authorLookup(data: Attribution | null, peers: Map<number, Author>, self: { client: number; author: Author }, deletedName: string): AuthorRun {
  const authors = (data?.authors ?? []).map((a) => ({ key: a.id ?? "deleted", name: a.name ?? deletedName, color: a.color }));
  const byClient = new Map<number, [number, number, number][]>();
  for (const [client, from, to, i] of data?.ranges ?? []) {
    const list = byClient.get(client) ?? [];
    list.push([from, to, i]);
    byClient.set(client, list);
  }
  for (const list of byClient.values()) list.sort((a, b) => a[0] - b[0]);
  return (client, clock) => {
    const list = byClient.get(client);
    let nextStart = Number.POSITIVE_INFINITY;
    if (list) {
      let lo = 0;
      let hi = list.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const [from, to, i] = list[mid];
        if (clock < from) {
          nextStart = from;
          hi = mid - 1;
        } else if (clock >= to) lo = mid + 1;
        else return { author: authors[i], until: to };
      }
    }
    const live = client === self.client ? self.author : (peers.get(client) ?? null);
    return { author: live, until: nextStart };
  };
}

/**
 * Inline decorations for every authored run of text; null when the ProseMirror document does
 * not (yet) match the fragment (the next change renders again).
 */
export function authorDecorations(doc: PMNode, fragment: Y.XmlFragment, authorRun: AuthorRun): { deco: DecorationSet; seen: Author[] } | null {
  const decorations: Decoration[] = [];
  const seen = new Map<string, Author>();
  const walk = (parent: Y.XmlFragment | Y.XmlElement, start: number): boolean => {
    let pos = start;
    for (const child of parent.toArray()) {
      if (child instanceof Y.XmlText) {
        for (let item = child._start; item; item = item.right) {
          if (item.deleted || !item.countable) continue;
          if (!(item.content instanceof Y.ContentString)) {
            pos += item.length;
            continue;
          }
          const length = item.content.str.length;
          for (let i = 0; i < length; ) {
            const { author, until } = authorRun(item.id.client, item.id.clock + i);
            const j = Math.min(length, Math.max(i + 1, until - item.id.clock));
            if (author) {
              seen.set(author.key, author);
              decorations.push(Decoration.inline(pos + i, pos + j, { class: "author-mark", style: `--author-colour: ${author.color}`, "data-author": author.name }));
            }
            i = j;
          }
          pos += length;
        }
      } else if (child instanceof Y.XmlElement) {
        const node = doc.nodeAt(pos);
        if (!node || node.type.name !== child.nodeName) return false;
        if (!node.isLeaf && !walk(child, pos + 1)) return false;
        pos += node.nodeSize;
      }
    }
    return true;
  };
  if (!walk(fragment, 0)) return null;
  return { deco: DecorationSet.create(doc, decorations), seen: [...seen.values()] };
}
