/**
 * A network receipt printer on loopback for the tests: answers ESC/POS
 * real-time status requests (DLE EOT n) with the status it is set to, keeps
 * every other byte it receives as "printed", and can be told to stay silent
 * (a printer that hangs). What it answers is Epson's status layout.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface PrinterState {
  offline?: boolean;
  coverOpen?: boolean;
  paperOut?: boolean;
  paperLow?: boolean;
  /** Never answer a status request. */
  silent?: boolean;
}

export interface LoopbackPrinter {
  port: number;
  state: PrinterState;
  /** The bytes of each connection that sent anything but status requests. */
  jobs: Buffer[];
  /** Resolves when the next job's connection has closed. */
  nextJob(): Promise<Buffer>;
  close(): Promise<void>;
}

export async function startLoopbackPrinter(state: PrinterState = {}): Promise<LoopbackPrinter> {
  const jobs: Buffer[] = [];
  const waiting: ((b: Buffer) => void)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    const data: number[] = [];
    let pending: number[] = [];
    s.on('data', (chunk: Buffer) => {
      pending.push(...chunk);
      // DLE EOT n is answered at once, whatever else is in the buffer.
      while (pending.length) {
        if (pending[0] === 0x10 && pending.length < 3) break;
        if (pending[0] === 0x10 && pending[1] === 0x04) {
          const n = pending[2]!;
          pending = pending.slice(3);
          if (!printer.state.silent) s.write(Buffer.from([statusByte(n, printer.state)]));
          continue;
        }
        data.push(pending.shift()!);
      }
    });
    s.on('close', () => {
      sockets.delete(s);
      if (data.length) {
        const job = Buffer.from(data);
        jobs.push(job);
        waiting.shift()?.(job);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const printer: LoopbackPrinter = {
    port: (server.address() as { port: number }).port,
    state,
    jobs,
    nextJob: () => new Promise((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return printer;
}

function statusByte(n: number, st: PrinterState): number {
  let b = 0x12; // the fixed bits
  if (n === 1 && (st.offline || st.coverOpen || st.paperOut)) b |= 0x08;
  if (n === 2) {
    if (st.coverOpen) b |= 0x04;
    if (st.paperOut) b |= 0x20;
  }
  if (n === 4) {
    if (st.paperLow || st.paperOut) b |= 0x0c;
    if (st.paperOut) b |= 0x60;
  }
  return b;
}
