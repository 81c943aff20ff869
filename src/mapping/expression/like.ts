/**
 * SQL LIKE patterns compiled once into a matcher: `%` matches any run (including empty), `_`
 * exactly one character, every other character is literal (no escapes, no `[...]` classes).
 * Matching is anchored and case-insensitive.
 */

/** Matches a subject text against a compiled LIKE pattern. */
export type LikeMatcher = (subject: string) => boolean;

const UNDERSCORE = 95;

/** Does `seg` (may contain `_`) match `s` at offset `at`? Caller guarantees bounds. */
function matchAt(s: string, at: number, seg: string, wild: boolean): boolean {
  if (!wild) return s.startsWith(seg, at);
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c !== UNDERSCORE && c !== s.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Leftmost occurrence of `seg` in `s` within [from, limit - seg.length], or -1. */
function find(s: string, seg: string, wild: boolean, from: number, limit: number): number {
  const last = limit - seg.length;
  if (!wild) {
    const i = s.indexOf(seg, from);
    return i >= 0 && i <= last ? i : -1;
  }
  for (let i = from; i <= last; i++) if (matchAt(s, i, seg, true)) return i;
  return -1;
}

/**
 * Compile a LIKE pattern. Because `_` is fixed-width, the pattern splits on `%` into fixed-width
 * segments; the first is anchored at the start, the last at the end, and the middle ones are
 * matched leftmost-first (which is optimal for fixed-width segments), so matching is linear-ish
 * and never backtracks.
 */
export function compileLike(pattern: string): LikeMatcher {
  const segs = pattern.toLowerCase().split('%');
  const wild = segs.map((s) => s.includes('_'));
  const lower = (s: string): string => s.toLowerCase();
  const head = segs[0] ?? '';
  const headWild = wild[0] ?? false;
  if (segs.length === 1) {
    if (!headWild) return (s) => lower(s) === head;
    return (s) => {
      const l = lower(s);
      return l.length === head.length && matchAt(l, 0, head, true);
    };
  }
  const tail = segs[segs.length - 1] ?? '';
  const tailWild = wild[segs.length - 1] ?? false;
  const middle: string[] = [];
  const middleWild: boolean[] = [];
  for (let i = 1; i < segs.length - 1; i++) {
    const seg = segs[i] ?? '';
    if (seg.length > 0) { middle.push(seg); middleWild.push(wild[i] ?? false); }
  }
  const minLength = head.length + tail.length + middle.reduce((n, s) => n + s.length, 0);
  // Fast paths for the common shapes 'abc%', '%abc', '%abc%'.
  if (middle.length === 0 && !headWild && !tailWild) {
    if (tail === '') return (s) => lower(s).startsWith(head);
    if (head === '') return (s) => lower(s).endsWith(tail);
  }
  if (middle.length === 1 && head === '' && tail === '' && !middleWild[0]) {
    const m = middle[0] ?? '';
    return (s) => lower(s).includes(m);
  }
  return (subject) => {
    const s = lower(subject);
    if (s.length < minLength) return false;
    if (head.length > 0 && !matchAt(s, 0, head, headWild)) return false;
    const limit = s.length - tail.length;
    let pos = head.length;
    for (let i = 0; i < middle.length; i++) {
      const seg = middle[i] ?? '';
      const at = find(s, seg, middleWild[i] ?? false, pos, limit);
      if (at < 0) return false;
      pos = at + seg.length;
    }
    return tail.length === 0 || matchAt(s, limit, tail, tailWild);
  };
}
