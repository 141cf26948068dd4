/**
 * Sends a slip to the thermal printer and says, in words a cashier can act
 * on, why it did not print. Never throws and never waits longer than its time
 * limits: the sale is paid and stored before anything is printed, so a
 * printer that is off, out of paper or gone can only cost a reprint.
 *
 * Network printers (raw TCP, port 9100): before the slip, the printer's
 * real-time status is asked (ESC/POS DLE EOT: 1 printer, 4 paper sensor,
 * 2 offline cause), and nothing is sent to a printer that says it is offline
 * or out of paper (the job would sit in its buffer and print at a surprise
 * moment). A printer that does not answer is not sent the job either.
 *
 * Device printers (a USB printer's device file, e.g. /dev/usb/lp0): the bytes
 * are written to the file; such a device gives no status back.
 */
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';

export type PrintProblem = 'not-set-up' | 'unreachable' | 'no-answer' | 'offline' | 'cover-open' | 'paper-out' | 'failed';

export interface PrintOutcome {
  printed: boolean;
  problem?: PrintProblem;
  /** The paper roll is nearly at its end (printed anyway). */
  paperLow?: boolean;
}

export type PrinterTarget = { kind: 'network'; host: string; port: number } | { kind: 'device'; path: string };

export interface PrintTimeouts {
  /** Connecting to the printer. */
  connectMs: number;
  /** Each status answer, and writing the slip. */
  answerMs: number;
}

export const DEFAULT_PRINT_TIMEOUTS: PrintTimeouts = { connectMs: 3000, answerMs: 2000 };

/** DLE EOT n: real-time status, answered at once even while the printer is busy. */
const statusRequest = (n: 1 | 2 | 4) => Buffer.from([0x10, 0x04, n]);

/** A status byte always has bit 1 and bit 4 set and bits 0 and 7 clear (Epson's ESC/POS reference). */
const isStatusByte = (b: number) => (b & 0x93) === 0x12;

export async function sendToPrinter(target: PrinterTarget, bytes: Uint8Array, timeouts: PrintTimeouts = DEFAULT_PRINT_TIMEOUTS): Promise<PrintOutcome> {
  if (target.kind === 'device') {
    try {
      await withTimeout(writeFile(target.path, bytes, { flag: 'a' }), timeouts.answerMs);
      return { printed: true };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { printed: false, problem: code === 'ENOENT' || code === 'ENODEV' ? 'unreachable' : code === 'TIMEOUT' ? 'no-answer' : 'failed' };
    }
  }
  let socket: Socket | null = null;
  try {
    socket = await open(target.host, target.port, timeouts.connectMs);
    const answers = answerReader(socket);
    const ask = async (n: 1 | 2 | 4) => {
      socket!.write(statusRequest(n));
      const b = await answers.next(timeouts.answerMs);
      if (b === null || !isStatusByte(b)) throw new PrinterSaid('no-answer');
      return b;
    };
    const printer = await ask(1);
    const paper = await ask(4);
    // Bits 5-6 of the paper sensor: the roll end; bits 2-3: near its end.
    if ((paper & 0x60) === 0x60) return { printed: false, problem: 'paper-out' };
    if (printer & 0x08) {
      const cause = await ask(2);
      if (cause & 0x04) return { printed: false, problem: 'cover-open' };
      if (cause & 0x20) return { printed: false, problem: 'paper-out' };
      return { printed: false, problem: 'offline' };
    }
    await withTimeout(new Promise<void>((resolve, reject) => socket!.end(Buffer.from(bytes), () => resolve()).once('error', reject)), timeouts.answerMs);
    return { printed: true, ...((paper & 0x0c) === 0x0c ? { paperLow: true } : {}) };
  } catch (e) {
    if (e instanceof PrinterSaid) return { printed: false, problem: e.problem };
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'TIMEOUT') return { printed: false, problem: 'no-answer' };
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'CONNECT_TIMEOUT')
      return { printed: false, problem: 'unreachable' };
    return { printed: false, problem: 'failed' };
  } finally {
    socket?.destroy();
  }
}

class PrinterSaid extends Error {
  constructor(readonly problem: PrintProblem) {
    super(problem);
  }
}

function open(host: string, port: number, ms: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' }));
    }, ms);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** The printer's answers, one byte at a time, in order; null when none came in time or the line closed. */
function answerReader(s: Socket): { next(ms: number): Promise<number | null> } {
  const got: number[] = [];
  let waiter: ((b: number | null) => void) | null = null;
  let closed = false;
  s.on('data', (chunk: Buffer) => {
    for (const b of chunk) got.push(b);
    if (waiter && got.length) {
      const w = waiter;
      waiter = null;
      w(got.shift()!);
    }
  });
  const close = () => {
    closed = true;
    waiter?.(null);
    waiter = null;
  };
  s.once('close', close);
  s.once('error', close);
  return {
    next(ms) {
      if (got.length) return Promise.resolve(got.shift()!);
      if (closed) return Promise.resolve(null);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiter = null;
          resolve(null);
        }, ms);
        waiter = (b) => {
          clearTimeout(timer);
          resolve(b);
        };
      });
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
