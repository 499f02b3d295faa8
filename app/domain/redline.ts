// Word-level redline of two plain texts (one line per block), shared by releases and reviews.
import { calcSlices } from "fast-myers-diff";

/** A run of the redline: unchanged, added or removed text; the runs concatenate back to the texts. */
export interface RedlinePart {
  value: string;
  added?: boolean;
  removed?: boolean;
}

/**
 * Where a text splits into blocks that are matched before words are compared: after each line
 * break and after each sentence (its final punctuation and the spaces after it). Sentences keep
 * the changed runs short, so each word diff stays small however long the paragraph.
 */
const BLOCK_BOUNDARY = /(?<=\n)|(?<=[.!?…][)’”"']*[^\S\n]+)(?=\S)/;

/** A word with the spaces after it; line breaks are tokens of their own. */
function wordTokens(text: string): string[] {
  return text.match(/\S+[^\S\n]*|\n|[^\S\n]+/g) ?? [];
}

/** What a token is compared by: a word without the spaces after it; whitespace as it is. */
const tokenKey = (token: string) => token.trimEnd() || token;

/**
 * A diff's slices with each removed run and the added run next to it (either order) taken
 * together as one replacement; every other slice on its own.
 */
function* replacements<T>(slices: Iterable<[-1 | 0 | 1, T[]]>): Generator<{ kind: -1 | 0 | 1; slice: T[] } | { removed: T[]; added: T[] }> {
  const all = [...slices];
  for (let i = 0; i < all.length; i++) {
    const [k, slice] = all[i];
    const next = all[i + 1];
    if (k !== 0 && next && next[0] === -k) {
      yield k === -1 ? { removed: slice, added: next[1] } : { removed: next[1], added: slice };
      i++;
    } else yield { kind: k, slice };
  }
}

/**
 * Word-level redline of two plain texts. Blocks (lines and sentences) are matched first and
 * words are compared only inside changed runs of blocks: the same result for local edits, at a
 * fraction of the cost of one diff over the whole text (Myers' cost grows with length ×
 * differences); fast-myers-diff runs the same algorithm 2–3× faster than jsdiff here.
 */
export function redline(a: string, b: string): RedlinePart[] {
  if (a === b) return [{ value: b }];
  const out: RedlinePart[] = [];
  const push = (value: string, kind: "added" | "removed" | null) => {
    if (!value) return;
    const last = out.at(-1);
    if (last && (last.added ? "added" : last.removed ? "removed" : null) === kind) last.value += value;
    else out.push(kind ? { value, [kind]: true } : { value });
  };
  const kind = (k: -1 | 0 | 1) => (k === 1 ? "added" : k === -1 ? "removed" : null);
  // Words keep the spaces after them: half the tokens of a diff that splits off whitespace. A
  // word that only gained or lost the space after it (a word added after the last one) comes
  // out of the diff as removed and added again: such leading words of a replacement are given
  // back as unchanged, with only their spacing marked.
  const words = (from: string, to: string) => {
    for (const r of replacements(calcSlices(wordTokens(from), wordTokens(to)))) {
      if ("slice" in r) {
        push(r.slice.join(""), kind(r.kind));
        continue;
      }
      let n = 0;
      while (n < r.removed.length && n < r.added.length) {
        const word = tokenKey(r.added[n]);
        if (word !== tokenKey(r.removed[n])) break;
        push(word, null);
        push(r.removed[n].slice(word.length), "removed");
        push(r.added[n].slice(word.length), "added");
        n++;
      }
      push(r.removed.slice(n).join(""), "removed");
      push(r.added.slice(n).join(""), "added");
    }
  };
  // Blocks keep their newline and spaces, so the parts concatenate back to the texts exactly.
  for (const r of replacements(calcSlices(a.split(BLOCK_BOUNDARY), b.split(BLOCK_BOUNDARY)))) {
    if ("slice" in r) push(r.slice.join(""), kind(r.kind));
    else words(r.removed.join(""), r.added.join(""));
  }
  return out;
}
