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

export function createWedge(options: WedgeOptions): Wedge {
  const maxGap = options.maxInterKeyMs ?? 35;
  const minLength = options.minLength ?? 6;
  const prefix = options.prefix ?? '';
  const suffix = options.suffix ?? '';
  const now = options.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
  const focusedField = options.focusedField ?? defaultFocusedField;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  // After a held key, silence this long ends the burst (generous: a busy main thread delays timers, not event stamps).
  const idleMs = maxGap * 2 + 30;

  let buffer = ''; // every character of the burst, the first (slipped-in) one included
  let held = ''; // characters kept from the field
  let firstAt = 0;
  let lastAt: number | null = null;
  let snapshot: Snapshot | null = null;
  let timer: unknown = null;
  let scanEndedAt = -Infinity; // a terminator right after a suffix-ended scan belongs to the scan

  const stamp = (e: KeyEventLike): number => (typeof e.timeStamp === 'number' && e.timeStamp > 0 ? e.timeStamp : now());

  function stopTimer(): void {
    if (timer !== null) clearTimer(timer);
    timer = null;
  }

  function clear(): void {
    stopTimer();
    buffer = '';
    held = '';
    lastAt = null;
    snapshot = null;
  }

  /** The burst was a person after all: give the held keys to their field. */
  function flush(): void {
    const field = snapshot?.field;
    const text = held;
    clear();
    if (!field || text === '') return;
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? start;
    field.setRangeText(text, start, end, 'end');
    notifyInput(field);
  }

  function scanText(): string | null {
    let text = buffer;
    if (prefix) {
      if (!text.startsWith(prefix)) return null;
      text = text.slice(prefix.length);
    }
    if (suffix && text.endsWith(suffix)) text = text.slice(0, -suffix.length);
    return text.length >= minLength ? text : null;
  }

  /** It was a scan: undo what slipped into the field and emit. */
  function complete(code: string): void {
    const snap = snapshot;
    const durationMs = (lastAt ?? firstAt) - firstAt;
    scanEndedAt = lastAt ?? firstAt;
    clear();
    if (snap && snap.field.value !== snap.value) {
      snap.field.setRangeText(snap.value, 0, snap.field.value.length, 'end');
      if (snap.start !== null && snap.end !== null) snap.field.setSelectionRange?.(snap.start, snap.end);
      notifyInput(snap.field);
    }
    options.onScan({ code, durationMs });
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
    const inBurst = lastAt !== null && t - lastAt <= maxGap && t >= lastAt - 1;

    if (isTerminator(e)) {
      if (lastAt === null && t - scanEndedAt <= maxGap && t >= scanEndedAt) {
        swallow(e);
        return;
      }
      const code = inBurst ? scanText() : null;
      if (code !== null) {
        lastAt = t;
        swallow(e);
        complete(code);
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

    if (!inBurst) {
      flush();
      // First key of a possible burst: it reaches the field; remember the field as it was.
      const field = focusedField();
      snapshot = field ? { field, value: field.value, start: safe(() => field.selectionStart), end: safe(() => field.selectionEnd) } : null;
      buffer = ch;
      firstAt = t;
      lastAt = t;
      stopTimer();
      timer = setTimer(flush, idleMs);
      return;
    }

    buffer += ch;
    held += ch;
    lastAt = t;
    swallow(e);
    stopTimer();
    if (suffix && buffer.endsWith(suffix)) {
      const code = scanText();
      if (code !== null) {
        complete(code);
        return;
      }
    }
    timer = setTimer(flush, idleMs);
  }

  function attach(target: KeyTargetLike): () => void {
    const listener = (e: KeyboardEvent): void => handleKeyDown(e);
    target.addEventListener('keydown', listener, true);
    return () => {
      target.removeEventListener('keydown', listener, true);
      clear();
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
