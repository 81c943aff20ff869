/**
 * What a targeted scan keeps: a trie of element paths (local names, namespace prefixes ignored)
 * built once per contract. Everything not on it is skipped without building objects.
 */

/** One node of the path trie. */
export interface ScanNode {
  readonly children: Map<string, ScanNode>;
  /** Emit this element's start tag (its attributes are needed). */
  keep: boolean;
  /** Emit the whole element verbatim (its text content is needed). */
  keepText: boolean;
  /** Record the local names of this element's direct children (product-line checks). */
  watchChildren: boolean;
  /** Everything below this element is the expression scope (see ScanSpec.scopeTags/scopeAttrs). */
  scopeRoot: boolean;
}

/** The compiled scan plan. */
export interface ScanSpec {
  /** Expected local name of the document element. */
  readonly rootName: string;
  /** Trie node for the document element (always kept). */
  readonly root: ScanNode;
  /** Inside a scope root, also keep elements with these local names (lower-cased)… */
  readonly scopeTags: ReadonlySet<string>;
  /** …and elements carrying any of these attribute names. */
  readonly scopeAttrs: readonly string[];
}

function newNode(): ScanNode {
  return { children: new Map(), keep: false, keepText: false, watchChildren: false, scopeRoot: false };
}

/** Splits `/A/B/c` into local names, dropping empty segments and namespace prefixes. */
export function pathSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '').map((s) => {
    const i = s.indexOf(':');
    return i === -1 ? s : s.slice(i + 1);
  });
}

/** Mutable builder for a ScanSpec. */
export class ScanSpecBuilder {
  private readonly rootNode = newNode();
  private readonly tags = new Set<string>();
  private readonly attrs = new Set<string>();
  constructor(private readonly rootName: string) {
    this.rootNode.keep = true;
  }

  /** Returns (creating) the node for an absolute element path; null when it is not under the root. */
  node(path: string): ScanNode | null {
    const segs = pathSegments(path);
    if (segs[0] !== this.rootName) return null;
    let n = this.rootNode;
    for (const seg of segs.slice(1)) {
      let c = n.children.get(seg);
      if (!c) { c = newNode(); n.children.set(seg, c); }
      n = c;
    }
    return n;
  }

  /** Keep the element at `path` (attributes; `text` also its content). */
  keep(path: string, text = false): void {
    const n = this.node(path);
    if (!n) return;
    n.keep = true;
    if (text) n.keepText = true;
  }

  /** Record the child element names of `path`. */
  watch(path: string): void {
    const n = this.node(path);
    if (n) n.watchChildren = true;
  }

  /** Make `path` a scope root: expression references are resolved among the elements below it. */
  scope(path: string, tagNames: Iterable<string>, attrNames: Iterable<string>): void {
    const n = this.node(path);
    if (!n) return;
    n.scopeRoot = true;
    for (const t of tagNames) this.tags.add(t.toLowerCase());
    for (const a of attrNames) { this.attrs.add(a); this.attrs.add(a.toLowerCase()); }
  }

  /** Freezes the plan. */
  build(): ScanSpec {
    return { rootName: this.rootName, root: this.rootNode, scopeTags: this.tags, scopeAttrs: [...this.attrs] };
  }
}
