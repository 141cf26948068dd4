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
 *  - A scanner that is slow (a Bluetooth scanner at ~130 ms a key, a person's
 *    pace) cannot be told from a person by timing: set it up to send a prefix
 *    and/or a suffix. A burst that carries them (prefix at its start, suffix at
 *    its end) with no gap over `markedMaxGapMs` is a scan whatever its speed.
 *    Once the prefix has been typed, the keys that follow are held back at the
 *    slow pace too (nothing reaches the field); with a suffix only, the keys
 *    reach the field and are taken back out when the suffix arrives.
 *  - A scanner set up to send no Enter/Tab (`endOnSilence`): a fast burst that
 *    is long enough ends with silence.
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
  /** Where the key goes (the focused element): a text field keeps what is typed into it. */
  readonly target?: unknown;
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

/**
 * Why a burst was not taken for a scan, as a code with its figures: the test
 * panel says it in the cashier's language (counter.scanner.why.*).
 */
export type NotScanWhy =
  | { code: 'no-keys' }
  | { code: 'end-key-late'; ms?: number }
  | { code: 'person-pace' }
  | { code: 'prefix-missing' }
  | { code: 'suffix-missing' }
  | { code: 'no-marker' }
  | { code: 'too-short'; length: number; minLength: number };

/** A burst that ended (with Enter or Tab) and was not taken for a scan. */
export interface NotScan {
  /** What the keys spelled (prefix and suffix included). */
  text: string;
  why: NotScanWhy;
}

export interface KeyTargetLike {
  addEventListener(type: 'keydown' | 'pointerdown', listener: (e: Event) => void, capture: boolean): void;
  removeEventListener(type: 'keydown' | 'pointerdown', listener: (e: Event) => void, capture: boolean): void;
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
  /** With a prefix or suffix set: the longest gap between the keys of a scan that carries them (a slow scanner). Default 300 ms. */
  markedMaxGapMs?: number;
  /** The scanner sends no Enter or Tab after a code: a fast burst ends with silence. */
  endOnSilence?: boolean;
  /** Diagnostics (the "test your scanner" panel): an ended burst that was not a scan, and why. */
  onNotScan?: (info: NotScan) => void;
  /** Clock for events without a timeStamp. Default performance.now. */
  now?: () => number;
  /** The text field that has the focus (where a slipped key landed). Default: document.activeElement when it is one. */
  focusedField?: () => EditableLike | null;
  /**
   * Whether the key's target is a text field that keeps every key typed into it
   * (a name, a note, a PIN): the wedge leaves such keys alone, however fast they
   * come (a fast typist, a password manager's auto-type). Default: keepsTypedText.
   */
  keepsTyping?: (target: unknown) => boolean;
  /** Timers, replaceable in tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface Wedge {
  /** Feed one keydown (attach() does this for a document). */
  handleKeyDown(e: KeyEventLike): void;
  /** Listens on `target` (the document) in the capture phase, keys and pointer presses; returns the detach function, which gives held keys back. */
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

const POSITION_CHARS = new Set(Object.values(CODE_CHARS));

/**
 * Whether the wedge can see `ch` as a character of a prefix or suffix: it reads
 * key positions, so letters, digits and the unshifted US punctuation keys
 * (- = . , / \ ; ' [ ] ` and the numpad's + * /) work; shifted symbols (# $ % ...)
 * arrive as the digit or symbol under them.
 */
export function canWedgeRead(ch: string): boolean {
  return /^[A-Za-z0-9]$/.test(ch) || (POSITION_CHARS.has(ch) && ch !== ' ');
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

/** Marks a field where a scan may land (member number, amounts): the wedge keeps working there. */
export const SCAN_FIELD_ATTRIBUTE = 'data-scan-field';

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'password', 'tel', 'url', 'number', '']);

/**
 * A text field that keeps what is typed into it: any text input, textarea or
 * editable element, unless it (or a parent) is marked as a field a member
 * card may be scanned into (SCAN_FIELD_ATTRIBUTE). A person's fast typing
 * there is never taken for a scan: the first manager's name typed at 25 ms a
 * key, or pasted by auto-type, stays in the name field.
 */
export function keepsTypedText(target: unknown): boolean {
  if (typeof Element === 'undefined' || !(target instanceof Element)) return false;
  if (target.closest(`[${SCAN_FIELD_ATTRIBUTE}]`)) return false;
  if (target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement) return TEXT_INPUT_TYPES.has(target.type);
  return (target as HTMLElement).isContentEditable === true;
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
  /** What the keys spell by their positions (a scanner's code; charForKey). */
  text: string;
  /**
   * The keys kept from the field (all but the first) as the keyboard typed them (`key`): what goes
   * back to the field when they were no scan. By position, a Belgian AZERTY's comma (the key where
   * US has M) went back as "m": "12,50" typed quickly became "12m50".
   */
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

type Verdict = { ok: true; segs: Segment[]; code: string } | { ok: false; why: NotScanWhy };

export function createWedge(options: WedgeOptions): Wedge {
  const maxGap = options.maxInterKeyMs ?? 35;
  const minLength = options.minLength ?? 6;
  const joinGap = Math.max(maxGap, options.maxHiccupMs ?? 150);
  const personGap = Math.max(maxGap + 1, options.personGapMs ?? 90);
  const prefix = options.prefix ?? '';
  const suffix = options.suffix ?? '';
  const marked = prefix !== '' || suffix !== '';
  const markedGap = Math.max(maxGap, options.markedMaxGapMs ?? 300);
  // Segments further apart than this never make one scan.
  const chainGap = marked ? Math.max(joinGap, markedGap) : joinGap;
  const endOnSilence = options.endOnSilence ?? false;
  const now = options.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
  const focusedField = options.focusedField ?? defaultFocusedField;
  const keepsTyping = options.keepsTyping ?? keepsTypedText;
  const setTimer = options.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  // After a held key, silence this long gives the held keys back (a person paused).
  const idleMs = maxGap * 2 + 30;
  const armedIdleMs = markedGap + 30;

  let current: Segment | null = null;
  // Earlier segments, already given back to their fields, each within chainGap of the next: a scan may span them.
  let chain: Segment[] = [];
  let timer: unknown = null;
  // The prefix has been typed: the keys that follow are held at a slow scanner's pace too.
  let armed = false;
  let scanEndedAt = -Infinity; // a terminator right after a suffix-ended scan belongs to the scan

  const stamp = (e: KeyEventLike): number => (typeof e.timeStamp === 'number' && e.timeStamp > 0 ? e.timeStamp : now());

  function stopTimer(): void {
    if (timer !== null) clearTimer(timer);
    timer = null;
  }

  function startTimer(): void {
    stopTimer();
    timer = setTimer(onSilence, armed ? armedIdleMs : idleMs);
  }

  /** Ends the current segment: its held keys go to their field; it stays in the chain. */
  function endSegment(): void {
    stopTimer();
    armed = false;
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

  /** Silence after the last key: a scanner without Enter/Tab has finished; otherwise the held keys go back. */
  function onSilence(): void {
    timer = null;
    if (endOnSilence) {
      const v = verdict(segmentsUpTo(), 0);
      if (v.ok) {
        complete(v.segs, v.code, now());
        return;
      }
    }
    endSegment();
  }

  /** A person's key, or a long pause: nothing before it belongs to a scan. */
  function flush(): void {
    endSegment();
    chain = [];
  }

  /** The segment that holds key number `index` of the chain, and the segments from it on. */
  function segsFrom(segs: Segment[], index: number): Segment[] {
    let first = 0;
    for (let acc = segs[0]!.text.length; acc <= index && first < segs.length - 1;) acc += segs[++first]!.text.length;
    return segs.slice(first);
  }

  /**
   * A scanner by its speed, ended by a terminator `terminatorGap` ms after the
   * last key. Only keys after the last gap over maxHiccupMs count. Keys at the
   * front followed by a person-paced gap are left out (someone typed, then
   * scanned; a single such key is kept); the rest is a scan when it is long
   * enough, at least half the gaps (the terminator's included) are within
   * maxInterKeyMs and at most one in four is at a person's pace.
   */
  function fastScan(segs: Segment[], terminatorGap: number): Verdict {
    if (terminatorGap > joinGap || terminatorGap < -1) return { ok: false, why: { code: 'end-key-late', ms: Math.round(terminatorGap) } };
    const times = segs.flatMap((x) => x.times);
    const n = times.length;
    const gap = (i: number) => (i < n ? times[i]! - times[i - 1]! : terminatorGap); // the gap before key i (i = n: the terminator)
    let start = 0;
    for (let i = 1; i < n; i++) if (gap(i) > joinGap || gap(i) < -1) start = i;
    let from = start;
    while (from < n - 1 && gap(from + 1) >= personGap) from++;
    // One such key alone at the front is more likely the scan's own first key, stalled by a busy page
    // (a person cannot type a key and start a scan within maxHiccupMs): keep it.
    if (from === start + 1) from = start;
    let fast = 0;
    let personPaced = 0;
    for (let i = from + 1; i <= n; i++) {
      const g = gap(i);
      if (g <= maxGap) fast++;
      if (g >= personGap) personPaced++;
    }
    const gaps = n - from;
    if (fast * 2 < gaps || personPaced * 4 > gaps) return { ok: false, why: { code: 'person-pace' } };
    let text = segs
      .map((x) => x.text)
      .join('')
      .slice(from);
    if (prefix) {
      if (!text.startsWith(prefix)) return { ok: false, why: { code: 'prefix-missing' } };
      text = text.slice(prefix.length);
    }
    if (suffix && text.endsWith(suffix)) text = text.slice(0, -suffix.length);
    if (text.length < minLength) return { ok: false, why: { code: 'too-short', length: text.length, minLength } };
    // `from` always starts a segment: a key after a gap over maxInterKeyMs starts one.
    return { ok: true, segs: segsFrom(segs, from), code: text };
  }

  /**
   * A scanner by its prefix and/or suffix, at any pace up to markedMaxGapMs a
   * key: the text after the last longer gap, from the first place the prefix
   * starts, must end with the suffix (when one is set).
   */
  function markedScan(segs: Segment[], terminatorGap: number): Verdict {
    if (!marked) return { ok: false, why: { code: 'no-marker' } };
    if (terminatorGap > markedGap || terminatorGap < -1) return { ok: false, why: { code: 'end-key-late' } };
    const times = segs.flatMap((x) => x.times);
    const text = segs.map((x) => x.text).join('');
    const n = times.length;
    if (suffix && !text.endsWith(suffix)) return { ok: false, why: { code: 'suffix-missing' } };
    let start = 0;
    for (let i = 1; i < n; i++) if (times[i]! - times[i - 1]! > markedGap || times[i]! < times[i - 1]! - 1) start = i;
    for (let i = start; i < n; i++) {
      if (prefix && !text.startsWith(prefix, i)) continue;
      const code = text.slice(i + prefix.length, suffix ? n - suffix.length : n);
      if (code.length < minLength) return { ok: false, why: { code: 'too-short', length: Math.max(0, code.length), minLength } };
      return { ok: true, segs: segsFrom(segs, i), code };
    }
    return { ok: false, why: { code: 'prefix-missing' } };
  }

  /** Is it a scan: by speed first, then by prefix/suffix. The first refusal says why when neither fits. */
  function verdict(segs: Segment[], terminatorGap: number): Verdict {
    if (segs.length === 0) return { ok: false, why: { code: 'no-keys' } };
    const fast = fastScan(segs, terminatorGap);
    if (fast.ok || !marked) return fast;
    const slow = markedScan(segs, terminatorGap);
    return slow.ok ? slow : fast;
  }

  /** It was a scan: put every field it touched back as it was, and emit. */
  function complete(segs: Segment[], code: string, endedAt: number): void {
    stopTimer();
    armed = false;
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

  function segmentsUpTo(): Segment[] {
    return current ? [...chain, current] : [...chain];
  }

  function lastKeyAt(): number | null {
    if (current) return current.lastAt;
    return chain.length ? chain[chain.length - 1]!.lastAt : null;
  }

  function chainEndsWith(text: string): boolean {
    let tail = '';
    const segs = segmentsUpTo();
    for (let i = segs.length - 1; i >= 0 && tail.length < text.length; i--) tail = segs[i]!.text + tail;
    return tail.endsWith(text);
  }

  function swallow(e: KeyEventLike): void {
    e.preventDefault();
    e.stopImmediatePropagation?.();
  }

  /** After a key: the suffix may have ended a scan (then the key is swallowed), the prefix may arm the hold. */
  function afterKey(e: KeyEventLike, t: number): boolean {
    if (suffix && chainEndsWith(suffix)) {
      const v = verdict(segmentsUpTo(), 0);
      if (v.ok) {
        swallow(e);
        complete(v.segs, v.code, t);
        return true;
      }
    }
    if (prefix && !armed && chainEndsWith(prefix)) armed = true;
    startTimer();
    return false;
  }

  function handleKeyDown(e: KeyEventLike): void {
    if (e.isComposing) return;
    if (MODIFIER_KEYS.has(e.key)) return; // Shift between the keys of an AZERTY scan: not a gap, not a character
    if (keepsTyping(e.target)) {
      flush(); // typed into a text field: it stays there, and nothing before it joins a later scan
      return;
    }
    if (e.ctrlKey || e.altKey || e.metaKey) {
      flush(); // a shortcut: nobody scans with Ctrl held
      return;
    }
    const t = stamp(e);

    if (isTerminator(e)) {
      const last = lastKeyAt();
      if (last === null && t - scanEndedAt <= (marked ? markedGap : maxGap) && t >= scanEndedAt) {
        swallow(e);
        return;
      }
      const segs = segmentsUpTo();
      const v = last === null ? null : verdict(segs, t - last);
      if (v?.ok) {
        swallow(e);
        complete(v.segs, v.code, t);
      } else {
        const text = segs.map((x) => x.text).join('');
        flush();
        if (v && text.length > 0) options.onNotScan?.({ text, why: v.why });
      }
      return;
    }

    const ch = charForKey(e);
    if (ch === null || e.repeat) {
      flush(); // Backspace, arrows, a held-down key: a person
      return;
    }

    const limit = armed ? markedGap : maxGap;
    if (current && t - current.lastAt <= limit && t >= current.lastAt - 1) {
      current.text += ch;
      current.held += e.key.length === 1 ? e.key : ch;
      current.lastAt = t;
      current.times.push(t);
      swallow(e);
      afterKey(e, t);
      return;
    }

    // A slower key: the segment so far ends, this key starts the next one and reaches the field.
    endSegment();
    const last = lastKeyAt();
    if (last !== null && (t - last > chainGap || t < last - 1)) chain = [];
    const field = focusedField();
    current = {
      text: ch,
      held: '',
      snapshot: field ? { field, value: field.value, start: safe(() => field.selectionStart), end: safe(() => field.selectionEnd) } : null,
      firstAt: t,
      lastAt: t,
      times: [t],
    };
    afterKey(e, t);
  }

  function attach(target: KeyTargetLike): () => void {
    const listener = (e: Event): void => handleKeyDown(e as KeyboardEvent);
    // A press of the mouse or a finger is a person, and it may submit what was typed: the keys held
    // back go to their field first (else "45" typed quickly, then Update at once, sent 4.00 and the
    // 5 came back a moment later).
    const pointer = (): void => flush();
    target.addEventListener('keydown', listener, true);
    target.addEventListener('pointerdown', pointer, true);
    return () => {
      target.removeEventListener('keydown', listener, true);
      target.removeEventListener('pointerdown', pointer, true);
      // Keys held back so far were typed into a field: they go there, as on any other end of a burst.
      // (Dropping them lost a cashier's "5." of "45.60" when the page re-made its wedge mid-word: a
      // page load's scanner set-up arrived while the basket was being typed.)
      flush();
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
