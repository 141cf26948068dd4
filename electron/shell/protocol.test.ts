import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_SCHEME_DEFINITION, createAppRequestHandler, registerAppScheme, resolveAppFile, serveRenderer } from './protocol.js';
import { CONTENT_SECURITY_POLICY } from './security.js';

let dir: string;
let rendererDir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pwp-protocol-'));
  rendererDir = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>POS</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'secret.txt'), 'outside');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the app:// scheme', () => {
  it('is registered as standard and secure (a real origin, a secure context for the camera), never bypassing CSP', () => {
    let registered: unknown;
    registerAppScheme({ registerSchemesAsPrivileged: (s) => void (registered = s) });
    expect(registered).toEqual([APP_SCHEME_DEFINITION]);
    expect(APP_SCHEME_DEFINITION.scheme).toBe('app');
    expect(APP_SCHEME_DEFINITION.privileges).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_DEFINITION.privileges?.bypassCSP).toBeUndefined();
    expect(APP_SCHEME_DEFINITION.privileges?.allowServiceWorkers).toBeUndefined();
  });

  it('serveRenderer registers the handler for "app"', () => {
    const schemes: string[] = [];
    serveRenderer({ handle: (scheme) => void schemes.push(scheme) }, rendererDir);
    expect(schemes).toEqual(['app']);
  });
});

describe('resolveAppFile', () => {
  it('maps app://pos paths into the renderer folder', () => {
    expect(resolveAppFile(rendererDir, 'app://pos/index.html')).toBe(path.join(rendererDir, 'index.html'));
    expect(resolveAppFile(rendererDir, 'app://pos/')).toBe(path.join(rendererDir, 'index.html'));
    expect(resolveAppFile(rendererDir, 'app://pos/manager')).toBe(path.join(rendererDir, 'index.html'));
    expect(resolveAppFile(rendererDir, 'app://pos/assets/app.js?v=1')).toBe(path.join(rendererDir, 'assets', 'app.js'));
  });

  it('refuses other hosts and schemes, and never leaves the folder', () => {
    expect(resolveAppFile(rendererDir, 'app://other/index.html')).toBeNull();
    expect(resolveAppFile(rendererDir, 'https://pos/index.html')).toBeNull();
    expect(resolveAppFile(rendererDir, 'app://pos/%2e%2e/secret.txt')).toBe(path.join(rendererDir, 'secret.txt'));
    expect(resolveAppFile(rendererDir, 'app://pos/..%2fsecret.txt')).toBe(path.join(rendererDir, 'secret.txt'));
    expect(resolveAppFile(rendererDir, 'app://pos/..%5csecret.txt')).toBeNull();
    expect(resolveAppFile(rendererDir, 'app://pos/a%00.js')).toBeNull();
    expect(resolveAppFile(rendererDir, 'app://pos/%E0%A4%A.js')).toBeNull();
  });
});

describe('the protocol handler', () => {
  const handler = () => createAppRequestHandler(rendererDir);

  it('serves index.html as text/html with the CSP header', async () => {
    const res = await handler()(new Request('app://pos/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('<!doctype html><title>POS</title>');
  });

  it('serves scripts as JavaScript (module scripts need the right MIME type)', async () => {
    const res = await handler()(new Request('app://pos/assets/app.js'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 (with the CSP) for missing files and for escapes from the folder', async () => {
    const missing = await handler()(new Request('app://pos/assets/nope.js'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const escape = await handler()(new Request('app://pos/%2e%2e/secret.txt'));
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('outside');
  });

  it('answers 405 to anything but GET/HEAD', async () => {
    const res = await handler()(new Request('app://pos/index.html', { method: 'POST', body: 'x' }));
    expect(res.status).toBe(405);
  });
});

describe('export downloads on app://pos/api/export/', () => {
  it('streams the export as an attachment (Electron asks where to save it), once per ticket', async () => {
    const opened: string[] = [];
    const handler = createAppRequestHandler('/nonexistent', (ticket) => {
      opened.push(ticket);
      if (ticket !== 'good') return null;
      return {
        filename: 'log 2026-11-22.csv',
        contentType: 'text/csv; charset=utf-8',
        write: async (out) => {
          out.write('\ufeffseq,kind\r\n');
          out.end('1,"a, b"\r\n');
        },
      };
    });
    const res = await handler(new Request('app://pos/api/export/log.csv?ticket=good'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="log_2026-11-22.csv"');
    expect(res.headers.get('content-security-policy')).toBeTruthy();
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // the BOM spreadsheets need
    expect(bytes.subarray(3).toString('utf8')).toBe('seq,kind\r\n1,"a, b"\r\n');
    const gone = await handler(new Request('app://pos/api/export/log.csv?ticket=used'));
    expect(gone.status).toBe(410);
    expect(opened).toEqual(['good', 'used']);
  });

  it('without an export source, says the link is gone rather than serving a file', async () => {
    const res = await createAppRequestHandler('/nonexistent')(new Request('app://pos/api/export/log.csv?ticket=x'));
    expect(res.status).toBe(410);
  });
});
