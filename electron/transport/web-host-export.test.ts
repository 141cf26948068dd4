import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { parse } from 'csv-parse/sync';
import { LOG_CSV_COLUMNS } from '../service/csv-export.js';
import { ManagerDesk } from '../service/manager-desk.js';
import { People } from '../service/people.js';
import { Store } from '../store/store.js';
import { startWebHost, type WebHost } from './web-host.js';

describe('web host: CSV export download', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  let desk: ManagerDesk;
  let host: WebHost;
  let now: number;

  beforeEach(async () => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 'terminal.db'));
    now = Date.now();
    const people = new People(store, () => now, { scrypt: { N: 1 << 10, r: 8, p: 1 }, terminalId: 'T-WEB' });
    desk = new ManagerDesk(store, { people, secretBox: null, terminalId: 'T-WEB', clock: () => now });
    people.createFirstManager('Ann', '135790');
    store.transaction(() =>
      store.journal.append({ at: new Date().toISOString(), terminalId: 'T-WEB', actor: 'x', kind: 'note', outcome: 'ok', detail: { text: 'a,"b"\nc' } }),
    );
    host = await startWebHost({
      dispatch: async () => ({ ok: true, value: null }),
      subscribe: () => () => {},
      rendererDir: tmp.dir,
      openExport: (t) => desk.openExport(t),
    });
  });
  afterEach(async () => {
    await host.close();
    store.close();
    tmp.cleanup();
  });

  const range = () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() });

  it('the one-time ticket alone opens the download; the link carries no session token (review item 7)', async () => {
    const t = await desk.requestExport({ what: 'log', ...range() });
    expect(t.path).not.toContain('token');
    expect(t.path).not.toContain(host.token);
    const res = await fetch(`${host.url}${t.path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${t.filename}"`);
    const rows = parse(await res.text(), { bom: true, relax_column_count: true }) as string[][];
    expect(rows[0]![0]).toBe('Entry');
    expect(rows.some((r) => r[LOG_CSV_COLUMNS.indexOf('detail')] === JSON.stringify({ text: 'a,"b"\nc' }))).toBe(true);
    // used: gone, even with the right token
    expect((await fetch(`${host.url}${t.path}`, { headers: { authorization: `Bearer ${host.token}` } })).status).toBe(410);
    expect((await fetch(`${host.url}/api/export/x.csv?ticket=made-up`)).status).toBe(410);
  });

  it('a ticket expires within a minute', async () => {
    const stale = await desk.requestExport({ what: 'end-of-day', ...range(), utcOffsetMinutes: 0 });
    const fresh = await desk.requestExport({ what: 'end-of-day', ...range(), utcOffsetMinutes: 0 });
    expect(Date.parse(stale.expiresAt) - now).toBeLessThanOrEqual(60_000);
    now += 59_999; // one millisecond inside the minute
    expect((await fetch(`${host.url}${fresh.path}`)).status).toBe(200);
    now += 1;
    expect((await fetch(`${host.url}${stale.path}`)).status).toBe(410);
  });

  it('streams the end of day with its BOM', async () => {
    const t = await desk.requestExport({ what: 'end-of-day', ...range(), utcOffsetMinutes: 0 });
    const res = await fetch(`${host.url}${t.path}`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // UTF-8 BOM (fetch's text() would strip it)
    expect(bytes.subarray(3).toString('utf8').startsWith('End of day,')).toBe(true);
  });
});
