/**
 * What a Preact build of the renderer needs before its first render (POS_RENDERER_RUNTIME=preact;
 * renderer/vite.config.ts puts this module in place of ./setup.ts): Preact's hooks handed to a
 * DevTools that asks for them (the profiler's render counts, bench/react-renders.ts), and React's
 * controlled fields.
 *
 * React's controlled fields, on Preact. The renderer is written against React's API and can be
 * built on Preact (README, "The renderer's runtime"). With React, a field given `value` (or `checked`) shows
 * that value and nothing else: after each input or change event React puts the field back to what
 * the last render gave it, so a keystroke the handler refuses never shows (a letter in the PIN
 * field, a fourth decimal in the points field). Preact writes `value` only when it renders the
 * field again, and a refused keystroke changes no state, so nothing renders and the field would
 * keep the letter. This module does React's part: it remembers what each field was last rendered
 * with and, once the event's renders are done, puts back any field that differs.
 *
 * Imported once, by main.tsx (as ./runtime/setup), before the first render.
 */
import { options, type VNode } from 'preact';
import 'preact/devtools';

interface Rendered {
  value?: unknown;
  checked?: unknown;
}

type Field = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

const FIELD_TAGS = new Set(['input', 'textarea', 'select']);

/**
 * Preact's name for a vnode's DOM node (`_dom` in its source, mangled to `__e` in every build; its
 * devtools and @preact/signals read the same name). Preact's version is pinned exactly in
 * package.json, and the e2e test of a refused PIN key fails if this ever stops working.
 */
const VNODE_DOM = '__e';

const lastRendered = new WeakMap<Element, Rendered>();

const previousDiffed = options.diffed;
options.diffed = (vnode: VNode) => {
  if (typeof vnode.type === 'string' && FIELD_TAGS.has(vnode.type)) {
    const dom = (vnode as unknown as Record<string, unknown>)[VNODE_DOM];
    const props = vnode.props as Rendered;
    // Controlled only: a field without `value`/`checked` is the browser's (uncontrolled), as in React.
    if (dom instanceof Element) lastRendered.set(dom, { value: props.value, checked: props.checked });
  }
  previousDiffed?.(vnode);
};

/** Puts `field` back to its last render (React's restoreControlledState); a radio's whole group, as React does. */
function restore(field: Field): void {
  const rendered = lastRendered.get(field);
  if (!rendered) return;
  if (field instanceof HTMLInputElement && (field.type === 'checkbox' || field.type === 'radio')) {
    const group =
      field.type === 'radio' && field.name
        ? [...(field.form ?? document).querySelectorAll<HTMLInputElement>(`input[type="radio"][name="${CSS.escape(field.name)}"]`)]
        : [field];
    for (const box of group) {
      const checked = lastRendered.get(box)?.checked;
      if (typeof checked === 'boolean' && box.checked !== checked) box.checked = checked;
    }
    return;
  }
  const { value } = rendered;
  if ((typeof value === 'string' || typeof value === 'number') && field.value !== String(value)) field.value = String(value);
}

const pending = new Set<Field>();

/**
 * Called by Preact just before a handler runs. The handler's state changes queue Preact's render
 * as a microtask; a microtask queued now runs after the handler, and the one it queues runs after
 * that render (and every render the render's layout effects cause, which Preact does in the same
 * task). A document listener would not do: the browser runs microtasks between the listeners of
 * a user's keystroke, so a capture listener's microtasks would run before the field's handler.
 */
function restoreAfterRender(e: Event): void {
  const field = e.target;
  if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement || field instanceof HTMLSelectElement)) return;
  if (!lastRendered.has(field)) return;
  if (pending.size === 0) {
    queueMicrotask(() =>
      queueMicrotask(() => {
        for (const f of pending) restore(f);
        pending.clear();
      }),
    );
  }
  pending.add(field);
}

const previousEvent = options.event;
options.event = (e: Event) => {
  const event = (previousEvent ? previousEvent(e) : e) as Event;
  if (event.type === 'input' || event.type === 'change') restoreAfterRender(event);
  return event;
};
