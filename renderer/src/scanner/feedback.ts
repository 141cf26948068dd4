/**
 * What the cashier notices when a read is refused: a low double beep made
 * with WebAudio (no sound file) and a flash of the place where the read is
 * shown. A successful read gets one short high beep (camera reads: the USB
 * scanner beeps by itself).
 */

let ctx: AudioContext | null = null;

function audio(): AudioContext | null {
  if (typeof window === 'undefined') return null;
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  try {
    ctx ??= new Ctor();
    if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
    return ctx;
  } catch {
    return null;
  }
}

/** Tones as [frequency Hz, duration ms], one after the other. Returns false when no sound could be made. */
export function playTones(tones: ReadonlyArray<readonly [number, number]>, volume = 0.18): boolean {
  const ac = audio();
  if (!ac) return false;
  let at = ac.currentTime + 0.01;
  for (const [freq, ms] of tones) {
    const osc = ac.createOscillator();
    const gain = ac.createGain();
    osc.type = 'square';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(volume, at + 0.005);
    gain.gain.setValueAtTime(volume, at + ms / 1000 - 0.01);
    gain.gain.linearRampToValueAtTime(0, at + ms / 1000);
    osc.connect(gain).connect(ac.destination);
    osc.start(at);
    osc.stop(at + ms / 1000 + 0.02);
    at += ms / 1000 + 0.04;
  }
  countBeep();
  return true;
}

/** Refused: two low tones, unlike any scanner's "good read". */
export function refusalBeep(): boolean {
  return playTones([
    [330, 140],
    [220, 220],
  ]);
}

/** A good camera read. */
export function goodReadBeep(): boolean {
  return playTones([[1760, 70]], 0.12);
}

/** For the e2e tests: the page counts its beeps on <html data-beeps>. */
function countBeep(): void {
  if (typeof document === 'undefined') return;
  const el = document.documentElement;
  el.dataset.beeps = String(Number(el.dataset.beeps ?? '0') + 1);
}

/** Restarts the flash animation on an element (class "scan-flash", see scanner.css). */
export function flash(el: HTMLElement | null): void {
  if (!el) return;
  el.classList.remove('scan-flash');
  void el.offsetWidth; // reflow so the animation starts again
  el.classList.add('scan-flash');
}
