/**
 * Which components rendered, and how often, while the page did something
 * (the low-end profiler's "whole-app re-render?" question). An init script
 * stands in for the DevTools hook of either runtime (the app runs on React;
 * `POS_RENDERER_RUNTIME=preact` builds it on Preact, README "The renderer's runtime"):
 *  - Preact: a Preact build imports `preact/devtools` (runtime/preact-setup.ts),
 *    which hands Preact's `options` to `__PREACT_DEVTOOLS__.attachPreact`; the probe counts each component's
 *    render function call (`options._render`, `__r` in Preact's builds) and
 *    each commit (`options._commit`, `__c`).
 *  - React (production builds too) hands every commit to the React DevTools
 *    hook, and the fiber tree says which components did work in that commit:
 *    a new fiber (mounted) or one flagged PerformedWork (React's own flag for
 *    "this component's function ran"), the rule React DevTools uses. Subtrees
 *    React bailed out of are the very fibers of the previous commit (child
 *    pointers unchanged) and are skipped.
 *
 * Component names need a build that keeps them (`vite build --minify false`);
 * a minified build counts the same renders under short names.
 */
import type { Page } from '@playwright/test';

export const REACT_RENDER_PROBE = `(() => {
  const counts = new Map();
  let commits = 0;
  let runtime = null;
  window.__PREACT_DEVTOOLS__ = {
    attachPreact(_version, options, { Fragment }) {
      runtime = 'Preact';
      const render = options.__r;
      options.__r = (vnode) => {
        const t = vnode.type;
        const n = typeof t === 'function' && t !== Fragment ? t.displayName || t.name || '(anonymous)' : null;
        // memo()'s wrapper renders only to render the component inside it, which counts itself
        if (n && !n.startsWith('Memo(')) counts.set(n, (counts.get(n) || 0) + 1);
        if (render) render(vnode);
      };
      const commit = options.__c;
      options.__c = (root, queue) => {
        commits++;
        if (commit) commit(root, queue);
      };
    },
  };
  const nameOf = (f) => {
    const t = f.type;
    if (!t) return null;
    if (typeof t === 'function') return t.displayName || t.name || '(anonymous)';
    if (t.render) return t.displayName || t.render.displayName || t.render.name || '(forwardRef)';
    if (t.type) return 'memo(' + (t.type.displayName || t.type.name || '?') + ')';
    return null;
  };
  // function, class, forwardRef, simple memo; a memo with a comparer (14) is counted as the component inside it
  const COMPONENT_TAGS = new Set([0, 1, 11, 15]);
  const PERFORMED_WORK = 1;
  const count = (f) => {
    if (!COMPONENT_TAGS.has(f.tag)) return;
    const n = nameOf(f);
    if (n) counts.set(n, (counts.get(n) || 0) + 1);
  };
  const mounted = (f) => {
    for (let c = f; c; c = c.sibling) { count(c); if (c.child) mounted(c.child); }
  };
  const visit = (next) => {
    const prev = next.alternate;
    if (!prev) { count(next); if (next.child) mounted(next.child); return; }
    if (next.flags & PERFORMED_WORK) count(next);
    if (next.child === prev.child) return; // nothing below rendered
    for (let c = next.child; c; c = c.sibling) visit(c);
  };
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true,
    renderers: new Map(),
    inject(renderer) { const id = this.renderers.size + 1; this.renderers.set(id, renderer); return id; },
    checkDCE() {},
    onScheduleFiberRoot() {},
    onCommitFiberUnmount() {},
    onPostCommitFiberRoot() {},
    onCommitFiberRoot(_id, root) {
      runtime = 'React';
      commits++;
      const cur = root.current;
      for (let c = cur.child; c; c = c.sibling) visit(c);
    },
  };
  window.__reactRenders = () => {
    const out = { runtime, commits, byComponent: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])) };
    counts.clear();
    commits = 0;
    return out;
  };
})()`;

export interface RenderCounts {
  /** Which runtime reported (null: neither hook was called, e.g. a page without `preact/devtools`). */
  runtime: 'Preact' | 'React' | null;
  commits: number;
  byComponent: Record<string, number>;
}

/** The commits and renders per component since the last call (and starts counting afresh). */
export async function takeRenderCounts(page: Page): Promise<RenderCounts> {
  return (await page.evaluate('window.__reactRenders ? window.__reactRenders() : { runtime: null, commits: 0, byComponent: {} }')) as RenderCounts;
}

export function describeRenders(r: RenderCounts, top = 40): string {
  const rows = Object.entries(r.byComponent).slice(0, top);
  const total = Object.values(r.byComponent).reduce((a, b) => a + b, 0);
  if (r.runtime === null) return '  renders: not counted (no runtime reported to the probe)';
  return `  ${r.runtime}: ${r.commits} commits, ${total} component renders\n${rows.map(([n, c]) => `    ${String(c).padStart(4)}  ${n}`).join('\n')}`;
}
