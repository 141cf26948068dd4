/**
 * Keyboard-wedge (USB barcode scanner) detection, framework-free.
 *
 * A USB scanner "types" its code as key presses a few milliseconds apart,
 * then Enter (or Tab, or a configured suffix). A person types 100 ms or more
 * apart. Attached to the document in the capture phase, this module sees every
 * key before the focused field does and:
 *  - lets the first key of a burst through (it cannot know yet),
 *  - holds back (preventDefault + stopImmediatePropagation) every key that
 *    follows within `maxInterKeyMs`,
 *  - on the terminator, if the burst is long enough, swallows the terminator,
 *    puts the focused field back exactly as it was before the burst (undoing the
 *    key that slipped in) and emits the scan,
 *  - otherwise (burst too short, a slow key, a control key, silence) gives the
 *    held keys back to the field they were meant for, so a fast typist loses
 *    nothing.
 *  - Under load the page (or a test driver waiting on it) stretches some gaps:
 *    a scan is judged on its keys as a whole (most gaps fast, hardly any at a
 *    person's pace, none longer than maxHiccupMs). Keys that slipped into a
 *    field meanwhile are taken back out when the scan completes. A person's
 *    keys just before a scan (followed by a gap at a person's pace) are not
 *    part of it.
 *
 * It reads `event.code` (Digit1, Numpad1, KeyA...) rather than `event.key`, so
 * a scanner sending US key positions to an AZERTY or QWERTZ desktop still
 * yields the right digits (AZERTY gives key='&' for code='Digit1'). Digit keys
 * always give digits, with or without Shift (an AZERTY-configured scanner
 * presses Shift for digits).
 */

export interface WedgeScan {
  /** The scanned text, prefix and suffix removed. */
  code: string;
  /** Milliseconds from the first to the last key of the burst. */
  durationMs: number;
}

/** The parts of a KeyboardEvent the detector reads. */
export interface KeyEventLike {
  readonly code: string;
  readonly key: string;
  readonly timeStamp?: number;
  readonly shiftKey?: boolean;
  readonly ctrlKey?: boolean;
  readonly altKey?: boolean;
  readonly metaKey?: boolean;
  readonly repeat?: boolean;
  readonly isComposing?: boolean;
  getModifierState?(key: string): boolean;
  preventDefault(): void;
  stopImmediatePropagation?(): void;
}

/** A text field: HTMLInputElement and HTMLTextAreaElement fit. */
export interface EditableLike {
  value: string;
  selectionStart: number | null;
  selectionEnd: number | null;
  setRangeText(text: string, start: number, end: number, mode?: 'select' | 'start' | 'end' | 'preserve'): void;
  setSelectionRange?(start: number, end: number): void;
  dispatchEvent?(event: Event): boolean;
}

export interface KeyTargetLike {
  addEventListener(type: 'keydown', listener: (e: KeyboardEvent) => void, capture: boolean): void;
  removeEventListener(type: 'keydown', listener: (e: KeyboardEvent) => void, capture: boolean): void;
}

export interface WedgeOptions {
  onScan: (scan: WedgeScan) => void;
  /** Largest gap between two keys of one scan. Default 35 ms. */
  maxInterKeyMs?: number;
  /** No gap inside a scan is longer than this (default 150 ms): a busy page may stretch a few. */
  maxHiccupMs?: number;
  /** A gap this long or longer is a person's pace (default 90 ms): at most one gap in four of a scan. */
  personGapMs?: number;
  /** Fewest characters (without prefix/suffix) that make a scan. Default 6. */
  minLength?: number;
  /** Characters the scanner sends before the code; required when set. */
  prefix?: string;
  /** Characters the scanner sends after the code, instead of (or before) Enter. */
  suffix?: string;
  /** Clock for events without a timeStamp. Default performance.now. */
  now?: () => number;
  /** The text field that has the focus (where a slipped key landed). Default: document.activeElement when it is one. */
  focusedField?: () => EditableLike | null;
  /** Timers, replaceable in tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface Wedge {
  /** Feed one keydown (attach() does this for a document). */
  handleKeyDown(e: KeyEventLike): void;
  /** Listens on `target` (the document) in the capture phase; returns the detach function. */
  attach(target: KeyTargetLike): () => void;
  /** Ends any burst in progress, giving held keys back to their field. */
  flush(): void;
}

const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'OS', 'CapsLock', 'NumLock', 'ScrollLock', 'Fn', 'Hyper', 'Super']);
const TERMINATOR_CODES = new Set(['Enter', 'NumpadEnter', 'Tab']);

const CODE_CHARS: Record<string, string> = {
  Minus: '-',
  Equal: '=',
  Period: '.',
  Comma: ',',
  Slash: '/',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  BracketLeft: '[',
  BracketRight: ']',
  Backquote: '`',
  Space: ' ',
  NumpadDecimal: '.',
  NumpadComma: ',',
  NumpadSubtract: '-',
  NumpadAdd: '+',
  NumpadMultiply: '*',
  NumpadDivide: '/',
  NumpadEqual: '=',
};

/** The character a key position stands for, or null for a control key. Exported for tests and the later test panel. */
export function charForKey(e: KeyEventLike): string | null {
  const code = e.code ?? '';
  let m = /^(?:Digit|Numpad)(\d)$/.exec(code);
  if (m) return m[1]!;
  m = /^Key([A-Z])$/.exec(code);
  if (m) {
    const caps = e.getModifierState?.('CapsLock') ?? false;
    return Boolean(e.shiftKey) !== caps ? m[1]! : m[1]!.toLowerCase();
  }
  const mapped = CODE_CHARS[code];
  if (mapped !== undefined) return mapped;
  // No usable position (virtual keyboards, unusual keys): fall back on the character.
  if (e.key && e.key.length === 1) return e.key;
  return null;
}

function isTerminator(e: KeyEventLike): boolean {
  return TERMINATOR_CODES.has(e.code) || e.key === 'Enter' || e.key === 'Tab';
}

function defaultFocusedField(): EditableLike | null {
  if (typeof document === 'undefined') return null;
  const el = document.activeElement as (Element & Partial<EditableLike>) | null;
  if (!el || typeof el.setRangeText !== 'function') return null;
  try {
    // Inputs without a selection API (type=number, checkbox...) throw or answer null.
    if (el.selectionStart === null || el.selectionStart === undefined) return null;
  } catch {
    return null;
  }
  return el as EditableLike;
}

function notifyInput(el: EditableLike): void {
  // React and other frameworks listen to 'input'; setRangeText bypasses React's
  // value tracker, so the change is seen as a user edit.
  if (typeof el.dispatchEvent === 'function' && typeof Event !== 'undefined') el.dispatchEvent(new Event('input', { bubbles: true }));
}

interface Snapshot {
  field: EditableLike;
  value: string;
  start: number | null;
  end: number | null;
}

/** Keys that arrived at scanner speed, one after the other. */
interface Segment {
  text: string;
  /** The characters kept from the field (all but the first). */
  held: string;
  /** The focused field as it was before the segment's first key reached it. */
  snapshot: Snapshot | null;
  firstAt: number;
  lastAt: number;
  /** When each key came (one per character of `text`). */
  times: number[];
}

/** Longest text a chain of segments keeps (a scan is far shorter). */
const MAX_CHAIN_CHARS = 256;

export function createWedge(options: WedgeOptions): Wedge {
  const maxGap = options.maxInterKeyMs ?? 35;
  const minLength = options.minLength ?? 6;
  const joinGap = Math.max(maxGap, options.maxHiccupMs ?? 150);
  const personGap = Math.max(maxGap + 1, options.personGapMs ?? 90);
  const prefix = options.prefix ?? '';
  const suffix = options.suffix ?? '';
  const now = options.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
  const focusedField = options.focusedField ?? defaultFocusedField;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  // After a held key, silence this long gives the held keys back (a person paused).
  const idleMs = maxGap * 2 + 30;

  let current: Segment | null = null;
  // Earlier segments, already given back to their fields, each within joinGap of the next: a scan may span them.
  let chain: Segment[] = [];
  let timer: unknown = null;
  let scanEndedAt = -Infinity; // a terminator right after a suffix-ended scan belongs to the scan

  const stamp = (e: KeyEventLike): number => (typeof e.timeStamp === 'number' && e.timeStamp > 0 ? e.timeStamp : now());

  function stopTimer(): void {
    if (timer !== null) clearTimer(timer);
    timer = null;
  }

  /** Ends the current segment: its held keys go to their field; it stays in the chain. */
  function endSegment(): void {
    stopTimer();
    const seg = current;
    current = null;
    if (!seg) return;
    chain.push(seg);
    let chars = chain.reduce((n, x) => n + x.text.length, 0);
    while (chain.length > 1 && chars > MAX_CHAIN_CHARS) chars -= chain.shift()!.text.length;
    const field = seg.snapshot?.field;
    if (!field || seg.held === '') return;
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? start;
    field.setRangeText(seg.held, start, end, 'end');
    notifyInput(field);
  }

  /** A person's key, or a long pause: nothing before it belongs to a scan. */
  function flush(): void {
    endSegment();
    chain = [];
  }

  /**
   * The scan the segments make, ended by a terminator `terminatorGap` ms after
   * the last key, or null. Keys at the front followed by a person-paced gap are
   * left out (someone typed, then scanned; a single such key is kept); the rest is a scan when it is long
   * enough, no gap exceeds maxHiccupMs, at least half the gaps (the
   * terminator's included) are within maxInterKeyMs and at most one in four is
   * at a person's pace.
   */
  function scanOf(segs: Segment[], terminatorGap: number): { segs: Segment[]; code: string } | null {
    if (segs.length === 0 || terminatorGap > joinGap || terminatorGap < -1) return null;
    const times = segs.flatMap((x) => x.times);
    const n = times.length;
    const gap = (i: number) => (i < n ? times[i]! - times[i - 1]! : terminatorGap); // the gap before key i (i = n: the terminator)
    let from = 0;
    while (from < n - 1 && gap(from + 1) >= personGap) from++;
    // One such key alone at the front is more likely the scan's own first key, stalled by a busy page
    // (a person cannot type a key and start a scan within maxHiccupMs): keep it.
    if (from === 1) from = 0;
    let fast = 0;
    let personPaced = 0;
    for (let i = from + 1; i <= n; i++) {
      const g = gap(i);
      if (g > joinGap) return null;
      if (g <= maxGap) fast++;
      if (g >= personGap) personPaced++;
    }
    const gaps = n - from;
    if (fast * 2 < gaps || personPaced * 4 > gaps) return null;
    // `from` always starts a segment: a key followed by a person-paced gap ends its segment.
    let first = 0;
    for (let acc = 0; acc < from; first++) acc += segs[first]!.text.length;
    let text = segs.map((x) => x.text).join('').slice(from);
    if (prefix) {
      if (!text.startsWith(prefix)) return null;
      text = text.slice(prefix.length);
    }
    if (suffix && text.endsWith(suffix)) text = text.slice(0, -suffix.length);
    return text.length >= minLength ? { segs: segs.slice(first), code: text } : null;
  }

  /** It was a scan: put every field it touched back as it was, and emit. */
  function complete(segs: Segment[], code: string, endedAt: number): void {
    stopTimer();
    current = null;
    chain = [];
    scanEndedAt = endedAt;
    for (const seg of [...segs].reverse()) {
      const snap = seg.snapshot;
      if (!snap || snap.field.value === snap.value) continue;
      snap.field.setRangeText(snap.value, 0, snap.field.value.length, 'end');
      if (snap.start !== null && snap.end !== null) snap.field.setSelectionRange?.(snap.start, snap.end);
      notifyInput(snap.field);
    }
    options.onScan({ code, durationMs: segs[segs.length - 1]!.lastAt - segs[0]!.firstAt });
  }

  /** The segments a scan ending at `t` could be made of. */
  function segmentsUpTo(): Segment[] {
    return current ? [...chain, current] : [...chain];
  }

  function lastKeyAt(): number | null {
    if (current) return current.lastAt;
    return chain.length ? chain[chain.length - 1]!.lastAt : null;
  }

  function swallow(e: KeyEventLike): void {
    e.preventDefault();
    e.stopImmediatePropagation?.();
  }

  function handleKeyDown(e: KeyEventLike): void {
    if (e.isComposing) return;
    if (MODIFIER_KEYS.has(e.key)) return; // Shift between the keys of an AZERTY scan: not a gap, not a character
    if (e.ctrlKey || e.altKey || e.metaKey) {
      flush(); // a shortcut: nobody scans with Ctrl held
      return;
    }
    const t = stamp(e);

    if (isTerminator(e)) {
      const last = lastKeyAt();
      if (last === null && t - scanEndedAt <= maxGap && t >= scanEndedAt) {
        swallow(e);
        return;
      }
      const scan = last === null ? null : scanOf(segmentsUpTo(), t - last);
      if (scan) {
        swallow(e);
        complete(scan.segs, scan.code, t);
      } else {
        flush();
      }
      return;
    }

    const ch = charForKey(e);
    if (ch === null || e.repeat) {
      flush(); // Backspace, arrows, a held-down key: a person
      return;
    }

    if (current && t - current.lastAt <= maxGap && t >= current.lastAt - 1) {
      current.text += ch;
      current.held += ch;
      current.lastAt = t;
      current.times.push(t);
      swallow(e);
      stopTimer();
      if (suffix && current.text.endsWith(suffix)) {
        const scan = scanOf(segmentsUpTo(), 0);
        if (scan) {
          complete(scan.segs, scan.code, t);
          return;
        }
      }
      timer = setTimer(endSegment, idleMs);
      return;
    }

    // A slower key: the segment so far ends, this key starts the next one and reaches the field.
    endSegment();
    const last = lastKeyAt();
    if (last !== null && (t - last > joinGap || t < last - 1)) chain = [];
    const field = focusedField();
    current = {
      text: ch,
      held: '',
      snapshot: field ? { field, value: field.value, start: safe(() => field.selectionStart), end: safe(() => field.selectionEnd) } : null,
      firstAt: t,
      lastAt: t,
      times: [t],
    };
    timer = setTimer(endSegment, idleMs);
  }

  function attach(target: KeyTargetLike): () => void {
    const listener = (e: KeyboardEvent): void => handleKeyDown(e);
    target.addEventListener('keydown', listener, true);
    return () => {
      target.removeEventListener('keydown', listener, true);
      stopTimer();
      current = null;
      chain = [];
    };
  }

  return { handleKeyDown, attach, flush };
}

function safe(read: () => number | null): number | null {
  try {
    return read();
  } catch {
    return null;
  }
}
