/**
 * Work that can wait until what the cashier is waiting for is on screen.
 *
 * WHY (issue 18): on a slow counter PC, whatever runs between a scan's answer
 * and the next frame delays the balance on screen. A catalogue's request, for
 * one, costs the page ~18 ms of CPU at 4x throttling just to send; started
 * after the frame that shows the balance, it costs the cashier nothing.
 */
import { useEffect, useState } from 'react';

/** Past this, run anyway: a hidden window gets no animation frames. */
const AT_MOST_MS = 100;

/**
 * Runs `fn` once the next frame has been painted: a requestAnimationFrame
 * callback runs just before that frame's style, layout and paint, and a
 * message posted from it runs in the next task, after them. Without frames
 * (a hidden window, a test without a DOM) it runs after AT_MOST_MS. Returns
 * the cancel function.
 */
export function afterNextPaint(fn: () => void): () => void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    fn();
  };
  const timer = setTimeout(run, AT_MOST_MS);
  let frame: number | null = null;
  if (typeof requestAnimationFrame === 'function' && typeof MessageChannel === 'function') {
    frame = requestAnimationFrame(() => {
      frame = null;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        run();
      };
      channel.port2.postMessage(null);
    });
  }
  return () => {
    done = true;
    clearTimeout(timer);
    if (frame !== null) cancelAnimationFrame(frame);
  };
}

/** True once a frame has been painted since `key` took its value (false again when it changes). */
export function usePaintedSince(key: string): boolean {
  const [painted, setPainted] = useState<string | null>(null);
  useEffect(() => afterNextPaint(() => setPainted(key)), [key]);
  return painted === key;
}
