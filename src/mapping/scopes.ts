/**
 * Evaluation scopes for calculated fields (reference section 10.1, with decision B7: references
 * resolve among the elements the plan reads inside the application element, never report sections).
 */
import type { XNode, XmlDocument } from '../xml/xml-document.js';
import { attrLower, type Contact } from './contacts.js';
import type { ExprScope } from './expression/index.js';
import type { MappingPlan } from './plan.js';

const attrCI = attrLower;

/** Scope of one element (address/employment rows, contact rows): its own attributes + con_id. */
export function elementScope(node: XNode, conId: string | null): ExprScope {
  return {
    get(name: string) {
      if (name === 'con_id' && conId !== null) return conId;
      return attrCI(node, name);
    },
  };
}

/**
 * App-level scope: `app_id`; `application.x` / `<application table>.x` → the application element;
 * `contact.x` → the primary contact; `tag.x` → the last element with that tag carrying x (the
 * reference's flat-dict order: paths in first-seen order, the last element of each path);
 * a bare `x` → the last such element carrying x, else the primary contact.
 */
export function appScope(doc: XmlDocument, plan: MappingPlan, appId: number, contacts: readonly Contact[]): ExprScope {
  const primaryType = plan.contact?.types[0];
  const primary = contacts.find((c) => c.type === primaryType) ?? contacts[0] ?? null;
  const appTableLower = plan.appTable.toLowerCase();
  const scopePrefix = `${plan.appPath}/`;
  // paths in first-seen order; each with its last element — only inside the application element
  const groups: XNode[] = [];
  for (const [path, nodes] of doc.byPath) {
    if (path === plan.appPath || path.startsWith(scopePrefix)) {
      const last = nodes[nodes.length - 1];
      if (last) groups.push(last);
    }
  }
  const cache = new Map<string, string | null>();
  const resolve = (name: string): string | null => {
    if (name === 'app_id') return String(appId);
    const dot = name.lastIndexOf('.');
    if (dot === -1) {
      for (let i = groups.length - 1; i >= 0; i--) {
        const v = attrCI(groups[i]!, name);
        if (v !== undefined) return v;
      }
      return primary ? attrCI(primary.node, name) ?? null : null;
    }
    const tag = name.slice(0, dot);
    const attr = name.slice(dot + 1);
    if (tag === 'contact') return primary ? attrCI(primary.node, attr) ?? null : null;
    const want = tag === 'application' ? appTableLower : tag;
    for (let i = groups.length - 1; i >= 0; i--) {
      const g = groups[i]!;
      if (g.tag.toLowerCase() !== want) continue;
      const v = attrCI(g, attr);
      if (v !== undefined) return v;
    }
    return null;
  };
  return {
    get(name: string) {
      let v = cache.get(name);
      if (v === undefined) { v = resolve(name); cache.set(name, v); }
      return v;
    },
  };
}
