/**
 * Starts the sandbox: one loopback HTTP server hosting every emulated
 * backend under its prefix, the shared fault injection and the control API.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultRegistry } from './faults.js';
import { createRouter, type FaultWait } from './router.js';
import type { SandboxBackend, SandboxContext } from './types.js';
import { WhiteLabelBackend, type WhiteLabelBackendOptions } from './whitelabel/backend.js';
import { CapillaryBackend, type CapillaryBackendOptions } from './capillary/backend.js';
import { GafapayBackend, type GafapayBackendOptions } from './gafapay/backend.js';
import { UitpasBackend, type UitpasBackendOptions } from './uitpas/backend.js';
import { PentadataBackend } from './cardlinked/backend.js';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback unless told otherwise: the sandbox has no authentication of its own. */
  host?: string;
  /** Start with the demo members (training mode); default true. */
  seedDemo?: boolean;
  /** Clock for token expiry and rate limits (tests). */
  now?: () => number;
  /** How injected latency and held sockets wait (tests: test/held-waits.ts); default real timers. */
  faultWait?: FaultWait;
  whitelabel?: WhiteLabelBackendOptions;
  capillary?: CapillaryBackendOptions;
  gafapay?: GafapayBackendOptions;
  uitpas?: UitpasBackendOptions;
}

export interface RunningSandbox {
  /** Base URL, e.g. http://127.0.0.1:43123 (no trailing slash). */
  url: string;
  host: string;
  port: number;
  /** The emulators, for in-process tests that want to look at state directly. */
  backends: {
    whitelabel: WhiteLabelBackend;
    capillary: CapillaryBackend;
    gafapay: GafapayBackend;
    uitpas: UitpasBackend;
    pentadata: PentadataBackend;
  };
  faults: FaultRegistry;
  /**
   * Random per start: every control call but GET /_control/health must send
   * it as `x-sandbox-token` (control-guard.ts; the control clients do).
   */
  controlToken: string;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const ctx: SandboxContext = { now: opts.now ?? Date.now };
  const whitelabel = new WhiteLabelBackend(ctx.now, opts.whitelabel);
  const capillary = new CapillaryBackend(ctx.now, opts.capillary);
  const gafapay = new GafapayBackend(ctx.now, opts.gafapay);
  const uitpas = new UitpasBackend(ctx.now, opts.uitpas);
  const pentadata = new PentadataBackend(ctx.now);
  const backends: SandboxBackend[] = [whitelabel, capillary, gafapay, uitpas, pentadata];
  for (const b of backends) b.reset(opts.seedDemo ?? true);
  const faults = new FaultRegistry();
  const controlToken = randomBytes(24).toString('base64url');
  let listeningPort = -1; // no control request can arrive before listen() resolves
  const router = createRouter({ backends, faults, ctx, controlGuard: { token: controlToken, port: () => listeningPort }, faultWait: opts.faultWait });

  const server: Server = createServer((req, res) => router.handle(req, res));
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  listeningPort = addr.port;
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    backends: { whitelabel, capillary, gafapay, uitpas, pentadata },
    faults,
    controlToken,
    close() {
      closing ??= new Promise<void>((resolve) => {
        router.shutdown();
        server.close(() => resolve());
        // Held ("timeout") and keep-alive sockets would keep close() waiting.
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
