/**
 * Sends the screen's uncaught errors and unhandled promise rejections to the
 * terminal's log through the contract (reportClientError): a packaged app has
 * no console anyone reads. The service redacts and rate-limits; here we only
 * keep a report from ever throwing (a failed report is dropped, not reported).
 */
import type { TerminalApi } from '../../../shared/contract';

type Report = Parameters<TerminalApi['reportClientError']>[0];

const clip = (s: string | undefined, n: number) => (s === undefined ? undefined : s.slice(0, n));

export function describeError(kind: Report['kind'], reason: unknown, source?: string): Report {
  const err = reason instanceof Error ? reason : null;
  const message = err ? `${err.name}: ${err.message}` : typeof reason === 'string' ? reason : safeString(reason);
  return { kind, message: clip(message, 2000)!, ...(err?.stack ? { stack: clip(err.stack, 8000) } : {}), ...(source ? { source: clip(source, 2000) } : {}) };
}

function safeString(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function reportErrorsTo(
  api: Pick<TerminalApi, 'reportClientError'>,
  target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window,
): () => void {
  const send = (r: Report) => {
    api.reportClientError(r).catch(() => {
      /* the terminal is unreachable: nothing else to tell */
    });
  };
  const onError = (e: Event) => {
    const ev = e as ErrorEvent;
    send(describeError('error', ev.error ?? ev.message, ev.filename ? `${ev.filename}:${ev.lineno}:${ev.colno}` : undefined));
  };
  const onRejection = (e: Event) => send(describeError('unhandledrejection', (e as PromiseRejectionEvent).reason));
  target.addEventListener('error', onError);
  target.addEventListener('unhandledrejection', onRejection);
  return () => {
    target.removeEventListener('error', onError);
    target.removeEventListener('unhandledrejection', onRejection);
  };
}
