/**
 * Which React components rendered, and how often, while the page did
 * something (the low-end profiler's "whole-app re-render?" question). An
 * init script stands in for the React DevTools hook: React (production
 * builds too) hands every commit to it, and the fiber tree says which
 * components did work in that commit: a new fiber (mounted) or one flagged
 * PerformedWork (React's own flag for "this component's function ran"),
 * the rule React DevTools uses. Subtrees React bailed out of are the very
 * fibers of the previous commit (child pointers unchanged) and are skipped.
 *
 * Component names need a build that keeps them (`vite build --minify false`);
 * a minified build counts the same renders under short names.
 */
import type { Page } from '@playwright/test';

export const REACT_RENDER_PROBE = `(() => {
  const counts = new Map();
  let commits = 0;
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
      commits++;
      const cur = root.current;
      for (let c = cur.child; c; c = c.sibling) visit(c);
    },
  };
  window.__reactRenders = () => {
    const out = { commits, byComponent: Object.fromEntries([...counts].sort((a, b) => b[1] - a[1])) };
    counts.clear();
    commits = 0;
    return out;
  };
})()`;

export interface RenderCounts {
  commits: number;
  byComponent: Record<string, number>;
}

/** The commits and renders per component since the last call (and starts counting afresh). */
export async function takeRenderCounts(page: Page): Promise<RenderCounts> {
  return (await page.evaluate('window.__reactRenders ? window.__reactRenders() : { commits: 0, byComponent: {} }')) as RenderCounts;
}

export function describeRenders(r: RenderCounts, top = 40): string {
  const rows = Object.entries(r.byComponent).slice(0, top);
  const total = Object.values(r.byComponent).reduce((a, b) => a + b, 0);
  return `  React: ${r.commits} commits, ${total} component renders\n${rows.map(([n, c]) => `    ${String(c).padStart(4)}  ${n}`).join('\n')}`;
}
